/**
 * Runs the Python of a code_interpreter call the way the service does: in a separate process, inside the
 * call's container folder, with limits. Each run gets a wall-clock limit, a memory, CPU-time and file-size
 * limit (set by prelude.py before the code starts), a cap on printed output, an environment with nothing
 * from ours in it (no tokens, no keys), and, on Linux where user namespaces work, a network namespace of
 * its own with no interfaces but loopback. prelude.py adds a Python audit hook that refuses file access
 * outside the folder, sockets and new processes: a guard, not a boundary (see the emulator README).
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import path from "node:path";

export interface SandboxLimits {
  /** Wall-clock limit; the process group is killed when it passes. */
  timeoutMs: number;
  /** Address-space limit (RLIMIT_AS). */
  memoryBytes: number;
  /** Printed output (stdout and stderr together) beyond this stops the run. */
  maxOutputBytes: number;
  /** Largest file the code may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
}

export interface SandboxResult {
  /** What the code printed (stdout and stderr in order), cut at the output cap. */
  logs: string;
  /** True when the code ran to its end with exit status 0. */
  ok: boolean;
  /** Why the run did not succeed, as one sentence for people; undefined when ok. */
  failure?: string;
  durationMs: number;
}

export interface SandboxInfo {
  /** The Python executable, or undefined when none was found. */
  python: string | undefined;
  /** True when runs get their own network namespace (Linux `unshare -rn`). */
  networkNamespace: boolean;
}

const PRELUDE = path.join(import.meta.dirname, "prelude.py");

/** Limits from the environment (read per run, like the other EMULATOR_* switches), else defaults. */
export function limitsFromEnv(env = process.env): SandboxLimits {
  const num = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    timeoutMs: num("EMULATOR_CODE_TIMEOUT_MS", 20_000),
    memoryBytes: num("EMULATOR_CODE_MEMORY_MB", 512) * 1024 * 1024,
    maxOutputBytes: num("EMULATOR_CODE_MAX_OUTPUT_BYTES", 256 * 1024),
    maxFileBytes: 20 * 1024 * 1024,
  };
}

const pythons = new Map<string, Promise<string | undefined>>();

/**
 * The real interpreter behind `python3` (or EMULATOR_PYTHON). Asked once with our own environment, so a
 * version-manager shim (pyenv, asdf) resolves; every run then starts the binary itself with an empty one.
 */
function findPython(command: string): Promise<string | undefined> {
  let found = pythons.get(command);
  if (found === undefined) {
    found = new Promise((resolve) => {
      execFile(
        command,
        ["-I", "-c", "import sys; assert sys.version_info >= (3, 8); print(sys.executable)"],
        { timeout: 10_000 },
        (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined),
      );
    });
    pythons.set(command, found);
  }
  return found;
}

let namespaceWorks: boolean | undefined;

/** Whether `unshare -rn` (a user namespace mapping us to root, plus an empty network namespace) works. */
function networkNamespaceWorks(): boolean {
  if (namespaceWorks === undefined) {
    namespaceWorks =
      process.platform === "linux" &&
      process.env.EMULATOR_SANDBOX_NO_NETNS !== "1" &&
      spawnSync("unshare", ["-rn", "true"], { stdio: "ignore", timeout: 5000 }).status === 0;
  }
  return namespaceWorks;
}

export async function sandboxInfo(env = process.env): Promise<SandboxInfo> {
  return {
    python: await findPython(env.EMULATOR_PYTHON || "python3"),
    networkNamespace: networkNamespaceWorks(),
  };
}

/** Runs `code` with `folder` as its working directory. Never throws for anything the code does. */
export async function runPython(
  code: string,
  folder: string,
  limits = limitsFromEnv(),
): Promise<SandboxResult> {
  const started = performance.now();
  const command = process.env.EMULATOR_PYTHON || "python3";
  const python = await findPython(command);
  if (python === undefined) {
    return {
      logs: "",
      ok: false,
      failure: `no Python 3.8+ was found (tried "${command}"): the emulator runs code interpreter calls with a local Python; install python3 or set EMULATOR_PYTHON`,
      durationMs: performance.now() - started,
    };
  }
  const pythonArgs = [
    "-I", // isolated: no PYTHON* variables, no user site-packages, no script folder on sys.path
    "-u",
    "-X",
    "utf8",
    PRELUDE,
    folder,
    String(limits.memoryBytes),
    String(Math.ceil(limits.timeoutMs / 1000) + 1),
    String(limits.maxFileBytes),
  ];
  const [file, args] = networkNamespaceWorks()
    ? ["unshare", ["-rn", python, ...pythonArgs]]
    : [python, pythonArgs];
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: folder,
      // Nothing of ours: the emulator's environment may hold tokens or keys.
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: folder, TMPDIR: folder, LANG: "C.UTF-8" },
      stdio: ["pipe", "pipe", "ignore"],
      detached: true, // its own process group, so a timeout kills whatever it started too
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      try {
        if (child.pid !== undefined)
          process.kill(process.platform === "win32" ? child.pid : -child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(
      () => stop(`it ran longer than the ${limits.timeoutMs / 1000} s wall-clock limit and was stopped`),
      limits.timeoutMs,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      if (stopped) return;
      const room = limits.maxOutputBytes - size;
      chunks.push(chunk.subarray(0, Math.max(0, room)));
      size += chunk.length;
      if (size > limits.maxOutputBytes) {
        stop(`it printed more than ${limits.maxOutputBytes} bytes (the output cap) and was stopped`);
      }
    });
    child.stdin.on("error", () => {}); // the code may exit before reading all of itself
    child.stdin.end(code);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      clearTimeout(timer);
      const logs = Buffer.concat(chunks).toString("utf8");
      const failure =
        stopped ??
        (spawnError ? `the Python process could not start (${spawnError.message})` : undefined) ??
        explain(exitCode, signal, logs, limits);
      resolve({
        logs,
        ok: failure === undefined,
        ...(failure === undefined ? {} : { failure }),
        durationMs: performance.now() - started,
      });
    };
    child.on("error", (error) => finish(null, null, error));
    child.on("close", (exitCode, signal) => finish(exitCode, signal));
  });
}

/** One sentence for a run that ended by itself but not well. */
function explain(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  logs: string,
  limits: SandboxLimits,
): string | undefined {
  if (exitCode === 0) return undefined;
  if (/\bMemoryError\b/.test(logs)) {
    return `it ran out of memory (the limit is ${Math.round(limits.memoryBytes / 1024 / 1024)} MB)`;
  }
  const refused = /PermissionError: (sandbox: .*)/.exec(logs)?.[1];
  if (refused) return `the sandbox refused it: ${refused.replace(/^sandbox: /, "")}`;
  if (signal === "SIGXCPU") return "it used up its CPU-time limit and was stopped";
  if (signal === "SIGXFSZ") return `it wrote a file larger than ${limits.maxFileBytes} bytes`;
  if (signal) return `it was stopped by ${signal}`;
  const last = logs.trim().split("\n").pop() ?? "";
  return `it ended with an error (exit status ${exitCode})${last ? `: ${last.slice(0, 200)}` : ""}`;
}
