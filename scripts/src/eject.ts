/**
 * `pnpm eject <demo> <folder>`: one demo as the start of a new project that needs nothing of this
 * repository. It follows the demo's import graph (sources and tests) and copies what it reaches: the
 * demo itself at the root, shared helpers into lab/ (demo 1 into lab/1-tools/ for demo 2), and the
 * emulator and MCP servers whole (they read files next to their sources), with every import rewritten to
 * a relative path. Its package.json pins the exact versions this repository's lockfile resolved, so the
 * copy installs with plain npm and runs, offline, against its own copy of the emulator.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { type DemoEntry, listDemos } from "./demos.ts";

/** Workspace packages copied whole when reached: they read data files that sit next to their sources. */
const WHOLE_PACKAGES = ["emulator", "mcp-servers"];
const SKIP = new Set(["node_modules", ".lab", "output", "transcripts", ".env", "test-results"]);
const SOURCE = /\.(ts|mts|mjs|tsx)$/;

export async function eject(args: string[]): Promise<void> {
  const [which, target, ...extra] = args.filter((a) => a !== "--");
  const demos = listDemos();
  const usage = `pnpm eject <demo> <folder>, e.g. pnpm eject 0 ../my-agent (demos: ${demos.map((d) => d.id).join(", ")})`;
  if (!which || !target || extra.length > 0) throw new ConfigError(`Usage: ${usage}.`);
  const demo = demos.find((d) => d.id === which || String(d.number) === which);
  if (!demo) throw new ConfigError(`There is no demo "${which}"; use ${usage}.`);
  const dest = path.resolve(target);
  if (existsSync(dest) && readdirSync(dest).length > 0) {
    throw new ConfigError(`${dest} already exists and is not empty: pick a new folder for the copy.`);
  }
  if (isInside(dest, repoRoot)) {
    throw new ConfigError(
      `${dest} is inside this repository; eject to a folder outside it (e.g. ../my-agent).`,
    );
  }

  const copy = planCopy(demo);
  mkdirSync(dest, { recursive: true });
  for (const [from, to] of copy.files) {
    const out = path.join(dest, to);
    mkdirSync(path.dirname(out), { recursive: true });
    if (SOURCE.test(from) || from.endsWith(".md")) writeFileSync(out, adapt(from, to, copy.files, demo));
    else copyFileSync(from, out);
  }
  writeProjectFiles(dest, demo, copy);
  console.log(`Ejected demo ${demo.id} to ${dest} (${copy.files.size} files).`);
  console.log("Next:");
  console.log(`  cd ${shownPath(dest)}`);
  console.log("  npm install");
  console.log(
    "  npm start          # create-agent, then chat (the embedded emulator unless .env sets an endpoint)",
  );
  console.log("  npm test           # its tests, against its own emulator");
  console.log("  npm run reset      # delete what it created");
}

/** The folder as the user can best type it: relative only when it is inside the current one (and so shorter). */
function shownPath(dest: string): string {
  const rel = path.relative(process.cwd(), dest);
  return rel && isInside(dest, process.cwd()) ? rel : dest;
}

interface CopyPlan {
  /** repository path → path inside the copy */
  files: Map<string, string>;
  dependencies: Map<string, string>;
  devDependencies: Map<string, string>;
}

/** Where a repository file lives in the copy. */
function destination(file: string, demo: DemoEntry): string {
  const rel = path.relative(repoRoot, file).split(path.sep).join("/");
  const demoPrefix = `demos/${demo.id}/`;
  if (rel.startsWith(demoPrefix)) return rel.slice(demoPrefix.length);
  if (rel.startsWith("shared/src/")) return `lab/${rel.slice("shared/src/".length)}`;
  if (rel.startsWith("shared/test/")) return `lab/test/${rel.slice("shared/test/".length)}`;
  if (rel.startsWith("demos/")) return `lab/${rel.slice("demos/".length)}`;
  return rel; // emulator/…, mcp-servers/…, scripts/node-check.mjs
}

