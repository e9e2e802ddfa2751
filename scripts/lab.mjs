#!/usr/bin/env node
// The one entry point behind the root package.json scripts (pnpm 0-hello, pnpm emulator, pnpm test, …).
// Plain JavaScript so that an old Node reaches the version check below instead of a syntax error.
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
// started us goes away (we are re-parented), stop exactly as if the signal had reached us.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
  }, 200);
  watch.unref();
}

// Node keeps the compiled code of every module it loads (the lab's type-stripped .ts files and the SDKs)
// on disk, so a second start skips parsing and compiling them: measured in `pnpm bench` ("compile cache").
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; `.lab/` is git-ignored.
module.enableCompileCache(fileURLToPath(new URL("../.lab/compile-cache", import.meta.url)));

const { runCommand } = await import("./src/commands.ts");
await runCommand(process.argv[2] ?? "start", process.argv.slice(3));
