/**
 * `pnpm eject`: every demo in this checkout becomes a standalone project. Demo 0 is verified the way a
 * developer uses it: plain `npm install` from the registry, `npx tsc --noEmit`, `npm test`, `npm start`
 * with piped stdin and `npm run reset`, all against the copy's own emulator. Every other demo is ejected,
 * installed (demo 6 from the registry; the rest linked to the packages this repository installed, the same
 * exact versions), then `npm run typecheck`, `npm start -- <every flag its README shows>` and
 * `npm run reset`; demo 2 (which differs most: it carries demo 1) and demo 1 with a second tool added
 * also pass `npm test`.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closedPort, repoRoot, run, runLab, spawnCollected, tempDir } from "../../shared/test/support.ts";
import { listDemos } from "../src/demos.ts";

/** A command in the copy, with an environment that knows nothing of this repository or of vitest. */
function sh(
  cwd: string,
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(VITEST|NODE_OPTIONS|FOUNDRY_|AZURE_AI_|PROJECT_ENDPOINT|MODEL_DEPLOYMENT|LAB_|EMULATOR_|AGENT_NAME|npm_)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  // node first on PATH: npm's scripts run `node` and must get this one, not an older system Node.
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  return spawnCollected(command, args, { cwd, env: { ...env, ...options.env }, input: options.input });
}

/** The copy's dependencies as links to the packages pnpm installed here (same versions, no download). */
function linkDependencies(copy: string): void {
  const pkg = JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const roots = [
    repoRoot,
    ...["shared", "emulator", "mcp-servers", "scripts"].map((d) => path.join(repoRoot, d)),
  ];
  roots.push(...listDemos().map((d) => d.dir));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const found = roots.map((r) => path.join(r, "node_modules", name)).find((p) => existsSync(p));
    if (!found) throw new Error(`${name} is not installed in this repository`);
    const link = path.join(copy, "node_modules", name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(realpathSync(found), link);
  }
}

