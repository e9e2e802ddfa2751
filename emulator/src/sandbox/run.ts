/**
 * Runs the Python of a code_interpreter call the way the service does: behind a boundary (boundary.ts:
 * a bubblewrap sandbox on Linux), in `/mnt/data` holding copies of the container's files, with limits on
 * everything the code can run: wall clock, memory (the code cannot start processes, so one address-space
 * limit covers it all), CPU time, file size, disk (size-limited tmpfs), printed output, and an
 * environment with nothing of ours in it. The files the code wrote come back as names and bytes and are
 * written into the container's folder on the host (folder.ts); the code never touches that folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Boundary, boundary, bwrapArgs, RUNNER, runnerCommand, WORKING_FOLDER } from "./boundary.ts";
import { containedName, readRegular, regularFiles, writeContained } from "./folder.ts";

export interface SandboxLimits {
  /** Wall-clock limit; the run is killed when it passes. */
  timeoutMs: number;
  /** Address-space limit (RLIMIT_AS) of the code's process, the only one it has. */
  memoryBytes: number;
  /** Printed output (stdout and stderr together) beyond this stops the run. */
  maxOutputBytes: number;
  /** Largest file the code may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
  /** What the code may add to its working folder (and, separately, to /tmp): the tmpfs sizes. */
  diskBytes: number;
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
  /** What the code runs behind: "bubblewrap", "none" (opted out), or undefined when runs are refused. */
  boundary: "bubblewrap" | "none" | undefined;
  /** Why runs are refused, when they are. */
  refused?: string;
}

const RUNNER_SOURCE = readFileSync(RUNNER);

/** At most this many files (and bytes) come back from one run; the rest are left in the sandbox. */
const COLLECT_FILES = 50;
const COLLECT_BYTES = 40 * 1024 * 1024;
/** Files (and folders) each of /mnt/data and /tmp can hold: each costs kernel memory no limit counts. */
const MAX_FILES_PER_FOLDER = 10_000;

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
    diskBytes: num("EMULATOR_CODE_DISK_MB", 100) * 1024 * 1024,
  };
}

export async function sandboxInfo(env = process.env): Promise<SandboxInfo> {
  const found = await boundary(env);
  if (found.kind === "refused") return { python: undefined, boundary: undefined, refused: found.why };
  return { python: found.python.executable, boundary: found.kind };
}

/** Runs in flight, killed if this process exits (bubblewrap's --die-with-parent covers a SIGKILL). */
const running = new Map<ChildProcess, (why: string) => void>();
let exitHook = false;

/** Stops every run in flight (for a shutdown): each ends as a failed call, its sandbox gone. */
export function stopAllRuns(): void {
  for (const stop of running.values()) stop("the emulator stopped it while shutting down");
}