function planCopy(demo: DemoEntry): CopyPlan {
  const files = new Map<string, string>();
  const packages = new Map<string, { testOnly: boolean; owner: string }>();
  const queue: Array<{ file: string; test: boolean }> = [];
  /** source file → whether it has been queued from tests only */
  const queued = new Map<string, boolean>();
  const visit = (file: string, test: boolean) => {
    if (!files.has(file)) files.set(file, destination(file, demo));
    if (!SOURCE.test(file)) return;
    // A file first reached from a test may turn out to be needed by the sources too: then it is read
    // again, so that what it imports is a dependency (npm install --omit=dev keeps it), not a devDependency.
    const testOnly = queued.get(file);
    if (testOnly === undefined || (testOnly && !test)) {
      queued.set(file, test);
      queue.push({ file, test });
    }
  };

  for (const file of walk(demo.dir)) {
    if (path.basename(file) === "package.json") continue;
    visit(file, path.relative(demo.dir, file).startsWith("test"));
  }
  // The Node check the copy's launcher runs first, and the lab's traces page (`npm run traces`).
  for (const file of ["node-check.mjs", "node-check.d.mts", "src/traces.ts"])
    visit(path.join(repoRoot, "scripts", file), false);

  const wholeCopied = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next) break;
    const { file, test } = next;
    const source = readFileSync(file, "utf8");
    // Files a module reads next to itself (`new URL("../data/x.md", import.meta.url)`), a folder whole.
    for (const spec of assetsOf(source)) {
      const asset = path.resolve(path.dirname(file), spec);
      if (!existsSync(asset)) throw new Error(`${file} reads ${spec}, which does not exist.`);
      for (const f of statSync(asset).isDirectory() ? walk(asset) : [asset]) visit(f, test);
    }
    for (const spec of importsOf(source)) {
      if (spec.startsWith("node:")) continue;
      const resolved = resolveImport(spec, file);
      if (resolved.kind === "file") {
        const pkg = WHOLE_PACKAGES.find((p) => isInside(resolved.file, path.join(repoRoot, p)));
        if (pkg && !wholeCopied.has(pkg)) {
          wholeCopied.add(pkg);
          for (const sub of ["src", "data"]) {
            const dir = path.join(repoRoot, pkg, sub);
            if (existsSync(dir)) for (const f of walk(dir)) visit(f, test);
          }
        }
        visit(resolved.file, test);
      } else {
        const known = packages.get(resolved.name);
        packages.set(resolved.name, {
          testOnly: (known?.testOnly ?? true) && test,
          owner: known?.owner ?? importerOf(file),
        });
      }
    }
  }

  const lock = lockfileVersions();
  const versionOf = (name: string, owner: string): string | undefined =>
    lock.get(owner)?.get(name) ?? [...lock.values()].map((deps) => deps.get(name)).find(Boolean);
  const dependencies = new Map<string, string>();
  const devDependencies = new Map<string, string>();
  for (const [name, { testOnly, owner }] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const version = versionOf(name, owner);
    if (!version) throw new Error(`No locked version of ${name} (imported in ${owner}).`);
    (testOnly ? devDependencies : dependencies).set(name, version);
    // Its types, and those of its own dependencies: a package's declarations may use them (the MCP
    // SDK's server/express.js types need @types/express, which the SDK does not depend on).
    for (const typed of [name, ...installedDependencies(name, owner)]) {
      const types = `@types/${typed.replace(/^@/, "").replace("/", "__")}`;
      const typesVersion = versionOf(types, owner);
      if (typesVersion && !dependencies.has(types)) devDependencies.set(types, typesVersion);
    }
  }
  for (const name of ["typescript", "vitest", "@types/node"]) {
    const version = versionOf(name, ".");
    if (version && !dependencies.has(name)) devDependencies.set(name, version);
  }
  return { files, dependencies, devDependencies };
}

/** Every module specifier a file imports: static, re-exports, side-effect and literal dynamic imports. */
export function importsOf(source: string): string[] {
  const specs = new Set<string>();
  const patterns = [
    /(?:^|[\s;}])(?:import|export)\s[^"'`;]*?\sfrom\s*["']([^"']+)["']/g,
    /(?:^|[\s;])import\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) if (m[1]) specs.add(m[1]);
  return [...specs];
}

