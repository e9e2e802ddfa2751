/**
 * Demo 6 at a real terminal (tmux): the approval question is asked, "a" (always) approves this tool for
 * the rest of the chat, and Ctrl-D leaves cleanly (also while the approval question waits for an answer).
 * An answer is not a turn: it stays out of the ↑ history, and words typed ahead before the question wait
 * for the next prompt instead of becoming part of the answer.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../../mcp-servers/src/servers.ts";
import { live, startBackend, type TestBackend, tempDir } from "../../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../../shared/test/tmux.ts";

let backend: TestBackend;
let servers: LocalMcpServers;
let terminal: TerminalSession | undefined;
beforeAll(async () => {
  backend = await startBackend();
  servers = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
});
afterAll(async () => {
  terminal?.close();
  await servers?.close();
  await backend?.close();
});

describe.skipIf(live || !hasTmux())("pnpm 6-mcp at a terminal", () => {
  it("asks yes / no / always, remembers always, and leaves on Ctrl-D", async () => {
    terminal = new TerminalSession(`lab-mcp-${process.pid}`, ["6-mcp"], {
      ...(backend.env as Record<string, string>),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      AGENT_NAME: `mcp-tty-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("You ›"), "the prompt");
    terminal.type('Create an issue titled "Typed" saying by hand');
    terminal.key("Enter");
    await terminal.until(
      (s) => s.includes("Approve? yes / no / always for this tool:"),
      "the approval question",
    );
    // A human reads the question before answering (an answer within 50 ms is no wait worth a mention).
    await new Promise((resolve) => setTimeout(resolve, 500));
    terminal.type("n");
    terminal.key("Enter");
    // The time the question waited for a human is shown apart from the service's own time.
    await terminal.until(
      (s) => /served by .* · \d+\.\d s, plus \d+\.\d s waiting for you/.test(s),
      "the served line, with the human's time apart",
    );
    expect(terminal.screen()).toContain("You declined create_issue");
    terminal.type('Create an issue titled "Typed" saying by hand');
    terminal.key("Enter");
    await terminal.until(
      (s) => s.lastIndexOf("Approve? yes / no / always") > s.lastIndexOf("You declined"),
      "the second question",
    );
    // The human thinks before answering: the turn's latency line is the service's time, not this wait.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    terminal.type("a");
    terminal.key("Enter");
    const afterCreate = (s: string) => s.slice(s.indexOf('"created": 3'));
    const created = await terminal.until(
      (s) => s.includes('"created": 3') && /served by .*· [\d.]+ s/.test(afterCreate(s)),
      "the created issue and its latency line",
    );
    // The 4 s the human thought are shown apart from the service's time, not added to it.
    const waited = /served by .*· [\d.]+ s, plus ([\d.]+) s waiting for you/.exec(afterCreate(created));
    expect(Number(waited?.[1])).toBeGreaterThanOrEqual(4);
    terminal.type('Create an issue titled "Again" saying no question this time');
    terminal.key("Enter");
    const screen = await terminal.until(
      (s) => s.includes("approved (always for create_issue in this chat)"),
      "the remembered approval",
    );
    // The third request was not asked about.
    expect(screen.slice(screen.lastIndexOf('titled "Again"'))).not.toContain("Approve?");
    // Ctrl-D right away, while the third answer may still be on its way: the turn finishes, then the chat ends.
    terminal.key("C-d");
    expect(await terminal.until((s) => s.includes("EXITED="), "the exit")).toContain("EXITED=0");
    const titles = JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues.map(
      (i: { title: string }) => i.title,
    );
    expect(titles).toEqual(expect.arrayContaining(["Typed", "Again"]));
  });

  it("Ctrl-D at the approval question cancels the turn and leaves with exit 0", async () => {
    terminal?.close();
    terminal = new TerminalSession(`lab-mcp-eof-${process.pid}`, ["6-mcp"], {
      ...(backend.env as Record<string, string>),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      AGENT_NAME: `mcp-eof-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("You ›"), "the prompt");
    terminal.type("list the open issues");
    terminal.key("Enter");
    await terminal.until((s) => s.includes("Approve? yes / no / always"), "the approval question");
    terminal.key("C-d");
    const screen = await terminal.until((s) => s.includes("EXITED="), "the exit");
    expect(screen).toContain("cancelled; nothing from this answer was kept");
    expect(screen).toContain("EXITED=0");
    expect(screen).not.toContain("unsettled top-level await");
  });

  it("keeps approval answers out of the ↑ history and typed-ahead words out of the answer", async () => {
    terminal?.close();
    terminal = new TerminalSession(`lab-mcp-ahead-${process.pid}`, ["6-mcp"], {
      ...(backend.env as Record<string, string>),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      AGENT_NAME: `mcp-ahead-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    });
    await terminal.until((s) => s.includes("You ›"), "the prompt");
    // One keystroke burst: the turn is sent and "hello there" is typed (not sent) before the question.
    terminal.type('Create an issue titled "Ahead" saying typed early\rhello there');
    const asked = await terminal.until(
      (s) => s.includes("Approve? yes / no / always for this tool:"),
      "the approval question",
    );
    // The question starts with an empty answer.
    expect(asked).toMatch(/Approve\? yes \/ no \/ always for this tool:\s*$/m);
    terminal.type("y");
    terminal.key("Enter");
    // "y" was the whole answer: the issue is created, and the words typed ahead wait at the next prompt.
    const done = await terminal.until(
      (s) => /↳ served by/.test(s) && /^You › hello there\s*$/m.test(s),
      "the answer, then the typed-ahead words at the next prompt",
    );
    expect(done.match(/Approve\?/g)?.length).toBe(1);
    expect(done).not.toContain("hello therey");
    // ↑ recalls the last turn, not the answer "y".
    terminal.key("C-u");
    terminal.key("Up");
    const lastPrompt = (s: string) => s.slice(s.lastIndexOf("You ›")).trim();
    await terminal.until(
      (s) => lastPrompt(s) === 'You › Create an issue titled "Ahead" saying typed early',
      "the last turn recalled by ↑",
    );
    terminal.key("C-u");
    terminal.key("C-d");
    expect(await terminal.until((s) => s.includes("EXITED="), "the exit")).toContain("EXITED=0");
    const titles = JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues.map(
      (i: { title: string }) => i.title,
    );
    expect(titles).toContain("Ahead");
  });
});
