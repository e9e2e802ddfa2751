/**
 * Every demo's `pnpm eject` copy, verified from a clean folder the way a developer uses it: plain
 * `npm install` from the registry, `npm run typecheck`, the copy's own `npm test`, `npm start -- <flag>`
 * for each flag its README shows (piped stdin), `npm run traces` after a `--otel` run, and `npm run reset`.
 * The demos are spread over a few test files (eject-copies-<n>.test.ts) so that vitest's workers verify
 * several copies at once; a demo added to the lab lands in one of them by itself.
 *
 * Everything the copies run talks to 127.0.0.1 only (their own emulator, MCP servers and test fixtures;
 * demo 1's weather pointed at a closed local port), apart from npm install, which talks to the registry.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closedPort, runLab, spawnCollected, tempDir } from "../../shared/test/support.ts";
import { hasTmux } from "../../shared/test/tmux.ts";
import { type DemoEntry, listDemos } from "../src/demos.ts";
import { importsOf } from "../src/eject.ts";

/** How many eject-copies-<n>.test.ts files share the demos. */
export const COPY_GROUPS = 5;

const CHROMIUM = "/usr/bin/chromium";
const INSTALL_MS = 300_000;
const STEP_MS = 180_000;
/** A copy's whole `npm test` (demo 8's runs 70-odd tests; demo 4's drive Chromium), on a loaded machine. */
const TEST_MS = 600_000;

/** The demos group `n` (1-based) verifies: every COPY_GROUPS-th demo, so slow and quick ones mix. */
export function demosOfGroup(n: number): DemoEntry[] {
  return listDemos().filter((_, i) => i % COPY_GROUPS === n - 1);
}

/** The environment of a developer's shell: nothing of this repository, of vitest or of npm's own run. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(VITEST|NODE_OPTIONS|FOUNDRY_|AZURE_AI_|PROJECT_ENDPOINT|MODEL_DEPLOYMENT|LAB_|EMULATOR_|AGENT_NAME|WEATHER_|TRACES_|npm_)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  // node first on PATH: npm's scripts run `node` and must get this one, not an older system Node.
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  return { ...env, ...extra };
}

function sh(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnCollected("npm", args, { cwd, env: cleanEnv(options.env), input: options.input });
}

/** Registers the checks of each demo in group `n`; each demo's steps run in order on one copy. */
export function describeEjectedCopies(n: number): void {
  const demos = demosOfGroup(n);
  it("has demos to verify", () => expect(demos.length).toBeGreaterThan(0));
  for (const demo of demos) describeCopy(demo);
}

