/**
 * Demo 4 at a real terminal (tmux), as a learner pastes Python into it: a multi-line paste is one turn,
 * sent with Enter (the terminal marks the paste), and the code runs as written in the container. With
 * piped stdin, a ``` fenced block is one turn too.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, runLab, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../../shared/test/tmux.ts";

let backend: TestBackend;
let terminal: TerminalSession | undefined;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 0 });
});
afterAll(async () => {
  terminal?.close();
  await backend?.close();
});

const CODE = [
  "```python",
  "import csv",
  "with open('sales.csv', newline='') as f:",
  "    rows = list(csv.DictReader(f))",
  "print('regions:', len({r['region'] for r in rows}))",
  "```",
].join("\n");

describe.skipIf(live || !hasTmux())("pnpm 4-code at a terminal", () => {
  it("takes a pasted multi-line Python block as one turn and runs it as written", async () => {
    const env = {
      ...(backend.env as Record<string, string>),
      AGENT_NAME: `code-tty-${process.pid}`,
      DEMO4_OUTPUT_DIR: path.join(backend.dataDir ?? "", "output"),
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    };
    terminal = new TerminalSession(`lab-code-${process.pid}`, ["4-code"], env, { columns: 120, rows: 50 });
    await terminal.until((s) => s.includes("You ›"), "the prompt");
    terminal.paste(`Please run this:\n${CODE}`);
    // Nothing is sent until Enter, however many lines the paste had.
    await terminal.until((s) => s.includes("print('regions:'"), "the pasted text");
    expect(terminal.screen()).not.toContain("Agent ›");
    terminal.key("Enter");
    const screen = await terminal.until((s) => s.includes("↳ served by"), "the answer");
    expect(screen).toContain("regions: 4");
    expect(screen).toContain("I ran the code you gave me");
    // One turn: one answer, and the chat is back at the prompt.
    expect(screen.split("Agent ›")).toHaveLength(2);
    terminal.key("C-d");
    expect(await terminal.until((s) => s.includes("EXITED="), "the exit")).toContain("EXITED=0");
    await runLab(["4-code:reset"], { env });
  });
});

describe.skipIf(live)("pnpm 4-code with piped stdin", () => {
  it("reads a ``` fenced block over several lines as one turn", async () => {
    const env = {
      ...backend.env,
      AGENT_NAME: `code-pipe-${process.pid}`,
      DEMO4_OUTPUT_DIR: path.join(backend.dataDir ?? "", "out2"),
    };
    const result = await runLab(["4-code"], {
      env,
      input: [
        "Run this:",
        ...CODE.split("\n"),
        "```inline``` fences on one line open nothing",
        "summarize the data",
      ],
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // "Run this:" is a turn of its own; the fenced block is the next one, then one line each.
    expect(result.stdout.match(/↳ served by/g)).toHaveLength(4);
    expect(result.stdout).toContain("│ regions: 4");
    expect(result.stdout).toContain("Summary statistics of `sales.csv`");
    await runLab(["4-code:reset"], { env });
  });
});

describe.skipIf(live)("demo 4's README", () => {
  it("every request of its Try list works word for word, each answered from code that ran", async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
    // Each bullet of the "## Try" section starts with the request, in backticks.
    const section = /^## Try\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
    const tries = [...section.matchAll(/^- `([^`]+)`/gm)]
      .map((m) => m[1] ?? "")
      .filter((t) => /\w{3}/.test(t) && !t.includes("python"));
    expect(tries.length).toBeGreaterThanOrEqual(5);
    const env = {
      ...backend.env,
      AGENT_NAME: `code-try-${process.pid}`,
      DEMO4_OUTPUT_DIR: path.join(backend.dataDir ?? "", "out3"),
    };
    const result = await runLab(["4-code"], { env, input: tries });
    expect(result.code).toBe(0);
    // Each request is echoed after the prompt; each got code that ran, and none the "can't" answer.
    for (const request of tries) expect(result.stdout).toContain(`You › ${request}\nAgent › `);
    expect(result.stdout.match(/▸ output:/g)).toHaveLength(tries.length);
    expect(result.stdout).not.toContain("can't write code");
    expect(result.stdout).toContain(
      "The revenue_eur ÷ units (total revenue_eur divided by total units) where region is West is **",
    );
    expect(result.stdout).toContain("The region with the highest total units: **South (4,995)**");
    await runLab(["4-code:reset"], { env });
  });
});
