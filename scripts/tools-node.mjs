// Plain JavaScript on purpose, like node-check.mjs: it runs on the old Node a machine came with.
// `npm run lab:setup` puts Node 24 and pnpm into .tools/ with npm alone (no nvm, no corepack); from then
// on `npm run <name>` on that old Node re-runs the lab under .tools/'s Node, so it just works.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The folder `npm run lab:setup` installs into (LAB_TOOLS_DIR moves it). */
export function toolsDir(root) {
  return path.resolve(process.env.LAB_TOOLS_DIR || path.join(root, ".tools"));
}

export function toolsBin(root) {
  return path.join(toolsDir(root), "node_modules", ".bin");
}

/** .tools/'s own Node, if `npm run lab:setup` installed one. */
export function toolsNode(root) {
  const node = path.join(
    toolsDir(root),
    "node_modules",
    "node",
    "bin",
    process.platform === "win32" ? "node.exe" : "node",
  );
  return existsSync(node) ? node : undefined;
}

/**
 * Runs `script args` under `node` with .tools/ first on PATH (so pnpm and node found by name are its own)
 * and resolves with its exit code. Ctrl-C reaches the child from the terminal by itself; this process
 * only waits for it, so a chat's Ctrl-C still cancels an answer instead of ending the lab.
 */
export function runUnder(node, script, args, root) {
  return new Promise((resolve) => {
    const env = { ...process.env, PATH: `${toolsBin(root)}${path.delimiter}${process.env.PATH || ""}` };
    const child = spawn(node, [script, ...args], { stdio: "inherit", env });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
    child.on("exit", (code, signal) => resolve(code === null ? (signal === "SIGINT" ? 130 : 1) : code));
  });
}

/** For scripts/lab.mjs on an old Node: its exit code under .tools/'s Node, or undefined without one. */
export async function relaunchUnderToolsNode(labUrl) {
  const script = fileURLToPath(labUrl);
  const root = path.resolve(path.dirname(script), "..");
  const node = toolsNode(root);
  return node ? runUnder(node, script, process.argv.slice(2), root) : undefined;
}
