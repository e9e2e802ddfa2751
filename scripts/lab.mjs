#!/usr/bin/env node
// The one entry point behind the root package.json scripts (pnpm 0-hello, pnpm emulator, pnpm test, …).
// Plain JavaScript so that an old Node reaches the version check below instead of a syntax error.
import { nodeVersionProblem } from "./node-check.mjs";

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

const { runCommand } = await import("./src/commands.ts");
await runCommand(process.argv[2] ?? "start", process.argv.slice(3));