function kill(child: ChildProcess, sandboxed: boolean): void {
  try {
    if (child.pid === undefined) return;
    // Killing bwrap kills the sandbox (--die-with-parent); unsandboxed, the whole process group.
    if (sandboxed || process.platform === "win32") child.kill("SIGKILL");
    else process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Runs `code` with a copy of `folder`'s files as its working folder `/mnt/data`, then writes the files it
 * wrote back into `folder`. Never throws for anything the code does.
 */
export async function runPython(
  code: string,
  folder: string,
  limits = limitsFromEnv(),
): Promise<SandboxResult> {
  const started = performance.now();
  const where = await boundary();
  const done = (logs: string, failure?: string): SandboxResult => ({
    logs,
    ok: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
    durationMs: performance.now() - started,
  });
  if (where.kind === "refused") return done("", where.why);

  const inputs = regularFiles(folder).flatMap((name) => {
    const content = readRegular(folder, name);
    return content === undefined ? [] : [{ name, content }];
  });
  const codeBytes = Buffer.from(code, "utf8");
  const header = {
    limits: {
      memory_bytes: limits.memoryBytes,
      cpu_seconds: Math.ceil(limits.timeoutMs / 1000) + 1,
      file_bytes: limits.maxFileBytes,
      timeout_seconds: limits.timeoutMs / 1000,
      collect_files: COLLECT_FILES,
      collect_bytes: COLLECT_BYTES,
      // The two tmpfs the runner mounts: the quota (plus the inputs, in /mnt/data) and a file count.
      folders: {
        [WORKING_FOLDER]: limits.diskBytes + inputs.reduce((sum, f) => sum + f.content.byteLength, 0),
        "/tmp": limits.diskBytes,
      },
      files: MAX_FILES_PER_FOLDER,
    },
    code_bytes: codeBytes.byteLength,
    files: inputs.map((f) => [f.name, f.content.byteLength]),
  };
  const outcome = await spawnRun(where, limits, [
    Buffer.from(`${JSON.stringify(header)}\n`),
    codeBytes,
    ...inputs.map((f) => f.content),
  ]);
  for (const file of outcome.files) {
    const name = containedName(file.name);
    if (name !== undefined) writeContained(folder, name, file.content);
  }
  return done(outcome.logs, outcome.failure);
}

interface Outcome {
  logs: string;
  failure?: string;
  files: { name: Buffer; content: Buffer }[];
}

function spawnRun(
  where: Exclude<Boundary, { kind: "refused" }>,
  limits: SandboxLimits,
  stdin: Buffer[],
): Promise<Outcome> {
  const sandboxed = where.kind === "bubblewrap";
  const scratch = sandboxed ? undefined : mkdtempSync(path.join(os.tmpdir(), "lab-code-"));
  const [file, ...args] = sandboxed
    ? [where.bwrap, ...bwrapArgs(where.python, runnerCommand(where.python, true))]
    : runnerCommand(where.python, false, scratch);
  return new Promise((resolve) => {
    const child = spawn(file ?? "", args, {
      cwd: scratch ?? os.tmpdir(),
      // Nothing of ours: the emulator's environment may hold tokens or keys (bwrap also clears it).
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: scratch ?? "/",
        TMPDIR: scratch ?? "/tmp",
        LANG: "C.UTF-8",
      },
      stdio: ["pipe", "pipe", "pipe", "pipe", sandboxed ? "pipe" : "ignore"],
      detached: !sandboxed, // unsandboxed: its own process group, so a kill reaches what it started
      windowsHide: true,
    });
    if (!exitHook) {
      exitHook = true;
      process.once("exit", stopAllRuns);
    }
    const logs: Buffer[] = [];
    let logSize = 0;
    const errors: Buffer[] = [];
    const results: Buffer[] = [];
    let resultSize = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      kill(child, sandboxed);
    };
    running.set(child, stop);
    const wallClock = `it ran longer than the ${limits.timeoutMs / 1000} s wall-clock limit and was stopped`;
    // The runner stops the code at the limit itself; this catches a runner that was stopped.
    const timer = setTimeout(() => stop(wallClock), limits.timeoutMs + 3000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (stopped) return;
      logs.push(chunk.subarray(0, Math.max(0, limits.maxOutputBytes - logSize)));
      logSize += chunk.length;
      if (logSize > limits.maxOutputBytes) {
        stop(`it printed more than ${limits.maxOutputBytes} bytes (the output cap) and was stopped`);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (errors.length < 8) errors.push(chunk.subarray(0, 2048));
    });
    const resultPipe = child.stdio[3];
    resultPipe?.on("data", (chunk: Buffer) => {
      resultSize += chunk.length;
      if (resultSize > COLLECT_BYTES + 1024 * 1024) stop("it wrote more files than a run may return");
      else results.push(Buffer.from(chunk));
    });
    resultPipe?.on("error", () => {});
    child.stdin?.on("error", () => {}); // the runner may be gone before it read all of its input
    const runnerPipe = child.stdio[4];
    if (runnerPipe && "end" in runnerPipe) {
      runnerPipe.on("error", () => {});
      runnerPipe.end(RUNNER_SOURCE);
    }
    for (const piece of stdin) child.stdin?.write(piece);
    child.stdin?.end();
    const finish = (spawnError?: Error) => {
      clearTimeout(timer);
      running.delete(child);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      const text = Buffer.concat(logs).toString("utf8");
      const { files, end } = parseResults(Buffer.concat(results));
      let failure = stopped;
      if (failure === undefined && spawnError)
        failure = `the sandbox could not start (${spawnError.message})`;
      if (failure === undefined && end === undefined) {
        const said = Buffer.concat(errors).toString("utf8").trim().split("\n")[0] ?? "";
        failure = `the sandbox ended before the code did${said ? ` (${said.slice(0, 200)})` : ""}`;
      }
      if (failure === undefined && end?.timed_out) failure = wallClock;
      if (failure === undefined) failure = explain(end?.status ?? 1, text, limits);
      resolve({ logs: text, ...(failure === undefined ? {} : { failure }), files });
    };
    child.on("error", (error) => finish(error));
    child.on("close", () => finish());
  });
}

/** The runner's result stream: a JSON line per file (then its bytes), then an `end` line. */
function parseResults(stream: Buffer): {
  files: { name: Buffer; content: Buffer }[];
  end?: { status: number; timed_out: boolean };
} {
  const files: { name: Buffer; content: Buffer }[] = [];
  let at = 0;
  while (at < stream.length) {
    const newline = stream.indexOf(10, at);
    if (newline < 0) break;
    let record: { file?: string; size?: number; end?: { status: number; timed_out: boolean } };
    try {
      record = JSON.parse(stream.subarray(at, newline).toString("utf8"));
    } catch {
      break;
    }
    at = newline + 1;
    if (record.end !== undefined) return { files, end: record.end };
    if (typeof record.file === "string" && typeof record.size === "number") {
      if (at + record.size > stream.length) break;
      files.push({
        name: Buffer.from(record.file, "base64"),
        content: stream.subarray(at, at + record.size),
      });
      at += record.size;
    }
  }
  return { files };
}

/** One sentence for a run that ended by itself but not well. */
function explain(status: number, logs: string, limits: SandboxLimits): string | undefined {
  if (status === 0) return undefined;
  const setup = /^sandbox setup failed: (.*)$/m.exec(logs)?.[1];
  if (setup) return `the sandbox could not be set up (${setup.slice(0, 200)})`;
  const refused = /^sandbox: (.*)$/m.exec(logs)?.[1];
  if (refused) return `the sandbox refused it: ${refused}`;
  if (/\bMemoryError\b/.test(logs)) {
    return `it ran out of memory (the limit is ${Math.round(limits.memoryBytes / 1024 / 1024)} MB)`;
  }
  if (/No space left on device/.test(logs)) {
    return `it filled its disk space (${Math.round(limits.diskBytes / 1024 / 1024)} MB or ${MAX_FILES_PER_FOLDER} files)`;
  }
  if (status === -24) return "it used up its CPU-time limit and was stopped"; // SIGXCPU
  if (status === -25) return `it wrote a file larger than ${limits.maxFileBytes} bytes`; // SIGXFSZ
  if (status < 0) return `it was stopped by signal ${-status}`;
  const last = logs.trim().split("\n").pop() ?? "";
  return `it ended with an error (exit status ${status})${last ? `: ${last.slice(0, 200)}` : ""}`;
}
