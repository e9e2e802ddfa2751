#!/usr/bin/env node
// The one entry point behind the root package.json scripts (pnpm 0-hello, pnpm emulator, pnpm test, …).
// Plain JavaScript so that an old Node reaches the version check below instead of a syntax error.
import { nodeVersionProblem } from "./node-check.mjs";

const problem = nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

const { runCommand } = await import("./src/commands.ts");
await runCommand(process.argv[2] ?? "start", process.argv.slice(3));
