/**
 * Which boundary code interpreter runs behind, and the command that starts a run inside it. On Linux it is
 * bubblewrap (`bwrap`): new user, PID, network, IPC, UTS and cgroup namespaces; a mount namespace that
 * shows only /usr (read-only), the Python install (read-only), the runner, a fresh /proc and /dev, and
 * two size-limited tmpfs folders (/mnt/data, the working folder, and /tmp); an empty environment; killed
 * with its parent. Nothing of the emulator's data folder is mounted in it. Where there is no such boundary
 * (macOS, Windows, Linux without bubblewrap or user namespaces) code interpreter refuses to run code,
 * unless EMULATOR_CODE_SANDBOX=none says to run it unsandboxed, as the emulator's own user.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, lstatSync, readlinkSync } from "node:fs";
import path from "node:path";

export const RUNNER = path.join(import.meta.dirname, "runner.py");
/** Where the code sees its container's files, as on the service. */
export const WORKING_FOLDER = "/mnt/data";
const RUNNER_INSIDE = "/opt/lab/runner.py";

export interface PythonInstall {
  executable: string;
  /** Folders of the install outside /usr, bound read-only into the sandbox at the same path. */
  folders: string[];
}

export type Boundary =
  | { kind: "bubblewrap"; bwrap: string; python: PythonInstall }
  | { kind: "none"; python: PythonInstall }
  | { kind: "refused"; why: string };

const OPT_OUT = "set EMULATOR_CODE_SANDBOX=none to run code unsandboxed, as your own user";

function exec(file: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: 15_000, env: { PATH: "/usr/local/bin:/usr/bin:/bin" } },
      (error, stdout, stderr) => resolve({ ok: !error, stdout, stderr: stderr || (error?.message ?? "") }),
    );
  });
}

const installs = new Map<string, Promise<PythonInstall | undefined>>();

/**
 * The real interpreter behind `python3` (or EMULATOR_PYTHON), asked once with our own environment so a
 * version-manager shim (pyenv, asdf) resolves; runs then start the binary itself.
 */
export function findPython(command: string): Promise<PythonInstall | undefined> {
  let found = installs.get(command);
  if (found === undefined) {
    found = new Promise((resolve) => {
      execFile(
        command,
        [
          "-I",
          "-c",
          "import json, os, sys; assert sys.version_info >= (3, 9); print(json.dumps([os.path.realpath(sys.executable), sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]))",
        ],
        { timeout: 10_000 },
        (error, stdout) => {
          if (error) return resolve(undefined);
          const [real, executable, ...prefixes] = JSON.parse(stdout) as string[];
          const folders = new Set<string>();
          for (const p of [...prefixes, path.dirname(real ?? ""), path.dirname(executable ?? "")]) {
            if (p && !isUnder(p, "/usr")) folders.add(p);
          }
          resolve({ executable: real ?? command, folders: [...folders] });
        },
      );
    });
    installs.set(command, found);
  }
  return found;
}

function isUnder(p: string, root: string): boolean {
  return p === root || p.startsWith(`${root}/`);
}

/**
 * bubblewrap's arguments to run `command` in a sandbox. Inside, the command is uid 0 of the new user
 * namespace with one capability there, CAP_SYS_ADMIN, so that the runner can mount /mnt/data and /tmp as
 * tmpfs limited in bytes *and* files (bubblewrap's own --size cannot cap the number of files, and
 * millions of empty files are gigabytes of kernel memory); the runner then drops it before the code runs.
 */
