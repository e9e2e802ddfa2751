#!/usr/bin/env node
// `npm run lab:setup`: from a machine with only an older Node and npm to a ready lab, with npm alone
// (no nvm, no corepack, no global install). It does what .ci/run does: Node 24 and the pinned pnpm go
// into .tools/ as ordinary npm packages, then that pnpm installs the lab. Afterwards `npm run <name>`
// works on the old Node too (scripts/lab.mjs re-runs itself under .tools/'s Node).
// Plain JavaScript on purpose: it runs on the old Node.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { toolsBin, toolsDir, toolsNode } from "./tools-node.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const pnpmVersion = /pnpm@(\S+)/.exec(pkg.packageManager || "")[1];
const nodeMajor = readFileSync(path.join(root, ".nvmrc"), "utf8").trim();
const windows = process.platform === "win32";

if (process.env.LAB_COMMAND_PROBE === "1") {
  console.log("lab command: lab:setup");
  process.exit(0);
}

const version = (file, args) => {
  try {
    return execFileSync(file, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      shell: windows,
    }).trim();
  } catch {
    return "";
  }
};
const tools = toolsDir(root);
const pnpm = path.join(toolsBin(root), windows ? "pnpm.cmd" : "pnpm");
const node = toolsNode(root);
const haveNode = node && version(node, ["--version"]).startsWith(`v${nodeMajor}.`);
const havePnpm = version(pnpm, ["--version"]) === pnpmVersion;

if (haveNode && havePnpm) {
  console.log(`Node ${version(node, ["--version"])} and pnpm ${pnpmVersion} are already in ${tools}.`);
} else {
  console.log(`Installing Node ${nodeMajor} and pnpm ${pnpmVersion} into ${tools} with npm (about 250 MB)…`);
  const npm = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      tools,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `node@${nodeMajor}`,
      `pnpm@${pnpmVersion}`,
    ],
    { stdio: "inherit", shell: windows },
  );
  if (npm.status !== 0) {
    console.error(
      `npm could not install Node ${nodeMajor} and pnpm into ${tools} (exit ${npm.status}); check the network or the npm registry settings, then run npm run lab:setup again.`,
    );
    process.exit(1);
  }
}

const PATH = `${toolsBin(root)}${path.delimiter}${process.env.PATH || ""}`;
const install = spawnSync(pnpm, ["install", "--frozen-lockfile"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PATH },
  shell: windows,
});
if (install.status !== 0) {
  console.error(
    `pnpm install failed (exit ${install.status}); the lines above say why. Run npm run lab:setup again once it is fixed.`,
  );
  process.exit(1);
}
console.log("");
console.log(
  "Ready. Start a demo with npm run 0-hello (any pnpm <name> of the READMEs works as npm run <name>),",
);
console.log(`or put ${toolsBin(root)} first on PATH and use pnpm directly.`);
