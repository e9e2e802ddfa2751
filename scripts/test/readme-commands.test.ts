/**
 * Every command the READMEs show, run exactly as written (with the real `pnpm`, from the folder it
 * implies), proves it reaches the lab's own code: LAB_COMMAND_PROBE=1 makes scripts/lab.mjs name the
 * command it received and stop. A pnpm built-in or a system program of the same name (`pnpm doctor`,
 * `pnpm reset` before the lab had a `reset` script) never prints that line, so this test fails on it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Collected, repoRoot, spawnCollected } from "../../shared/test/support.ts";
import { listDemos } from "../src/demos.ts";

const READMES = [
  "README.md",
  "scripts/README.md",
  "emulator/README.md",
  "mcp-servers/README.md",
  ...listDemos().map((d) => path.relative(repoRoot, path.join(d.dir, "README.md"))),
];

/** Commands that are not the lab's code, each with the reason it is not probed here. */
const NOT_LAB: Array<[RegExp, string]> = [
  [/^pnpm install\b/, "pnpm's own install"],
  [/^pnpm deploy\b/, "pnpm's own deploy, used on purpose inside demo 8's Dockerfile"],
  [
    /^pnpm (typecheck|lint)$/,
    "a root script that runs tsc / biome directly; .ci/run runs it on every change",
  ],
  [/^npm install -g pnpm@/, "installs pnpm itself, globally (another route than npm run lab:setup)"],
  [
    /^npm install --prefix \.tools /,
    "downloads Node and pnpm from the npm registry: what npm run lab:setup runs",
  ],
  [/^npm (install|start|test|run reset)$/, "an ejected copy's npm script: scripts/test/ejected-copy.ts"],
  [/^az /, "needs Azure (the Azure CLI)"],
  [/^docker /, "needs Docker and a container registry (demo 8 on Azure)"],
  [/^cp \.env\.sample \.env$/, "a file copy (the sample itself is read by config.test.ts)"],
  [/^node src\/server\.ts$/, "demo 8's server inside its container image (tested as pnpm 8-hosted:serve)"],
];

/** Commands a README names to warn against: they must keep *not* reaching the lab (pnpm decides). */
const WARNED_AGAINST = new Map([
  ["pnpm doctor", "builtin"], // pnpm's own check; not run here, it contacts the npm registry
  ["pnpm 0-helo", "not found"], // a misspelt demo name: pnpm's "Command not found"
]);

interface Documented {
  /** The command as the README writes it, comments removed. */
  text: string;
  readme: string;
}

/** Code-block lines and inline code spans that start with a command (after optional VAR=value words). */
export function documentedCommands(markdown: string, readme: string): Documented[] {
  const found: string[] = [];
  const command = /^(?:[A-Z_]+=\S+\s+)*(?:pnpm|npm|npx|node|cd|az|cp|docker)\s+\S/;
  let inBlock = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      inBlock = !inBlock;
      continue;
    }
    const candidates = inBlock
      ? [line.replace(/^\$\s+/, "")]
      : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
    for (const c of candidates) {
      const text = c.replace(/\s+#.*$/, "").trim();
      if (command.test(text)) found.push(text);
    }
  }
  return [...new Set(found)].map((text) => ({ text, readme }));
}

/** `pnpm reset:all [-- --dry-run]` is two commands; `<placeholders>` are patterns, not commands. */
function expand(text: string): string[] {
  if (/<[^>]+>/.test(text)) return [];
  const optional = /\s*\[([^\]]+)\]/.exec(text);
  if (!optional) return [text];
  const without = text.replace(optional[0], "");
  const withIt = text.replace(optional[0], ` ${optional[1]}`);
  return [...expand(without), ...expand(withIt)];
}

/** pnpm's own command names and aliases, read from `pnpm help` (a built-in wins over a script). */
async function pnpmBuiltins(): Promise<Set<string>> {
  const { stdout } = await sh("pnpm", ["help"], repoRoot, {});
  const names = new Set<string>();
  for (const m of stdout.matchAll(/^ {2}([a-z][a-z-]*)\s+(.*)$/gm)) {
    names.add(m[1] ?? "");
    for (const alias of /\[aliases?: ([^\]]+)\]/.exec(m[2] ?? "")?.[1]?.split(/,\s*/) ?? []) names.add(alias);
  }
  return names;
}

