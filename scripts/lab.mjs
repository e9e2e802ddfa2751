#!/usr/bin/env node
// The one entry point behind the root package.json scripts (pnpm 0-hello, pnpm emulator, pnpm test, …).
// Plain JavaScript so that an old Node reaches the version check below instead of a syntax error.
import { readFileSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";
import { nodeVersionProblem } from "./node-check.mjs";

// First, before any .ts is imported: re-runs then skip type-stripping and compiling, ours and the SDKs'.
module.enableCompileCache?.(fileURLToPath(new URL("../.lab/compile-cache", import.meta.url)));

const problem = nodeVersionProblem(process.version);
if (problem) {
  // An old Node after `npm run lab:setup`: the same command under the Node it put in .tools/.
  const code = await (await import("./tools-node.mjs")).relaunchUnderToolsNode(import.meta.url);
  if (code !== undefined) process.exit(code);
  process.stderr.write(
    `${problem} With npm alone: npm run lab:setup, then npm run <name> (e.g. npm run 0-hello).\n`,
  );
  process.exit(2);
}

// pnpm does not pass SIGTERM on to the script it runs: it exits, its `sh -c` goes with it, and this
// process would keep running, holding its port. So under a package manager, when the process that
// started us goes away, stop exactly as if the signal had reached us. Gone means re-parented (POSIX) or
// no longer there (`kill(pid, 0)` fails with ESRCH, which works on Windows too). The package manager is
// watched as well when its script shell sits between us: pnpm or npm killed outright (SIGKILL, a crash)
// leaves that shell waiting for us, alive. A check every 200 ms, unref'd: it never keeps the lab running.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  const watched = [parent, ...scriptShellParent(parent)];
  const watch = setInterval(() => {
    if (process.ppid === parent && watched.every(isRunning)) return;
    clearInterval(watch);
    // On Windows process.kill() ends a process without running its handlers: call them directly there.
    if (process.platform === "win32" && process.listenerCount("SIGTERM") > 0)
      process.emit("SIGTERM", "SIGTERM");
    else process.kill(process.pid, "SIGTERM");
  }, 200);
  watch.unref();
}

/** Whether a process exists: signal 0 checks without sending anything (EPERM: it exists, not ours). */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/**
 * The package manager above `pid` when `pid` is the shell it runs scripts in (`sh -c node scripts/lab.mjs
 * …`), read from Linux's /proc; elsewhere (macOS, Windows' cmd.exe) none is found and only the shell is
 * watched.
 */
function scriptShellParent(pid) {
  try {
    // "pid (comm) state ppid …"; comm may hold spaces or parentheses, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return /^(?:sh|dash|bash|ash|zsh)$/.test(comm) && ppid > 1 ? [ppid] : [];
  } catch {
    return [];
  }
}

// Node keeps the compiled code of every module it loads (the lab's type-stripped .ts files and the SDKs)
// on disk, so a second start skips parsing and compiling them: measured in `pnpm bench` ("compile cache").
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; `.lab/` is git-ignored.
module.enableCompileCache(fileURLToPath(new URL("../.lab/compile-cache", import.meta.url)));

const { runCommand } = await import("./src/commands.ts");
await runCommand(process.argv[2] ?? "start", process.argv.slice(3));