describe("pnpm eject", () => {
  it("says where the copy is as it can be typed, and the copy's README leads nowhere outside it", async () => {
    const copy = path.join(tempDir("lab-eject-"), "weather");
    const ejected = await runLab(["eject", "1-tools", copy]);
    expect(ejected.code, ejected.stderr).toBe(0);
    // Outside the current folder: the absolute path, not a long relative one climbing out of it
    expect(ejected.stdout).toContain(`\n  cd ${copy}\n`);
    const readme = readFileSync(path.join(copy, "README.md"), "utf8");
    expect(readme).not.toMatch(/Next: demo/);
    // Demo 5's link to the emulator's README (not copied) is left as its words; its own data link stays.
    const rag = path.join(tempDir("lab-eject-"), "handbook");
    expect((await runLab(["eject", "5", rag])).code).toBe(0);
    const ragReadme = readFileSync(path.join(rag, "README.md"), "utf8");
    expect(ragReadme).toContain("(see the emulator README for");
    expect(ragReadme).toContain("[employee handbook](data/employee-handbook.md)");
    expect(ragReadme).not.toMatch(/\]\(\.\.\//);
    // Inside the current folder, the shorter relative path.
    const cwd = tempDir("lab-eject-cwd-");
    const inside = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["eject", "0", "sub/mine"], { cwd });
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain("\n  cd sub/mine\n");
  });

  it("demo 0: npm install, tsc, npm test, npm start and npm run reset work in the copy", {
    timeout: 240_000,
  }, async () => {
    const copy = path.join(tempDir("lab-eject-"), "my-agent");
    const ejected = await runLab(["eject", "0", copy]);
    expect(ejected.stderr).toBe("");
    expect(ejected.code).toBe(0);
    expect(ejected.stdout).toContain(`Ejected demo 0-hello to ${copy}`);

    const pkg = JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8"));
    expect(pkg.name).toBe("my-agent");
    expect(pkg.dependencies).toMatchObject({ "@azure/ai-projects": "2.10.0", openai: "7.57.0" });
    expect(JSON.stringify(pkg)).not.toMatch(/workspace:|@lab\//);
    for (const version of Object.values({ ...pkg.dependencies, ...pkg.devDependencies }))
      expect(version).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/); // exact pins (a prerelease too), no ranges
    const chat = readFileSync(path.join(copy, "src", "chat.ts"), "utf8");
    expect(chat).toContain('from "../lab/chat.ts"');
    for (const file of [
      ".env.sample",
      "README.md",
      "test/hello.e2e.test.ts",
      "lab/test/support.ts",
      "scripts/node-check.mjs",
      "emulator/src/server.ts",
    ])
      expect(existsSync(path.join(copy, file)), file).toBe(true);
    expect(readFileSync(path.join(copy, "README.md"), "utf8")).toContain(
      "## This project (ejected from the Foundry Agent Lab",
    );

    const install = await sh(copy, "npm", ["install", "--no-audit", "--no-fund"]);
    expect(install.code, install.stderr).toBe(0);
    const typecheck = await sh(copy, "npx", ["tsc", "--noEmit"]);
    expect(typecheck.stdout + typecheck.stderr).toBe("");
    expect(typecheck.code).toBe(0);

    const tests = await sh(copy, "npm", ["test"]);
    expect(tests.code, tests.stdout.slice(-3000)).toBe(0);
    expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);

    const start = await sh(copy, "npm", ["start"], { input: "My name is Ada.\nWhat is my name?\n" });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/backend: emulator \(embedded\)/);
    expect(start.stdout).toContain("Created agent hello-agent version 1");
    expect(start.stdout.slice(start.stdout.lastIndexOf("What is my name?"))).toContain("Ada");
    expect(existsSync(path.join(copy, ".lab", "emulator"))).toBe(true);
    const reset = await sh(copy, "npm", ["run", "reset"]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("agent hello-agent: deleted with all its versions");
    // After the reset, chatting first tells the user the copy's own command, not the lab's pnpm one.
    const early = await sh(copy, "npm", ["run", "chat"], { input: "hi\n" });
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain(
      'No agent "hello-agent" has been created here yet: run `npm start` (create-agent, then chat).',
    );
  });

  it("every other demo: ejects, type-checks, starts with every flag its README documents, and resets", {
    timeout: 420_000,
  }, async () => {
    const demos = listDemos().filter((d) => d.number !== 0);
    expect(demos.length).toBeGreaterThanOrEqual(7);
    const copies = new Map<string, string>();
    for (const demo of demos) {
      const copy = path.join(tempDir("lab-eject-"), demo.id);
      copies.set(demo.id, copy);
      const ejected = await runLab(["eject", demo.id, copy]);
      expect(ejected.code, `${demo.id}: ${ejected.stderr}`).toBe(0);
      const pkg = readFileSync(path.join(copy, "package.json"), "utf8");
      expect(pkg, demo.id).not.toMatch(/workspace:|"@lab\//);
      // Demo 6 installs from the registry like a developer would (a link to this repository's packages
      // would hide a missing @types package); the others link the same exact versions, to stay quick.
      if (demo.id === "6-mcp") {
        const install = await sh(copy, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"]);
        expect(install.code, install.stderr).toBe(0);
      } else {
        linkDependencies(copy);
      }
      const typecheck = await sh(copy, "npm", ["run", "--silent", "typecheck"]);
      expect(typecheck.stdout + typecheck.stderr, demo.id).toBe("");
      expect(typecheck.code, demo.id).toBe(0);
      const env = {
        EMULATOR_DATA_DIR: path.join(copy, ".lab", "emulator"),
        LAB_MCP_DATA_DIR: path.join(copy, ".lab", "mcp"),
        // The copy's shared MCP servers (demos 6, 7): free ports, and gone soon after the test.
        LAB_ISSUES_MCP_PORT: String(await closedPort()),
        LAB_REPO_MCP_PORT: String(await closedPort()),
        LAB_MCP_IDLE_EXIT_MS: "5000",
      };
      // Every `npm start -- --flag` the copy's README shows, all at once, through npm as written.
      const readme = readFileSync(path.join(copy, "README.md"), "utf8");
      const flags = [...new Set([...readme.matchAll(/npm start -- (--[a-z-]+)/g)].map((m) => m[1] ?? ""))];
      if (demo.number === 2) {
        // A full-screen app that refuses piped stdin by design (its own tmux test drives it): create-agent.
        expect(flags).toContain("--new");
        const created = await sh(copy, "npm", ["run", "create-agent"], { env });
        expect(created.code, `${demo.id}: ${created.stderr}`).toBe(0);
      } else if (demo.number === 9) {
        // An evaluation, not a chat: each documented command as written; --all needs the whole lab.
        const commands = [...readme.matchAll(/`npm start -- ([^`]+)`/g)].map((m) => (m[1] ?? "").split(" "));
        expect(commands.length, demo.id).toBeGreaterThan(0);
        for (const args of commands) {
          const run = await sh(copy, "npm", ["start", "--", ...args], { env });
          const what = `${demo.id} ${args.join(" ")}: ${run.stdout}${run.stderr}`;
          if (args.includes("--all")) {
            expect(run.code, what).toBe(2);
            expect(run.stderr, what).toContain("--all checks every demo of the lab");
            expect(run.stderr, what).not.toMatch(/\n\s+at /); // one sentence, no stack trace
          } else {
            expect(run.code, what).toBe(0);
            expect(run.stdout, what).toMatch(/backend: emulator \(embedded\)/);
          }
        }
      } else {
        // A misspelt flag is refused before create-agent runs: nothing is created, no state is written.
        const bogus = await sh(copy, "npm", ["start", "--", "--bogus"], { env });
        expect(bogus.code, `${demo.id}: ${bogus.stdout}${bogus.stderr}`).toBe(2);
        expect(bogus.stderr, demo.id).toContain("Unknown option '--bogus'.");
        expect(existsSync(path.join(copy, ".lab-state.json")), demo.id).toBe(false);
        const start = await sh(copy, "npm", ["start", "--", ...flags], { input: "hello\n", env });
        expect(start.code, `${demo.id} ${flags.join(" ")}: ${start.stderr}`).toBe(0);
        expect(start.stdout, demo.id).toMatch(/backend: emulator \(embedded\)/);
        if (flags.includes("--trace")) expect(start.stdout, demo.id).toContain("· response.created");
        if (flags.includes("--approve-all")) expect(start.stdout, demo.id).toMatch(/approv/i);
      }
      const reset = await sh(copy, "npm", ["run", "reset"], { env });
      expect(reset.code, `${demo.id}: ${reset.stderr}`).toBe(0);
    }
    expect(
      copies.get("6-mcp") && readFileSync(path.join(copies.get("6-mcp") ?? "", "README.md"), "utf8"),
    ).toContain("npm start -- --approve-all");
    // Demo 2 carries demo 1's agent, tools and loop with it, and its own tests pass in the copy.
    const two = copies.get("2-desktop") ?? "";
    expect(existsSync(path.join(two, "lab", "1-tools", "src", "tool-loop.ts"))).toBe(true);
    const twoTests = await sh(two, "npm", ["test"]);
    expect(twoTests.code, twoTests.stdout.slice(-3000)).toBe(0);
    expect(twoTests.stdout).toMatch(/Tests\s+\d+ passed/);

    // A template is for changing: a second function tool in demo 1 must not break the copy's own tests.
    const one = copies.get("1-tools") ?? "";
    const toolsFile = path.join(one, "src", "tools.ts");
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
    const oneTests = await sh(one, "npm", ["test"]);
    expect(oneTests.code, oneTests.stdout.slice(-3000)).toBe(0);
    expect(oneTests.stdout).toMatch(/Tests\s+\d+ passed/);
  });

  it("bad input: an unknown demo, a non-empty folder or missing arguments get one sentence (exit 2)", async () => {
    const unknown = await runLab(["eject", "42", tempDir()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no demo "42"');
    const full = tempDir();
    writeFileSync(path.join(full, "keep.txt"), "mine");
    const occupied = await runLab(["eject", "0", full]);
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toContain("already exists and is not empty");
    expect(readFileSync(path.join(full, "keep.txt"), "utf8")).toBe("mine");
    const missing = await runLab(["eject"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Usage: pnpm eject <demo> <folder>");
  });
});
