/**
 * Demo 0's chat at a real terminal (tmux): Ctrl-C during an answer cancels only that answer, Ctrl-D
 * while an answer streams lets it finish, then leaves with exit code 0, Ctrl-D at the prompt ends the
 * prompt's line, and a question typed while an answer streams is drawn after the next prompt, not into it.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../../shared/test/tmux.ts";

let backend: TestBackend;
let terminal: TerminalSession | undefined;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 40 });
});
afterAll(async () => {
  terminal?.close();
  await backend?.close();
});

const LONG = "Please explain why agents are versioned and how a conversation keeps the history of every turn";

describe.skipIf(live || !hasTmux())("pnpm 0-hello at a real terminal", () => {
  it("Ctrl-C cancels the answer in progress; Ctrl-D during an answer finishes it and exits 0", async () => {
    terminal = new TerminalSession(`lab-hello-${process.pid}`, ["0-hello"], {
      ...(backend.env as Record<string, string>),
      AGENT_NAME: `hello-tty-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("Ctrl-C cancels an answer"), "the chat");
    terminal.type(LONG);
    terminal.key("Enter");
    await terminal.until((s) => /Agent › \S+ \S+ \S+/.test(s), "the answer to start");
    terminal.key("C-c");
    await terminal.until(
      (s) => s.includes("cancelled; nothing from this answer was kept"),
      "the cancellation",
    );

    terminal.type("My name is Grace.");
    terminal.key("Enter");
    await terminal.until((s) => s.includes("Nice to meet you, Grace"), "the next answer");
    terminal.type(LONG);
    terminal.key("Enter");
    await terminal.until((s) => s.split("Agent ›").length === 4, "the third answer to start");
    terminal.key("C-d");
    const end = await terminal.until((s) => s.includes("EXITED="), "the exit");
    expect(end).toContain("EXITED=0");
    expect(end.match(/↳ served by/g)?.length).toBe(2);
  });

  it("Ctrl-D at the prompt leaves on a line of its own", async () => {
    terminal?.close();
    terminal = new TerminalSession(`lab-hello-eof-${process.pid}`, ["0-hello"], {
      ...(backend.env as Record<string, string>),
      AGENT_NAME: `hello-tty-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("Ctrl-C cancels an answer"), "the chat");
    terminal.key("C-d");
    const end = await terminal.until((s) => s.includes("EXITED="), "the exit");
    expect(end).toMatch(/\nYou ›\s*\nEXITED=0/);
  });

  it("a question typed while an answer streams is shown after the next prompt, not inside the answer", async () => {
    terminal?.close();
    terminal = new TerminalSession(`lab-hello-ahead-${process.pid}`, ["0-hello", "--", "--new"], {
      ...(backend.env as Record<string, string>),
      AGENT_NAME: `hello-tty-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("Ctrl-C cancels an answer"), "the chat");
    terminal.type("My name is Grace.");
    terminal.key("Enter");
    await terminal.until((s) => /Agent › \S+ \S+/.test(s), "the answer to start");
    terminal.type("What is my name?");
    terminal.key("Enter");
    terminal.type("What did I say"); // not sent yet: it waits at the next prompt
    const screen = await terminal.until(
      (s) => s.includes("Your name is Grace") && /You › What did I say\s*$/m.test(s),
      "the typed-ahead question's answer and the unsent line at the prompt",
    );
    const first = screen.slice(screen.indexOf("Agent ›"), screen.indexOf("↳ served by"));
    expect(first).toContain("Nice to meet you, Grace");
    expect(first).not.toContain("What is my name?");
    expect(screen).toMatch(/^You › What is my name\?$/m);
    terminal.key("C-u"); // the cursor is after the unsent words: this clears them
    terminal.key("C-d");
    expect(await terminal.until((s) => s.includes("EXITED="), "the exit")).toContain("EXITED=0");
  });
});
