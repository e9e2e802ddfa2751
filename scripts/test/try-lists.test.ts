/**
 * Every demo README's "Try" list, word for word, against the emulator: each bullet's messages are typed
 * into the demo as written (a `pnpm …` in the bullet starts that command first, `/exit` leaves), and each
 * message gets an answer without an error. Demo 2, a full-screen app, is typed into a real terminal.
 * Demos 6 and 7 ask before each MCP call; piped stdin cannot answer, so they run with `--approve-all`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeatherFixture, type WeatherFixture } from "../../demos/1-tools/test/weather-fixture.ts";
import {
  closedPort,
  repoRoot,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../shared/test/tmux.ts";
import { listDemos } from "../src/demos.ts";

export interface TrySession {
  /** The lab command: `["0-hello"]`, `["1-tools", "--", "--trace"]`. */
  command: string[];
  inputs: string[];
}

/**
 * The sessions a README's Try list describes. A bullet that starts with a backticked message or command
 * is a recipe up to its first ":" or "→" outside backticks (after that it describes what you see).
 * Bullets that start a server (`:serve`, `:web`, `pnpm traces`) are left to their own tests.
 */
export function trySessions(markdown: string, demo: string): TrySession[][] {
  const section = /^## Try[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1] ?? "";
  const bullets = section.split(/^- /m).slice(1);
  const recipes: TrySession[][] = [];
  for (const bullet of bullets) {
    if (!bullet.startsWith("`")) continue;
    const sessions: TrySession[] = [];
    let serve = false;
    for (const part of bullet.split(/(`[^`]*`)/)) {
      if (!part.startsWith("`")) {
        if (/:\s|→/.test(part)) break;
        continue;
      }
      const text = part.slice(1, -1);
      if (text.startsWith("pnpm ")) {
        // Servers that run until Ctrl-C (`:serve`, `:web`, `pnpm traces`) have tests of their own.
        if (/:serve\b|:web\b|^pnpm traces\b/.test(text)) serve = true;
        sessions.push({ command: text.split(/\s+/).slice(1), inputs: [] });
        continue;
      }
      if (sessions.length === 0) sessions.push({ command: [demo], inputs: [] });
      sessions.at(-1)?.inputs.push(text); // `/exit` too: it ends that session, as typed
    }
    if (!serve && sessions.length > 0) recipes.push(sessions);
  }
  return recipes;
}

let backend: TestBackend;
let weather: WeatherFixture;
beforeAll(async () => {
  backend = await startBackend();
  weather = await startWeatherFixture();
});
afterAll(async () => {
  await weather?.close();
  await backend?.close();
});

const APPROVING = new Set(["6-mcp", "7-toolbox"]);

describe("every demo's Try list, word for word", () => {
  const demos = listDemos();

  it("finds a Try list in every demo's README", () => {
    for (const demo of demos) {
      const recipes = trySessions(readFileSync(path.join(demo.dir, "README.md"), "utf8"), demo.id);
      expect(recipes.length, `${demo.id} has no Try list`).toBeGreaterThan(0);
    }
  });

  for (const demo of demos) {
    it(`${demo.id}`, { timeout: 180_000 }, async () => {
      const recipes = trySessions(readFileSync(path.join(demo.dir, "README.md"), "utf8"), demo.id);
      const env = {
        ...backend.env,
        ...weather.env,
        LAB_STATE_DIR: tempDir("lab-try-"),
        LAB_MCP_DATA_DIR: tempDir("lab-try-mcp-"),
        LAB_ISSUES_MCP_PORT: String(await closedPort()),
        LAB_REPO_MCP_PORT: String(await closedPort()),
        DEMO4_OUTPUT_DIR: tempDir("lab-try-out-"),
        AGENT_NAME: `try-${demo.number}-${process.pid}`,
      };
      for (const sessions of recipes) {
        for (const { command, inputs } of sessions) {
          const what = `${demo.id}: pnpm ${command.join(" ")} ← ${JSON.stringify(inputs)}`;
          if (demo.number === 2 && command[0] === "2-desktop") {
            if (hasTmux()) await typeIntoDesktop(env, inputs, what);
            continue;
          }
          const args =
            APPROVING.has(command[0] ?? "") && !command[0]?.includes(":")
              ? [...command, ...(command.includes("--") ? [] : ["--"]), "--approve-all"]
              : command;
          const result = await runLab(args, { env, input: inputs, timeoutMs: 120_000 });
          expect(result.code, `${what}\n${result.stderr}`).toBe(0);
          expect(result.stderr, what).not.toMatch(/✖/);
          const messages = inputs.filter((i) => i !== "/exit");
          const answers = result.stdout.split("Agent ›").length - 1;
          expect(answers, `${what}\n${result.stdout.slice(-1500)}`).toBeGreaterThanOrEqual(messages.length);
        }
      }
    });
  }
});

async function typeIntoDesktop(env: NodeJS.ProcessEnv, inputs: string[], what: string): Promise<void> {
  const terminal = new TerminalSession(
    `lab-try-${process.pid}-${Date.now()}`,
    ["2-desktop"],
    {
      ...(env as Record<string, string>),
      LAB_ROOT_ENV: path.join(repoRoot, ".lab-no-root.env"),
      NO_COLOR: "1",
    },
    { columns: 100, rows: 30 },
  );
  try {
    await terminal.until((s) => s.includes("Enter send"), `${what}: the app`);
    let answered = 0;
    for (const input of inputs) {
      // Enter is ignored while an answer is still being finished ("answering…"): wait until it is idle.
      await terminal.until((s) => !s.includes("answering…"), `${what}: the app to be ready`, 60_000);
      // Keys typed in the instant the app first paints can be lost before it reads the keyboard (seen
      // under load): wait for the typed line to show, and type it again once if it does not.
      terminal.type(input);
      const echoed = await terminal
        .until((s) => s.includes(`You › ${input}`), `${what}: the typed line`, 5_000)
        .then(
          () => true,
          () => false,
        );
      if (!echoed) terminal.type(input);
      terminal.key("Enter");
      answered++;
      await terminal.until(
        (s) => s.split("served by").length - 1 >= answered,
        `${what}: the answer to ${input}`,
        60_000,
      );
    }
    expect(terminal.screen()).not.toMatch(/✖/);
    // Leave as a learner does, so the next session starts after this one has ended.
    terminal.key("C-c");
    await terminal.until((s) => s.includes("EXITED="), `${what}: the app to end`);
  } finally {
    terminal.close();
  }
}