const ASSET_URL = /(\bnew URL\(\s*)(["'])(\.\.?\/[^"']*)\2(\s*,\s*import\.meta\.url\s*\))/g;

/** The relative files and folders a module names as `new URL("./…", import.meta.url)`, as bundlers read them. */
export function assetsOf(source: string): string[] {
  return [...source.matchAll(ASSET_URL)].map((m) => m[3] ?? "");
}

type Resolved = { kind: "file"; file: string } | { kind: "package"; name: string };

function resolveImport(spec: string, from: string): Resolved {
  if (spec.startsWith(".")) return { kind: "file", file: path.resolve(path.dirname(from), spec) };
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec);
  const sub = parts.slice(spec.startsWith("@") ? 2 : 1).join("/");
  const workspace = workspacePackages().get(name);
  if (workspace) {
    // Every workspace package exports "./*": "./src/*.ts".
    return { kind: "file", file: path.join(workspace, "src", `${sub}.ts`) };
  }
  return { kind: "package", name };
}

let workspaceCache: Map<string, string> | undefined;
function workspacePackages(): Map<string, string> {
  if (workspaceCache) return workspaceCache;
  workspaceCache = new Map();
  const dirs = [
    "shared",
    "emulator",
    "mcp-servers",
    "scripts",
    ...listDemos().map((d) => path.join("demos", d.id)),
  ];
  for (const dir of dirs) {
    const file = path.join(repoRoot, dir, "package.json");
    if (!existsSync(file)) continue;
    const { name } = JSON.parse(readFileSync(file, "utf8")) as { name: string };
    workspaceCache.set(name, path.join(repoRoot, dir));
  }
  return workspaceCache;
}

/** The dependencies a package installed for `owner` declares in its package.json. */
function installedDependencies(name: string, owner: string): string[] {
  const file = path.join(repoRoot, owner, "node_modules", name, "package.json");
  if (!existsSync(file)) return [];
  const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}

/** The lockfile importer (workspace folder, "." for the root) a file belongs to. */
function importerOf(file: string): string {
  for (const dir of workspacePackages().values()) {
    if (isInside(file, dir)) return path.relative(repoRoot, dir).split(path.sep).join("/");
  }
  return ".";
}

/**
 * The exact versions pnpm resolved, per importer, from pnpm-lock.yaml (`version: 7.57.0(ws@8.23.0)` →
 * `7.57.0`). Read by indentation: the lockfile's importers section is regular enough.
 */
function lockfileVersions(): Map<string, Map<string, string>> {
  const lines = readFileSync(path.join(repoRoot, "pnpm-lock.yaml"), "utf8").split("\n");
  const out = new Map<string, Map<string, string>>();
  let inImporters = false;
  let importer: Map<string, string> | undefined;
  let pkg: string | undefined;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      inImporters = line.startsWith("importers:");
      continue;
    }
    if (!inImporters) continue;
    const importerMatch = /^ {2}(\S.*):$/.exec(line);
    if (importerMatch?.[1]) {
      importer = new Map();
      out.set(importerMatch[1].replace(/^'|'$/g, ""), importer);
      continue;
    }
    const pkgMatch = /^ {6}(\S.*):$/.exec(line);
    if (pkgMatch?.[1]) {
      pkg = pkgMatch[1].replace(/^'|'$/g, "");
      continue;
    }
    const version = /^ {8}version: (\S+)/.exec(line)?.[1];
    if (version && pkg && importer && !version.startsWith("link:"))
      importer.set(pkg, version.replace(/\(.*$/, ""));
  }
  return out;
}

/** A copied source or Markdown file with its imports pointed at the copy and `pnpm <demo>` made npm. */
function adapt(from: string, to: string, files: Map<string, string>, demo: DemoEntry): string {
  let text = readFileSync(from, "utf8");
  if (SOURCE.test(from)) {
    const imported = new Set(importsOf(text));
    const rewrite = (spec: string): string => {
      if (spec.startsWith("node:") || !imported.has(spec)) return spec;
      const resolved = resolveImport(spec, from);
      if (resolved.kind === "package") return spec;
      const target = files.get(resolved.file);
      if (!target) throw new Error(`${from} imports ${spec}, which was not copied.`);
      const rel = path.posix.relative(path.posix.dirname(to), target);
      return rel.startsWith(".") ? rel : `./${rel}`;
    };
    text = text
      .replace(
        /(\sfrom\s*)(["'])([^"']+)\2/g,
        (_m, pre: string, q: string, spec: string) => `${pre}${q}${rewrite(spec)}${q}`,
      )
      .replace(
        /(\bimport\s*)(["'])([^"']+)\2/g,
        (_m, pre: string, q: string, spec: string) => `${pre}${q}${rewrite(spec)}${q}`,
      )
      .replace(
        /(\bimport\(\s*)(["'])([^"']+)\2/g,
        (_m, pre: string, q: string, spec: string) => `${pre}${q}${rewrite(spec)}${q}`,
      );
    text = text.replace(ASSET_URL, (_m, pre: string, q: string, spec: string, post: string) => {
      const target = destination(path.resolve(path.dirname(from), spec), demo);
      const rel = path.posix.relative(path.posix.dirname(to), target) + (spec.endsWith("/") ? "/" : "");
      return `${pre}${q}${rel.startsWith(".") ? rel : `./${rel}`}${q}${post}`;
    });
    text = applyPatches(to, text, demo);
    // Tests that name the demo's files by their repository path find them at the project root.
    text = text.replace(new RegExp(`(["'\`])demos/${demo.id}/`, "g"), "$1");
  }
  if (from.endsWith(".md")) text = standaloneMarkdown(text, from, to, files);
  // Commands of the lab become the copy's npm scripts, in code, messages, tests and docs alike. In prose, what
  // is left is a command of the whole lab (`pnpm reset:all`, `pnpm 1-tools`), which the copy does not have:
  // said as the lab's, so that a reader of the copy does not look for it among its scripts.
  const id = demo.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(/pnpm (traces|mcp-servers|emulator)\b/g, "npm run $1")
    .replace(new RegExp(`pnpm ${id}:reset`, "g"), "npm run reset")
    .replace(new RegExp(`pnpm ${id}:([a-z][a-z-]*)`, "g"), "npm run $1")
    .replace(new RegExp(`pnpm ${id}\\b`, "g"), "npm start")
    .replace(/`pnpm (?!install\b)([^`]+)`/g, (span) =>
      from.endsWith(".md") && !/[\\/]data[\\/]/.test(from) ? `${span} (in the lab)` : span,
    );
}

/**
 * The lab's navigation does not hold in a copy: a "Next: demo 2 …" paragraph is dropped, and a link is
 * pointed at the copied file, or (when what it names was not copied) left as its text alone.
 */
function standaloneMarkdown(text: string, from: string, to: string, files: Map<string, string>): string {
  return text
    .replace(/(^|\n\n)Next: demo \d[\s\S]*?(?=\n\n|\n*$)/g, "")
    .replace(/(!?)\[([^\]]+)\]\(([^)\s]+)\)/g, (link, image: string, label: string, href: string) => {
      if (image || /^([a-z]+:|#)/i.test(href)) return link;
      const [file = "", anchor = ""] = href.split(/(?=#)/);
      const target = files.get(path.resolve(path.dirname(from), file));
      if (!target) return label;
      return `[${label}](${path.posix.relative(path.posix.dirname(to), target) || "."}${anchor})`;
    });
}

/**
 * The few places where a shared helper knows it lives two folders below the repository root, or names
 * the demo after its folder: exact edits that fail loudly if the helper changed, so eject's test notices.
 */
function applyPatches(to: string, text: string, demo: DemoEntry): string {
  const id = JSON.stringify(demo.id);
  const patches: Record<string, Array<[string, string]>> = {
    "lab/config.ts": [
      [
        'export const repoRoot = path.resolve(import.meta.dirname, "..", "..");',
        '// Ejected copy: lab/ sits directly in the project folder.\nexport const repoRoot = path.resolve(import.meta.dirname, "..");',
      ],
    ],
    "lab/lab.ts": [
      [
        "loadConfig({ id: path.basename(dir), dir, defaultAgentName })",
        `loadConfig({ id: ${id} /* the demo this project was ejected from */, dir, defaultAgentName })`,
      ],
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal in the helper's source
    "lab/state.ts": [["`${path.basename(demoDir)}${STATE_FILE}`", `\`\${${id}}\${STATE_FILE}\``]],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal in the helper's source
    "lab/errors.ts": [['`pnpm ${demo ?? "<n>-<name>"}`', '"npm start"']],
    "scripts/src/traces.ts": [["(e.g. pnpm 1-tools -- --otel)", "(npm start -- --otel)"]],
  };
  for (const [before, after] of patches[to] ?? []) {
    if (!text.includes(before))
      throw new Error(`eject: ${to} changed; update its patch (${before.slice(0, 60)}…).`);
    text = text.replace(before, after);
  }
  return text;
}

function writeProjectFiles(dest: string, demo: DemoEntry, copy: CopyPlan): void {
  const demoPkg = JSON.parse(readFileSync(path.join(demo.dir, "package.json"), "utf8")) as {
    description?: string;
    scripts?: Record<string, string>;
  };
  const sorted = (m: Map<string, string>) =>
    Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
  const name =
    path
      .basename(dest)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[._-]+/, "") || "my-agent";
  const copied = [...copy.files.values()];
  const hasEmulator = copied.some((f) => f.startsWith("emulator/"));
  const hasMcpServers = copied.some((f) => f.startsWith("mcp-servers/"));
  const pkg = {
    name,
    version: "0.1.0",
    private: true,
    description: `${demoPkg.description ?? demo.id} (ejected from the Foundry Agent Lab, demo ${demo.id})`,
    type: "module",
    engines: { node: ">=22.19.0" },
    scripts: {
      // Each step that connects to the project goes through the copy's launcher, as the lab's
      // \`pnpm <demo>:<step>\` goes through the lab's: the Node check first, and a bad flag is one sentence
      // (exit 2), not a stack trace. Like there, \`<step>\` is src/<step>.ts where that exists (demo 8's
      // serve is src/serve.ts, which its README describes; its package script runs the container's entry).
      ...Object.fromEntries(
        Object.entries(demoPkg.scripts ?? {}).map(([name, command]) => {
          const step = existsSync(path.join(demo.dir, "src", `${name}.ts`))
            ? name
            : /^node src\/([a-z][a-z-]*)\.ts$/.exec(command)?.[1];
          const file = path.join(demo.dir, "src", `${step}.ts`);
          const connects = step && importsOf(readFileSync(file, "utf8")).includes("@lab/shared/lab");
          return [name, connects ? `node scripts/lab.mjs ${step}` : command];
        }),
      ),
      // In the lab, a demo's start goes through the repository's launcher; here, through the copy's own.
      start: "node scripts/lab.mjs",
      ...(hasEmulator ? { emulator: "node scripts/lab.mjs emulator" } : {}),
      ...(hasMcpServers ? { "mcp-servers": "node scripts/lab.mjs mcp-servers" } : {}),
      traces: "node scripts/lab.mjs traces",
      test: "vitest run",
      typecheck: "tsc --noEmit",
    },
    dependencies: sorted(copy.dependencies),
    devDependencies: sorted(copy.devDependencies),
  };
  write(dest, "package.json", `${JSON.stringify(pkg, null, 2)}\n`);

  const base = JSON.parse(readFileSync(path.join(repoRoot, "tsconfig.base.json"), "utf8")) as object;
  const include = ["src", "test", "lab", "scripts", "emulator/src", "mcp-servers/src"].filter((dir) =>
    existsSync(path.join(dest, dir)),
  );
  write(
    dest,
    "tsconfig.json",
    `${JSON.stringify({ ...base, include, exclude: ["node_modules", ".lab"] }, null, 2)}\n`,
  );
  write(
    dest,
    "vitest.config.ts",
    `import { defineConfig } from "vitest/config";

// The tests run the real SDKs against this project's own emulator, and the demo as a child process.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
`,
  );
  write(dest, ".gitignore", "node_modules/\n.lab/\n.env\n.lab-state.json*\ntranscripts/\noutput/\n");
  write(dest, "scripts/lab.mjs", launcher(demo, hasEmulator, hasMcpServers));

  const rootSample = readFileSync(path.join(repoRoot, ".env.sample"), "utf8");
  const demoSample = existsSync(path.join(demo.dir, ".env.sample"))
    ? readFileSync(path.join(demo.dir, ".env.sample"), "utf8")
    : "";
  write(
    dest,
    ".env.sample",
    `${rootSample.trimEnd()}\n\n${demoSample.replace(/^#[^\n]*\n/, "# This demo's own settings.\n")}`,
  );

  const readme = existsSync(path.join(dest, "README.md"))
    ? readFileSync(path.join(dest, "README.md"), "utf8")
    : "";
  const testNeeds = {
    tmux: copied.includes("lab/test/tmux.ts"),
    chromium: "playwright-core" in pkg.devDependencies,
  };
  write(
    dest,
    "README.md",
    `${readme.trimEnd()}\n\n${projectSection(demo, pkg.scripts, hasEmulator, testNeeds)}`,
  );
}

function write(dest: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
  writeFileSync(path.join(dest, file), text);
}

/** The copy's entry point: the Node check first, then create-agent and chat in one process. */
function launcher(demo: DemoEntry, hasEmulator: boolean, hasMcpServers: boolean): string {
  const hasChat = existsSync(path.join(demo.dir, "src", "chat.ts"));
  return `#!/usr/bin/env node
// npm start: create-agent, then ${hasChat ? "chat" : "run"}, in one process (one start-up, one emulator), like
// the lab's numbered script. \`node scripts/lab.mjs <step>\` runs src/<step>.ts alone (npm run reset, …).
// Plain JavaScript so that an old Node reaches the version check instead of a syntax error.
import { existsSync } from "node:fs";
import { nodeVersionProblem } from "./node-check.mjs";

const problem = nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(\`\${problem}\\n\`);
  process.exit(2);
}

// \`npm start -- --log\` arrives as just the flags: they belong to the demo's default steps.
const given = process.argv.slice(2);
const [command = "${demo.id}", ...rest] = given[0]?.startsWith("-") ? ["${demo.id}", ...given] : given;
// The demo reads its own flags (chat --log …) from process.argv.
process.argv = [process.argv[0], process.argv[1], ...rest.filter((a) => a !== "--")];
// A usage error or a failed call is one sentence and an exit code, never a stack trace (LAB_DEBUG=1 adds it).
(await import("../lab/lab.ts")).installErrorHandlers();

// The lab's own tools that came with the copy; everything else is a step of the demo (src/<step>.ts).
const tools = {
  traces: async () => (await import("./src/traces.ts")).traces(),${hasEmulator ? `\n  emulator: () => import("../emulator/src/main.ts"),` : ""}${hasMcpServers ? `\n  "mcp-servers": () => import("../mcp-servers/src/main.ts"),` : ""}
};
if (Object.hasOwn(tools, command)) await tools[command]();
else await runSteps();

async function runSteps() {
  const match = /^(?:${demo.id}|start)(?::([a-z][a-z-]*))?$/.exec(command) ?? /^()([a-z][a-z-]*)$/.exec(command);
  if (!match) {
    process.stderr.write(\`Unknown command "\${command}": use npm start, or npm run <step> (see package.json).\\n\`);
    process.exit(2);
  }
  const steps = match[1] ? [match[1]] : match[2] ? [match[2]] : ["create-agent", "${hasChat ? "chat" : "run"}"];
  if (steps.length > 1) await checkFlags();
  for (const step of steps) await import(\`../src/\${step}.ts\`);
}

// A usage error comes before create-agent creates anything (the demo's own flags are in src/args.ts).
async function checkFlags() {
  const own = new URL("../src/args.ts", import.meta.url);
  if (existsSync(own)) (await import(own.href)).readArgs();
  else (await import("../lab/chat.ts")).chatArgs();
}
`;
}

/** What each of the copy's npm scripts does, for its README (a demo's own ones as its README says). */
function scriptLines(demo: DemoEntry, scripts: Record<string, string>): string[] {
  const readme = readFileSync(path.join(demo.dir, "README.md"), "utf8");
  const id = demo.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const said = (script: string) => new RegExp(`^pnpm ${id}:${script}\\s+#\\s*(.+)$`, "m").exec(readme)?.[1];
  const hasChat = existsSync(path.join(demo.dir, "src", "chat.ts"));
  const known: Record<string, string> = {
    start: `create-agent, then ${hasChat ? "chat" : "run"} (flags after --, e.g. npm start -- --otel)`,
    "create-agent": "the first step alone: create the agent (a new version only when it changed)",
    chat: "the second step alone, with the agent create-agent made",
    reset: "delete what it created (safe to run twice)",
    emulator: "the emulator on its own, in the foreground",
    "mcp-servers": "the local MCP servers on their own, in the foreground",
    traces: "a page on 127.0.0.1 showing the traces of runs with --otel",
    test: "the demo's tests, against its own emulator",
    typecheck: "strict tsc over everything",
  };
  const order = ["start", "create-agent", "chat"];
  const names = [
    ...order.filter((n) => scripts[n]),
    ...Object.keys(scripts).filter((n) => !order.includes(n) && !["test", "typecheck"].includes(n)),
    "test",
    "typecheck",
  ];
  const alone = (n: string) => {
    const step = /^node scripts\/lab\.mjs ([a-z-]+)$/.exec(scripts[n] ?? "")?.[1];
    return step ? `src/${step}.ts alone` : scripts[n];
  };
  const command = (n: string) => (n === "start" || n === "test" ? `npm ${n}` : `npm run ${n}`);
  const width = Math.max(...names.map((n) => command(n).length)) + 2;
  return [
    "npm install",
    ...names.map((n) => `${command(n).padEnd(width)}# ${known[n] ?? said(n) ?? alone(n)}`),
  ];
}

function projectSection(
  demo: DemoEntry,
  scripts: Record<string, string>,
  hasEmulator: boolean,
  testNeeds: { tmux: boolean; chromium: boolean },
): string {
  const needs = [
    testNeeds.tmux ? "a real terminal through tmux" : "",
    testNeeds.chromium ? "the web page in Chromium (`/usr/bin/chromium`, driven by playwright-core)" : "",
  ].filter(Boolean);
  return `## This project (ejected from the Foundry Agent Lab, demo ${demo.id})

A standalone copy of one demo, to grow into your own agent. It needs nothing from the lab's repository.

\`\`\`bash
${scriptLines(demo, scripts).join("\n")}
\`\`\`

- \`src/\`: the demo, unchanged apart from its imports. \`lab/\`: the lab's shared helpers it uses (config
  and .env, the credential and clients, the terminal chat, errors, state), copied in and yours to edit.
- Settings: \`cp .env.sample .env\` and set \`FOUNDRY_PROJECT_ENDPOINT\` for your Foundry project; state is
  kept in \`.lab-state.json\`.
${
  needs.length > 0
    ? `- \`npm test\` needs more than npm: its tests drive ${needs.join(", and ")}. Install ${[testNeeds.tmux ? "tmux" : "", testNeeds.chromium ? "Chromium" : ""].filter(Boolean).join(" and ")} first (e.g. \`sudo apt-get install ${[testNeeds.tmux ? "tmux" : "", testNeeds.chromium ? "chromium" : ""].filter(Boolean).join(" ")}\`); nothing is downloaded at test time, and without them those tests are skipped.
`
    : ""
}${
  hasEmulator
    ? `- **The emulator**: with no endpoint set, \`npm start\` runs against \`emulator/\`, a copy of the lab's local
  Foundry project emulator, started inside the process like in the lab (\`npm run emulator\` runs it on its
  own). It is copied in rather than installed because it is not published to npm, and so that the project
  stays fully usable offline and its tests need no cloud account. Delete \`emulator/\` (and its dependencies:
  \`@modelcontextprotocol/sdk\`, \`node-forge\`, \`zod\` if nothing else uses them) once you only use Azure;
  \`lab/lab.ts\` imports it only when no endpoint is set, but \`lab/test/support.ts\` needs it for the tests.
`
    : ""
}- Node.js 22.19 or newer (\`scripts/node-check.mjs\` says so before anything else runs).
`;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry) || entry.startsWith(".lab-state") || entry === ".env") continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
