/**
 * The SDKs as one prepared file each, for a demo's start on the emulator.
 *
 * Most of a demo's start-up is Node loading `@azure/ai-projects`, `openai`, the Azure core packages and
 * `@opentelemetry/api`:
 * some 470 modules, each resolved, read, looked up in the compile cache and linked on its own. The same
 * code joined into a few files by a bundler (rolldown) loads in about a third of the time (`pnpm bench`,
 * "SDK bundle"). It is built once per lockfile into `.lab/sdk-bundle/` (git-ignored, like the compile
 * cache) and only the lab's own imports of these packages are pointed at it; the code is the installed
 * SDKs' code, unchanged, so a demo behaves the same.
 *
 * Used on the emulator with tracing off only: on Azure the start waits on the network anyway, and with
 * tracing on, the real packages are loaded so that OpenTelemetry sees them as installed. Nothing here may
 * ever stop a demo: if the bundle cannot be built, the start loads the packages as usual (LAB_DEBUG says
 * why). LAB_SDK_BUNDLE=0 switches it off.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "@lab/shared/config";

/** The packages the lab's code imports at a demo's start, as entry names of the bundle. */
const ENTRIES = {
  "ai-projects": "@azure/ai-projects",
  openai: "openai",
  // shared/src/spans.ts: with tracing off every span is a no-op, but the API is some 40 small modules.
  "opentelemetry-api": "@opentelemetry/api",
} as const;

/** What ai-projects imports but the emulator path never uses: small stand-ins (see commands.ts). */
export const STAND_INS = {
  "@azure/identity": path.join(repoRoot, "shared", "src", "emulator-identity.ts"),
  "@azure/storage-blob": path.join(repoRoot, "shared", "src", "emulator-storage-blob.ts"),
};

export interface SdkBundle {
  /** Specifier (e.g. "openai") → file URL of its bundled entry. */
  entries: Map<string, string>;
}

/**
 * The bundle for this checkout's installed SDKs, built first if there is none yet. Undefined when it is
 * switched off, being built by another start right now (this start then loads the packages as usual), or
 * cannot be built.
 */
export async function sdkBundle(root = repoRoot, env = process.env): Promise<SdkBundle | undefined> {
  if (env.LAB_SDK_BUNDLE === "0") return undefined;
  try {
    const base = path.join(root, ".lab", "sdk-bundle");
    const dir = path.join(base, bundleKey(root));
    if (!existsSync(path.join(dir, "done")) && !(await build(root, base, dir))) return undefined;
    return {
      entries: new Map(
        Object.entries(ENTRIES).map(([name, specifier]) => [
          specifier,
          pathToFileURL(path.join(dir, `${name}.js`)).href,
        ]),
      ),
    };
  } catch (err) {
    if (env.LAB_DEBUG) console.error("The SDK bundle is not used:", err);
    return undefined;
  }
}

/**
 * Which installed SDKs and stand-ins a bundle was made from: the lockfile pins every package version, so
 * a `pnpm install` that changes any of them (or an edit of a stand-in, or another bundler) makes a new key.
 */
export function bundleKey(root = repoRoot): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(path.join(root, "pnpm-lock.yaml")));
  for (const file of Object.values(STAND_INS)) hash.update(readFileSync(file));
  hash.update(JSON.stringify(ENTRIES));
  return hash.digest("hex").slice(0, 16);
}

/** Builds into a folder of its own, then renames it into place: a reader never sees half a bundle. */
async function build(root: string, base: string, dir: string): Promise<boolean> {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  // One builder at a time: two demos started together must not both spend a second of CPU on it.
  const lock = `${dir}.building`;
  try {
    writeFileSync(lock, String(process.pid), { flag: "wx" });
  } catch {
    // Someone is building (or crashed while building a while ago: then take over).
    if (Date.now() - statSync(lock).mtimeMs < 60_000) return false;
    writeFileSync(lock, String(process.pid));
  }
  const work = `${dir}.${process.pid}`;
  try {
    const { build: rolldown } = await import("rolldown");
    await rolldown({
      cwd: path.join(root, "shared"), // where these packages are dependencies
      input: ENTRIES,
      platform: "node",
      resolve: { alias: STAND_INS },
      logLevel: "silent",
      output: { dir: work, format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
    });
    writeFileSync(path.join(work, "done"), "");
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    // Bundles of earlier lockfiles are of no more use.
    for (const old of readdirSync(base))
      if (!dir.endsWith(old) && !old.endsWith(".building"))
        rmSync(path.join(base, old), { recursive: true, force: true });
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(lock, { force: true });
  }
}