type Outcome = Collected;

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return spawnCollected(cmd, args, { cwd, env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", ...env } });
}

const scriptsIn = (folder: string) =>
  (JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts;

/** Runs one documented command line (`A && B`, `VAR=x pnpm …`, `cd folder && …`) with the probe on. */
async function probe(text: string): Promise<Array<{ part: string; cwd: string; outcome?: Outcome }>> {
  let cwd = repoRoot;
  const results: Array<{ part: string; cwd: string; outcome?: Outcome }> = [];
  for (const part of text.split(/\s*&&\s*/)) {
    const words = part.split(/\s+/);
    const env: NodeJS.ProcessEnv = { LAB_COMMAND_PROBE: "1" };
    while (/^[A-Z_]+=/.test(words[0] ?? "")) {
      const [name = "", ...value] = (words.shift() ?? "").split("=");
      env[name] = value.join("=");
    }
    if (words[0] === "cd") {
      cwd = path.resolve(cwd, words[1] ?? ".");
      continue;
    }
    const reason = NOT_LAB.find(([pattern]) => pattern.test(words.join(" ")))?.[1];
    if (reason) {
      results.push({ part, cwd });
      continue;
    }
    results.push({ part, cwd, outcome: await sh(words[0] ?? "", words.slice(1), cwd, env) });
  }
  return results;
}

describe("every command in the READMEs runs the lab's code", () => {
  const documented = READMES.flatMap((readme) =>
    documentedCommands(readFileSync(path.join(repoRoot, readme), "utf8"), readme),
  );
  const commands = [...new Set(documented.flatMap((d) => expand(d.text)))].filter(
    (c) => !WARNED_AGAINST.has(c),
  );

  it("finds the commands the READMEs show", () => {
    expect(commands).toEqual(expect.arrayContaining(["pnpm 0-hello", "pnpm lab:doctor", "pnpm reset:all"]));
    expect(commands.length).toBeGreaterThan(30);
  });

  it("warns against exactly what pnpm does not hand to the lab", async () => {
    const builtins = await pnpmBuiltins();
    expect(builtins).toContain("doctor"); // the reason the lab's check is lab:doctor
    expect(builtins).not.toContain("0-helo");
    const misspelt = await sh("pnpm", ["0-helo"], repoRoot, { LAB_COMMAND_PROBE: "1" });
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.stdout).not.toContain("lab command:");
    expect(`${misspelt.stdout}${misspelt.stderr}`).toMatch(/Command "0-helo" not found/);
  });

  it("names no pnpm built-in as a lab command", async () => {
    const builtins = await pnpmBuiltins();
    // A built-in that runs the package's script of the same name is fine (pnpm test, pnpm start).
    const runsScript = new Set(["test", "start", "run"]);
    const shadowed = commands
      .map((c) => /^(?:[A-Z_]+=\S+\s+)*pnpm ([^\s]+)/.exec(c)?.[1])
      .filter((name): name is string => !!name && builtins.has(name) && !runsScript.has(name))
      .filter((name) => !NOT_LAB.some(([pattern]) => pattern.test(`pnpm ${name}`)));
    expect(shadowed).toEqual([]);
  });

  it("runs each one, from the folder it implies, into scripts/lab.mjs", { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    const queue = [...commands];
    const worker = async () => {
      for (let text = queue.shift(); text !== undefined; text = queue.shift()) {
        for (const { part, cwd, outcome } of await probe(text)) {
          if (!outcome) continue;
          const words = part.split(/\s+/).filter((w) => !/^[A-Z_]+=/.test(w));
          const script = words[1] === "run" ? words[2] : words[1];
          const target = /lab\.mjs (\S+)/.exec(scriptsIn(cwd)[script ?? ""] ?? "")?.[1] ?? script;
          const args = words.slice(words[1] === "run" ? 3 : 2).filter((w) => w !== "--");
          const line = /^lab command: (.*)$/m.exec(outcome.stdout)?.[1];
          const expected = new RegExp(
            `^${escapeRegExp(target ?? "")}\\b.*${args.map(escapeRegExp).join(" ")}$`,
          );
          if (outcome.code !== 0 || !line || !expected.test(line)) {
            failures.push(
              `${part} (${text}): exit ${outcome.code}, ${line ? `reached "${line}"` : "never reached scripts/lab.mjs"}\n${outcome.stdout.slice(-300)}${outcome.stderr.slice(-300)}`,
            );
          }
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(failures).toEqual([]);
  });

  it("lists why the rest are not probed", async () => {
    const skipped = new Map<string, string>();
    for (const text of documented.map((d) => d.text)) {
      const words = text.split(/\s+/).filter((w) => !/^[A-Z_]+=/.test(w));
      const reason = NOT_LAB.find(([pattern]) => pattern.test(words.join(" ")))?.[1];
      if (reason) skipped.set(text, reason);
    }
    // Each exception names its reason; an exception nothing documents any more should be removed.
    for (const [pattern, reason] of NOT_LAB) {
      expect(
        [...skipped.keys()].some((c) => pattern.test(c)),
        `${pattern} (${reason}) is unused`,
      ).toBe(true);
    }
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
