/**
 * Every demo README's "Try" list, word for word, against the emulator: each bullet's messages are typed
 * into the demo as written (a `pnpm …` in the bullet starts that command first, `/exit` leaves), each
 * message gets an answer with its served-model line and no error, and the learner sees what the bullet
 * promises (the PROMISES table below). Demo 2, a full-screen app, is typed into a real terminal.
 * Demos 6 and 7 ask before each MCP call; with piped stdin the answer is the next line, so a bullet's
 * `y`, `n` or `a` is typed like its messages, and every question must get one of them from the bullet.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeatherFixture, type WeatherFixture } from "../../demos/1-tools/test/weather-fixture.ts";
import { type Issue, IssueStore } from "../../mcp-servers/src/issues-server.ts";
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

export interface TryBullet {
  /** The bullet's first backticked text (its message or command): the key of {@link PROMISES}. */
  first: string;
  /** What the bullet says you will see: its text after the recipe. */
  promise: string;
  sessions: TrySession[];
}

/**
 * The sessions a README's Try list describes. A bullet that starts with a backticked message or command
 * is a recipe up to its first ":" or "→" outside backticks (after that it describes what you see).
 * Bullets that start a server (`:serve`, `:web`, `pnpm traces`) are left to their own tests.
 */
export function tryBullets(markdown: string, demo: string): TryBullet[] {
  const section = /^## Try[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1] ?? "";
  const bullets = section.split(/^- /m).slice(1);
  const recipes: TryBullet[] = [];
  for (const bullet of bullets) {
    if (!bullet.startsWith("`")) continue;
    const sessions: TrySession[] = [];
    let serve = false;
    const parts = bullet.split(/(`[^`]*`)/);
    let i = 0;
    for (; i < parts.length; i++) {
      const part = parts[i] ?? "";
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
    const promise = parts
      .slice(i)
      .join("")
      .replace(/^[^:→]*[:→]\s*/, "")
      .replace(/\s+/g, " ")
      .trim();
    if (!serve && sessions.length > 0)
      recipes.push({ first: bullet.slice(1, bullet.indexOf("`", 1)), promise, sessions });
  }
  return recipes;
}

/** What a learner sees after one bullet: every session's output (demo 2: its screens), and where files went. */
interface Seen {
  text: string;
  env: NodeJS.ProcessEnv;
}
type Check = RegExp | { not: RegExp } | ((seen: Seen) => void);

/** `Agent ›` up to the next `You ›` or the end: the answer to `message`. */
const answerTo = (message: string) =>
  new RegExp(`You › ${escapeRe(message)}\\s*\\n\\s*Agent › ([\\s\\S]*?)(?=\\n\\s*You ›|$)`);
const recalls =
  (message: string, fact: RegExp): Check =>
  (seen) =>
    expect(answerTo(message).exec(seen.text)?.[1] ?? "", `the answer to ${message}`).toMatch(fact);
const CITATION_SOURCE = /^\s+\[1\] .+ — https?:\/\/\S+$/m;
const APPROVAL = (tool: string) => new RegExp(`⚠ Approval needed: \\S+ wants to run ${tool}\\b`);
/** The approval question, answered with `answer` (piped answers are echoed after it). */
const ANSWERED = (answer: string) =>
  new RegExp(`^Approve\\? yes / no / always for this tool: ${answer}$`, "m");
const ANSWERS = /^Approve\? yes \/ no \/ always for this tool: /gm;

/**
 * Per demo, per bullet (keyed by its first backticked text): a phrase of what the README promises, which
 * must still be in the bullet, and what the learner then sees. A bullet without a row fails, and so does a
 * row whose phrase the README no longer says, so the list and this table move together. The lab model's
 * own sentences are never matched beyond what the README quotes.
 */
const PROMISES: Record<string, Record<string, { promise: string; shows: Check[] }>> = {
  "0-hello": {
    "My name is Ada.": {
      promise: "depends on the first turn",
      shows: [recalls("What is my name?", /\bAda\b/)],
    },
    "/exit": {
      promise: "answer quotes `My name is Ada.`",
      shows: [recalls("What did I say first?", /My name is Ada/)],
    },
    "pnpm 0-hello -- --trace": {
      promise: "`response.created` → `output_item.added` → deltas → `response.completed`",
      shows: [
        /· response\.created[\s\S]*· response\.output_item\.added[\s\S]*· response\.output_text\.delta[\s\S]*· response\.completed/,
      ],
    },
  },
  "1-tools": {
    "What's the weather in Oslo and Paris?": {
      promise: "two `get_weather` calls in one response, both run here before the model writes its answer",
      // Both tool lines, then the answer under them (not the footer straight away).
      shows: [
        /⚙ get_weather\(\{"city":"Oslo"\}\)[^\n]*\n\s*⚙ get_weather\(\{"city":"Paris"\}\)[^\n]*\n(?!\s*↳)\S/,
      ],
    },
    "My name is Ada.": { promise: "keeps the conversation", shows: [recalls("What is my name?", /\bAda\b/)] },
    "pnpm 1-tools -- --trace": {
      promise: "the `function_call` item, the local call with its time, and the follow-up request",
      shows: [
        /output_item\.added\s+function_call fc_/,
        /⚙ get_weather\(\{"city":"Paris"\}\) \d+ ms[^\n]*\n\s*· response\.created/,
      ],
    },
  },
  "2-desktop": {
    "What's the weather in Oslo?": {
      promise: "demo 1's tool call, drawn as a line in the transcript above the input box",
      shows: [
        (seen) => {
          const tool = seen.text.indexOf('⚙ get_weather({"city":"Oslo"})');
          expect(tool, "the tool line").toBeGreaterThan(-1);
          expect(tool, "the tool line above the input box").toBeLessThan(seen.text.lastIndexOf("You ›"));
        },
      ],
    },
    "My name is Ada.": { promise: "the same conversation", shows: [recalls("What is my name?", /\bAda\b/)] },
  },
  "3-websearch": {
    "Why is the sky blue?": {
      promise: "numbered citations, and the pages' titles and URLs below it",
      shows: [/Agent › [\s\S]*\[1\][\s\S]*\n\s+\[1\] /, CITATION_SOURCE],
    },
    "When was the transistor invented?": { promise: "another search", shows: [CITATION_SOURCE] },
    "pnpm 3-websearch -- --trace": {
      promise:
        "the `web_search_call` item and its `url_citation` annotation (`output_text.annotation.added`)",
      shows: [
        /output_item\.added\s+web_search_call ws_/,
        /· response\.output_text\.annotation\.added/,
        CITATION_SOURCE,
      ],
    },
  },
  "4-code": {
    "Draw a bar chart of revenue by region": {
      promise: "the chart is saved to `output/`",
      shows: [/\n\s+│ /, /▸ output:/, savedChart],
    },
    "line chart of units by month": { promise: "another chart", shows: [savedChart] },
    "summarize the data": {
      promise: "the code's printed output, then the answer",
      shows: [/▸ output:\n(\s+│ [^\n]*\n)+\s*\n\S/],
    },
    "What is the average revenue per unit in the West?": {
      promise: "a filter and a ratio of two columns, computed by the code",
      shows: [(seen) => expect(seen.text).toContain(`answer: ${sales().westRevenuePerUnit.toFixed(2)}`)],
    },
    "Which region sold the most units?": {
      promise: "the groups ranked, the largest named",
      shows: [(seen) => expect(seen.text).toContain(`answer: ${sales().mostUnits}`)],
    },
  },
  "5-rag": {
    "How many days of paid annual leave do I get?": {
      promise: "citing the handbook passage",
      shows: [/\[1\] employee-handbook\.md · § 2\.2 Annual leave/],
    },
    "Can I accept a gift from a supplier?": {
      promise: "another passage, another citation",
      shows: [/\[1\] employee-handbook\.md · § 8\.\d+ Gifts/],
    },
    "Where are bicycles parked?": {
      promise: "the handbook says nothing about it, and the answer says so",
      shows: [{ not: /\[1\] employee-handbook\.md/ }, recalls("Where are bicycles parked?", /bicycles/)],
    },
  },
  "6-mcp": {
    "list the open issues": {
      promise: "the issue list",
      shows: [APPROVAL("list_issues"), ANSWERED("y"), /⚙ list_issues\(/, /Projector in room 2 flickers/],
    },
    'Create an issue titled "Projector is broken" saying the HDMI port is loose': {
      promise: "the answer says you declined, and nothing changes",
      shows: [
        APPROVAL("create_issue"),
        ANSWERED("n"),
        /You declined create_issue\b/,
        { not: /⚙ create_issue/ },
        (seen) => expect(issues(seen).map((i) => i.title)).not.toContain("Projector is broken"),
      ],
    },
    "close issue #1": {
      promise: "the second close runs without asking",
      shows: [
        APPROVAL("close_issue"),
        ANSWERED("a"),
        /⚙ close_issue\(\{"number":1\}\) → \{ "closed": 1 \}/,
        /approved \(always for close_issue in this chat\)/,
        /⚙ close_issue\(\{"number":2\}\) → \{ "closed": 2 \}/,
        (seen) => expect(seen.text.match(ANSWERS), "one question, for the first close").toHaveLength(1),
      ],
    },
  },
  "7-toolbox": {
    "list the open issues": {
      promise: "reading tools run at once (no approval)",
      shows: [
        /⚙ list_issues\(/,
        /⚙ read_file\(\{"path":"docs\/rooms\.md"\}\)/,
        /# Rooms/,
        { not: /Approval needed/ },
      ],
    },
    'Create an issue titled "Mic" saying the battery is low': {
      promise: "you are asked first",
      shows: [
        APPROVAL("create_issue"),
        ANSWERED("y"),
        /⚙ create_issue\(/,
        (seen) => expect(issues(seen).map((i) => i.title)).toContain("Mic"),
      ],
    },
    'Call comment_on_issue with {"number": 1, "body": "seen"}': {
      promise: "refused, not in this agent's `allowed_tools`",
      shows: [/allowed_tools/, { not: /⚙ comment_on_issue/ }],
    },
    "close issue #1": {
      promise: "after your approval",
      shows: [
        APPROVAL("close_issue"),
        ANSWERED("y"),
        /⚙ close_issue\(/,
        (seen) => expect(issues(seen).find((i) => i.number === 1)?.state).toBe("closed"),
      ],
    },
    "pnpm 7-toolbox:promote": {
      promise:
        "version 2 is the default, the agent is pinned to it, and the toolbox no longer has `close_issue`, so issue 2 stays open",
      shows: [
        /default version of \S+ is now 2/,
        /Chatting with \S+ v2, pinned to toolbox \S+ version 2/,
        { not: /⚙ close_issue\(\{"number":2\}\)/ },
        { not: /Approval needed/ },
        (seen) => expect(issues(seen).find((i) => i.number === 2)?.state).toBe("open"),
      ],
    },
  },
  "8-hosted": {
    "Convert 10 km to miles": {
      promise: "the footer `— Converted by the agent's own code: 10 km = 6.214 mi.` comes from code",
      shows: [/— Converted by the agent's own code: 10 km = 6\.214 mi\./],
    },
    "Please forward this to ada@example.com today": {
      promise: "the address comes back as `[e-mail redacted]`",
      shows: [
        recalls("Please forward this to ada@example.com today", /\[e-mail redacted\]/),
        { not: /Agent › [^\n]*ada@example\.com/ },
      ],
    },
    "My name is Ada.": { promise: "the thread is kept", shows: [recalls("What is my name?", /\bAda\b/)] },
  },
  "9-evaluate": {
    "pnpm 9-evaluate": {
      promise: "one line per item, its latency and its checks (on the emulator every item passes)",
      shows: [
        (seen) => {
          for (const name of ["weather", "handbook"]) {
            for (const { id } of dataset(name))
              expect(seen.text).toMatch(new RegExp(`^✔ +${escapeRe(id)} +\\d+ ms +\\d+ checks pass$`, "m"));
          }
        },
        { not: /^✖/m },
      ],
    },
  },
};
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

describe("every demo's Try list, word for word", () => {
  const demos = listDemos();
  const bulletsOf = (demo: { id: string; dir: string }) =>
    tryBullets(readFileSync(path.join(demo.dir, "README.md"), "utf8"), demo.id);

  it("finds a Try list in every demo's README, and knows what each bullet promises", () => {
    for (const demo of demos) {
      const bullets = bulletsOf(demo);
      expect(bullets.length, `${demo.id} has no Try list`).toBeGreaterThan(0);
      const rows = PROMISES[demo.id] ?? {};
      for (const { first, promise } of bullets) {
        const row = rows[first];
        expect(row, `${demo.id}: no row in PROMISES for the bullet \`${first}\``).toBeDefined();
        expect(
          promise,
          `${demo.id}: the bullet \`${first}\` no longer promises what PROMISES checks`,
        ).toContain(row?.promise);
      }
      const keys = new Set(bullets.map((b) => b.first));
      for (const first of Object.keys(rows))
        expect(keys, `${demo.id}: PROMISES has a row for a bullet the README no longer has`).toContain(first);
    }
  });

  for (const demo of demos) {
    it(`${demo.id}`, { timeout: 180_000 }, async () => {
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
      for (const { first, promise, sessions } of bulletsOf(demo)) {
        let text = "";
        for (const { command, inputs } of sessions) {
          const what = `${demo.id}: pnpm ${command.join(" ")} ← ${JSON.stringify(inputs)}`;
          if (demo.number === 2 && command[0] === "2-desktop") {
            if (!hasTmux()) return;
            text += await typeIntoDesktop(env, inputs, what);
            continue;
          }
          const result = await runLab(command, { env, input: inputs, timeoutMs: 120_000 });
          expect(result.code, `${what}\n${result.stderr}`).toBe(0);
          expect(result.stderr, what).not.toMatch(/✖/);
          // Every approval question got its answer from the bullet, not from the end of the input.
          expect(result.stdout, what).not.toContain("stdin ended before an answer");
          // Every message gets an answer, and every answer says which model served it (an approval's
          // answer is a line of the input, not a message).
          const answers = result.stdout.match(ANSWERS)?.length ?? 0;
          const messages = inputs.filter((i) => i !== "/exit").length - answers;
          const served = result.stdout.split(/↳ served by \S+ via /).length - 1;
          expect(served, `${what}\n${result.stdout.slice(-1500)}`).toBeGreaterThanOrEqual(messages);
          text += result.stdout;
        }
        const seen = { text, env };
        for (const check of PROMISES[demo.id]?.[first]?.shows ?? []) {
          const why = `${demo.id}: \`${first}\` promises "${promise}"\n${text.slice(-2500)}`;
          if (check instanceof RegExp) expect(text, why).toMatch(check);
          else if (typeof check === "function") check(seen);
          else expect(text, why).not.toMatch(check.not);
        }
      }
    });
  }
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The chart the answer says it saved, in the folder the learner's charts go to, and an image. */
function savedChart(seen: Seen): void {
  const saved = /↳ saved (\S+\.(?:svg|png))/.exec(seen.text)?.[1];
  expect(saved, "a ↳ saved line").toBeDefined();
  const file = path.resolve(repoRoot, saved ?? ""); // printed relative to where the command ran;
  expect(path.dirname(file)).toBe(path.resolve(String(seen.env.DEMO4_OUTPUT_DIR)));
  expect(readFileSync(file, "utf8").slice(0, 200)).toMatch(/^(<svg|<\?xml|\x89PNG)/);
}

/** What demo 4's answers must say, computed here from the CSV it uploads. */
function sales(): { westRevenuePerUnit: number; mostUnits: string } {
  const [, ...lines] = readFileSync(path.join(repoRoot, "demos/4-code/data/sales.csv"), "utf8")
    .trim()
    .split("\n");
  const rows = lines.map((l) => l.split(","));
  const west = rows.filter((r) => r[1] === "West");
  const sum = (rs: string[][], col: number) => rs.reduce((t, r) => t + Number(r[col]), 0);
  const units = new Map<string, number>();
  for (const r of rows) units.set(r[1] ?? "", (units.get(r[1] ?? "") ?? 0) + Number(r[2]));
  const [region = "", most = 0] = [...units].sort((a, b) => b[1] - a[1])[0] ?? [];
  return {
    westRevenuePerUnit: sum(west, 3) / sum(west, 2),
    mostUnits: `${region} (${most.toLocaleString("en-US")})`,
  };
}

/** The local issues server's data (the learner's `.lab/mcp/issues.json`), read as the server reads it. */
function issues(seen: Seen): Issue[] {
  return new IssueStore(path.join(String(seen.env.LAB_MCP_DATA_DIR), "issues.json")).read().issues;
}

function dataset(name: string): { id: string }[] {
  const file = path.join(repoRoot, "demos/9-evaluate/datasets", `${name}.jsonl`);
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

async function typeIntoDesktop(env: NodeJS.ProcessEnv, inputs: string[], what: string): Promise<string> {
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
    const screen = terminal.screen();
    expect(screen).not.toMatch(/✖/);
    // Leave as a learner does, so the next session starts after this one has ended.
    terminal.key("C-c");
    await terminal.until((s) => s.includes("EXITED="), `${what}: the app to end`);
    return screen;
  } finally {
    terminal.close();
  }
}