function describeCopy(demo: DemoEntry): void {
  describe(`ejected ${demo.id}`, () => {
    const folder = tempDir("lab-eject-");
    const copy = path.join(folder, `my-${demo.id}`);
    // A copy with its node_modules is some 350 MB: gone once its checks are done.
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    let env: NodeJS.ProcessEnv = {};
    let readme = "";
    let scripts: Record<string, string> = {};

    it("ejects: exact pins, every npm script shown in its README, nothing of the lab", async () => {
      const ejected = await runLab(["eject", demo.id, copy]);
      expect(ejected.stderr).toBe("");
      expect(ejected.code).toBe(0);
      expect(ejected.stdout).toContain(`Ejected demo ${demo.id} to ${copy}`);
      const pkg = JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8")) as {
        name: string;
        scripts: Record<string, string>;
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
      expect(pkg.name).toBe(`my-${demo.id}`);
      for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
        expect(version, name).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/); // exact pins (a prerelease too)
      expect(Object.keys(pkg.scripts)).toEqual(
        expect.arrayContaining(["start", "create-agent", "reset", "test", "typecheck", "traces"]),
      );
      readme = readFileSync(path.join(copy, "README.md"), "utf8");
      scripts = pkg.scripts;
      for (const script of Object.keys(pkg.scripts)) {
        const command = script === "start" || script === "test" ? `npm ${script}` : `npm run ${script}`;
        expect(readme, `${demo.id}'s README shows ${command}`).toMatch(new RegExp(`^${command}\\s`, "m"));
      }
      for (const [, named] of readme.matchAll(/npm run ([a-z][a-z:-]*)/g))
        expect(pkg.scripts, `${demo.id}'s README names npm run ${named}`).toHaveProperty([named ?? ""]);
      // What npm test needs beyond npm is said where a developer looks first.
      const tests = sourcesUnder(path.join(copy, "test")).join("\n");
      if (tests.includes("lab/test/tmux.ts")) expect(readme).toMatch(/npm test` needs more than npm.*tmux/);
      if (tests.includes(CHROMIUM)) expect(readme).toMatch(/npm test` needs more than npm.*Chromium/);
      // Nothing points back into the lab: no workspace packages, no import of its folders.
      expect(JSON.stringify(pkg)).not.toMatch(/workspace:|"@lab\//);
      for (const file of sourcesUnder(copy))
        for (const spec of importsOf(readFileSync(file, "utf8"))) {
          expect(spec, file).not.toMatch(/^@lab\//);
          if (spec.startsWith(".")) expect(path.resolve(path.dirname(file), spec), file).toContain(copy);
        }

      env = {
        // The copy's shared MCP servers (demos 6, 7): free ports, and gone soon after the test.
        LAB_ISSUES_MCP_PORT: String(await closedPort()),
        LAB_REPO_MCP_PORT: String(await closedPort()),
        LAB_MCP_IDLE_EXIT_MS: "5000",
        // Demo 1's weather (in demos 1, 2, 9): a closed local port rather than the internet.
        WEATHER_GEOCODING_URL: `http://127.0.0.1:${await closedPort()}/v1/search`,
        WEATHER_FORECAST_URL: `http://127.0.0.1:${await closedPort()}/v1/forecast`,
        // Servers on free ports: the traces page, demo 4's web page, demo 8's agent server.
        TRACES_PORT: "0",
        DEMO4_PORT: "0",
        PORT: "0",
      };
    });

    it("npm install: plain, from the registry", { timeout: INSTALL_MS }, async () => {
      const install = await sh(copy, ["install", "--prefer-offline", "--no-audit", "--no-fund"]);
      expect(install.code, install.stderr).toBe(0);
    });

    it("npm run typecheck", { timeout: STEP_MS }, async () => {
      const typecheck = await sh(copy, ["run", "--silent", "typecheck"]);
      expect(typecheck.stdout + typecheck.stderr).toBe("");
      expect(typecheck.code).toBe(0);
    });

    it("npm test: the copy's own tests pass, none skipped on a machine with tmux and Chromium", {
      timeout: TEST_MS,
    }, async () => {
      const tests = await sh(copy, ["test"]);
      expect(tests.code, tests.stdout.slice(-4000) + tests.stderr.slice(-2000)).toBe(0);
      expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);
      if (hasTmux() && existsSync(CHROMIUM)) expect(tests.stdout).not.toMatch(/Tests .*\d+ skipped/);
    });

    it("a misspelt flag is one sentence (exit 2) and creates nothing", { timeout: STEP_MS }, async () => {
      const bogus = await sh(copy, ["start", "--", "--bogus"], { env });
      expect(bogus.code, bogus.stdout + bogus.stderr).toBe(2);
      expect(bogus.stderr).toContain("Unknown option '--bogus'.");
      expect(bogus.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(copy, ".lab-state.json"))).toBe(false);
      const step = await sh(copy, ["run", "reset", "--", "--bogus"], { env });
      expect(step.stderr).not.toMatch(/\n\s+at /);
    });

    it("npm start, and npm start -- <each flag its README shows>, with piped stdin", {
      timeout: TEST_MS,
    }, async () => {
      const commands = documentedStarts(readme);
      expect(commands, demo.id).toContainEqual(["--otel"]);
      for (const args of [[], ...commands]) {
        const what = `${demo.id}: npm start ${args.length ? `-- ${args.join(" ")}` : ""}`;
        const start = await sh(copy, ["start", ...(args.length ? ["--", ...args] : [])], {
          input: "hello\n",
          env,
        });
        const output = `${what}\n${start.stdout}${start.stderr}`;
        expect(start.stderr, output).not.toMatch(/\n\s+at /);
        if (demo.number === 2) {
          // A full-screen app: with piped stdin it says it needs a terminal before it creates anything (its
          // own npm test drives it in tmux); its create-agent step runs on its own.
          expect(start.code, output).toBe(2);
          expect(start.stderr, output).toContain("needs a terminal");
          expect(start.stdout, output).not.toContain("Created agent");
          const created = await sh(copy, ["run", "create-agent"], { env });
          expect(created.code, `${what}\n${created.stdout}${created.stderr}`).toBe(0);
          expect(created.stdout).toMatch(/agent desktop-weather-agent version 1\b/i);
          continue;
        }
        if (demo.number === 9 && args.includes("--all")) {
          // Every demo of the lab: a copy of demo 9 alone says so before it creates anything.
          expect(start.code, output).toBe(2);
          expect(start.stderr, output).toContain("--all checks every demo of the lab");
          expect(start.stdout, output).not.toContain("Created agent");
          continue;
        }
        expect(start.code, output).toBe(0);
        expect(start.stdout, output).toMatch(/backend: emulator \(embedded\)/);
        if (args.includes("--trace")) expect(start.stdout, output).toContain("· response.created");
        if (args.includes("--approve-all")) expect(start.stdout, output).toMatch(/approv/i);
        if (args.includes("--otel") || demo.number === 9)
          expect(start.stdout, output).toContain("tracing: on → the emulator (see them with npm run traces)");
        if (demo.number === 9) expect(start.stdout, output).toMatch(/pass rate \d+%/);
      }
      // The --otel run's spans, on the page the copy's README offers (demo 2 never chatted: an empty list).
      let runs: unknown;
      const traces = await runScript(copy, "traces", env, async (url) => {
        const res = await fetch(new URL("api/runs", url));
        expect(res.status).toBe(200);
        runs = ((await res.json()) as { runs: unknown }).runs;
      });
      expect(traces.served, traces.output).toBeDefined();
      expect(Array.isArray(runs), demo.id).toBe(true);
      if (demo.number !== 2) expect((runs as unknown[]).length, demo.id).toBeGreaterThan(0);
    });

    it("npm run <each step script>: a one-shot step exits 0, a server answers on 127.0.0.1", {
      timeout: TEST_MS,
    }, async () => {
      const general = ["start", "test", "typecheck", "reset", "traces", "emulator", "mcp-servers"];
      const steps = Object.keys(scripts).filter((name) => !general.includes(name));
      expect(steps).toContain("create-agent");
      for (const script of steps) {
        // Demo 8's chat talks to a running agent server: its README runs it beside `npm run serve`.
        if (demo.number === 8 && script === "chat") continue;
        const result = await runScript(copy, script, env, async (url) => {
          const res = await fetch(url);
          expect(res.status, `${script}: GET ${url}`).toBeLessThan(500);
          if (demo.number !== 8 || script !== "serve") return;
          const chat = await sh(copy, ["run", "chat"], { input: "Convert 10 km to miles\n", env });
          expect(chat.code, chat.stdout + chat.stderr).toBe(0);
          expect(chat.stdout).toContain("10 km = 6.214 mi");
        });
        const what = `${demo.id}: npm run ${script}\n${result.output}`;
        expect(result.output, what).not.toMatch(/\n\s+at /);
        if (result.served) continue; // a server (web, serve): it answered, then it was stopped
        if (demo.number === 2 && script === "chat") {
          expect(result.code, what).toBe(2); // the full-screen app, without a terminal
          continue;
        }
        expect(result.code, what).toBe(0);
      }
    });

    it("npm run reset deletes what it created, twice in a row", { timeout: STEP_MS }, async () => {
      for (const round of [1, 2]) {
        const reset = await sh(copy, ["run", "reset"], { env });
        expect(reset.code, `round ${round}: ${reset.stdout}${reset.stderr}`).toBe(0);
        expect(reset.stderr).not.toMatch(/\n\s+at /);
      }
      const state = JSON.parse(readFileSync(path.join(copy, ".lab-state.json"), "utf8")) as {
        projects?: object;
      };
      expect(state.projects, "nothing is left recorded").toEqual({});
    });

    if (demo.number === 0) {
      it("after the reset, chatting first names the copy's own command", { timeout: STEP_MS }, async () => {
        const early = await sh(copy, ["run", "chat"], { input: "hi\n", env });
        expect(early.code).not.toBe(0);
        expect(early.stderr).toContain(
          'No agent "hello-agent" has been created here yet: run `npm start` (create-agent, then chat).',
        );
      });
    }

    if (demo.number === 1) {
      it("a template is for changing: a second function tool keeps its tests green", {
        timeout: TEST_MS,
      }, async () => {
        addSecondTool(path.join(copy, "src", "tools.ts"));
        const tests = await sh(copy, ["test"]);
        expect(tests.code, tests.stdout.slice(-4000)).toBe(0);
        expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);
      });
    }
  });
}