export function bwrapArgs(python: PythonInstall, command: string[], withRunner = true): string[] {
  const args = [
    "--unshare-user",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--uid",
    "0",
    "--gid",
    "0",
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CAP_SYS_ADMIN",
    "--hostname",
    "sandbox",
    "--die-with-parent", // the emulator's death (even SIGKILL) kills the whole sandbox
    // The runner is PID 1: no bubblewrap reaper beside it (one more same-uid process the code could
    // take over through /proc/1/mem), and when it ends the kernel ends everything in the namespace.
    "--as-pid-1",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
  ];
  // Merged-/usr systems link /bin, /lib… into /usr; older ones have real folders.
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    const kind = entryKind(top);
    if (kind === "link") args.push("--symlink", readlinkSync(top), top);
    else if (kind === "dir") args.push("--ro-bind", top, top);
  }
  for (const file of ["/etc/ld.so.cache", "/etc/localtime"]) {
    if (existsSync(file)) args.push("--ro-bind", file, file);
  }
  for (const folder of python.folders) args.push("--ro-bind", folder, folder);
  // The runner arrives on fd 4 (run.ts writes it), so no host path of the lab shows in the mount table.
  if (withRunner) args.push("--ro-bind-data", "4", RUNNER_INSIDE);
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--dir",
    "/tmp",
    "--dir",
    WORKING_FOLDER,
    // Everything else read-only: bubblewrap's root and /dev are tmpfs the code could otherwise fill.
    "--remount-ro",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    WORKING_FOLDER,
    "--clearenv",
    ...["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"],
    ...["--setenv", "HOME", WORKING_FOLDER],
    ...["--setenv", "TMPDIR", "/tmp"],
    ...["--setenv", "LANG", "C.UTF-8"],
    ...command,
  );
  return args;
}

/** The runner's command line: inside the sandbox, or (opted out) on the host in a folder of its own. */
export function runnerCommand(python: PythonInstall, sandboxed: boolean, folder = WORKING_FOLDER): string[] {
  // isolated (no PYTHON* variables, no user site), unbuffered, UTF-8, no .pyc writes
  const runner = sandboxed ? RUNNER_INSIDE : RUNNER;
  return [python.executable, "-I", "-u", "-X", "utf8", "-B", runner, folder, sandboxed ? "seccomp" : "none"];
}

function entryKind(p: string): "link" | "dir" | undefined {
  try {
    const stat = lstatSync(p);
    return stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "dir" : undefined;
  } catch {
    return undefined;
  }
}

const boundaries = new Map<string, Promise<Boundary>>();

/** The boundary for runs with this environment (probed once: a bubblewrap sandbox running `pass`). */
export function boundary(env = process.env): Promise<Boundary> {
  const command = env.EMULATOR_PYTHON || "python3";
  const choice = env.EMULATOR_CODE_SANDBOX ?? "";
  const key = `${command}\0${choice}\0${process.env.PATH}`;
  let found = boundaries.get(key);
  if (found === undefined) {
    found = probe(command, choice);
    boundaries.set(key, found);
  }
  return found;
}

async function probe(command: string, choice: string): Promise<Boundary> {
  if (choice !== "" && choice !== "none" && choice !== "bubblewrap") {
    return {
      kind: "refused",
      why: `EMULATOR_CODE_SANDBOX is "${choice}", but it takes only "bubblewrap" (the default) or "none"`,
    };
  }
  const python = await findPython(command);
  if (python === undefined) {
    return {
      kind: "refused",
      why: `no Python 3.9+ was found (tried "${command}"): the emulator runs code interpreter calls with a local Python; install python3 or set EMULATOR_PYTHON`,
    };
  }
  if (choice === "none") return { kind: "none", python };
  if (process.platform !== "linux") {
    const os =
      process.platform === "darwin" ? "macOS" : process.platform === "win32" ? "Windows" : process.platform;
    return {
      kind: "refused",
      why: `it was not run: on ${os} the emulator has no sandbox boundary for code (it uses Linux namespaces through bubblewrap); ${OPT_OUT}`,
    };
  }
  const bwrap = onPath("bwrap");
  // The same sandbox, proving the runner's one privileged step works: a size-limited tmpfs.
  const mount =
    "import ctypes; assert ctypes.CDLL(None).mount(b'tmpfs', b'/tmp', b'tmpfs', 0, b'size=1m,nr_inodes=16') == 0, 'no tmpfs mount'";
  const tried = bwrap
    ? await exec(bwrap, bwrapArgs(python, [python.executable, "-I", "-c", mount], false))
    : { ok: false, stderr: "bwrap is not installed" };
  if (bwrap === undefined || !tried.ok) {
    const said = tried.stderr.trim().split("\n")[0]?.slice(0, 200) ?? "";
    return {
      kind: "refused",
      why: `it was not run: the emulator runs code only inside a bubblewrap sandbox, and none could start here (${said || "bwrap failed"}); install bubblewrap (Debian and Ubuntu: apt install bubblewrap) with user namespaces allowed, or ${OPT_OUT}`,
    };
  }
  return { kind: "bubblewrap", bwrap, python };
}

function onPath(command: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(folder, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