/** Every `npm start -- <args>` the README shows, in code blocks and inline, as argument lists. */
export function documentedStarts(readme: string): string[][] {
  const found = new Set<string>();
  for (const [, args] of readme.matchAll(/npm start -- ([^`#)\n]+)/g)) {
    const trimmed = (args ?? "").trim().replace(/[,.;:]$/, "");
    if (trimmed.startsWith("--")) found.add(trimmed);
  }
  return [...found].map((a) => a.split(/\s+/));
}

/**
 * `npm run <script>` with "hello" on stdin: how it ended, or, when it prints a 127.0.0.1 URL (a server),
 * that URL after `probe` ran against it, and then it is stopped.
 */
function runScript(
  copy: string,
  script: string,
  env: NodeJS.ProcessEnv,
  probe: (url: string) => Promise<void>,
): Promise<{ code: number | null; output: string; served?: string }> {
  const child = spawn("npm", ["run", script], { cwd: copy, env: cleanEnv(env), detached: true });
  child.stdin.end("hello\n");
  return new Promise((resolve, reject) => {
    let output = "";
    let served: string | undefined;
    let probed: Promise<void> = Promise.resolve();
    const onOutput = (chunk: string) => {
      output += chunk;
      const url = served ? undefined : /http:\/\/127\.0\.0\.1:\d+\/?/.exec(output)?.[0];
      if (!url) return;
      served = url;
      probed = probe(url).finally(() => stop(child));
    };
    child.stdout.setEncoding("utf8").on("data", onOutput);
    child.stderr.setEncoding("utf8").on("data", onOutput);
    child.on("error", reject);
    child.on("close", (code) => probed.then(() => resolve({ code, output, served }), reject));
  });
}

/** npm starts node in a process group of its own: stop both. */
function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}

function sourcesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (entry === "node_modules" || entry === ".lab") return [];
    if (statSync(full).isDirectory()) return sourcesUnder(full);
    return /\.(ts|tsx|mts|mjs)$/.test(entry) ? [full] : [];
  });
}

/** Demo 1's tools with a second function tool before get_weather, as a developer would add one. */
function addSecondTool(toolsFile: string): void {
  const tools = readFileSync(toolsFile, "utf8");
  const anchor = "  return {\n    get_weather: {";
  expect(tools).toContain(anchor);
  writeFileSync(
    toolsFile,
    tools.replace(
      anchor,
      `  return {
    get_local_time: {
      definition: {
        type: "function",
        name: "get_local_time",
        description: "The current local time in an IANA time zone, e.g. Europe/Oslo.",
        strict: true,
        parameters: {
          type: "object",
          properties: { zone: { type: "string", description: "IANA time zone name." } },
          required: ["zone"],
          additionalProperties: false,
        },
      },
      run: async (args) => ({ zone: args.zone, time: new Date().toLocaleTimeString("en-GB", { timeZone: String(args.zone) }) }),
    },
    get_weather: {`,
    ),
  );
}
