/**
 * Demo 6 end to end against the emulator and the local issues MCP server: approvals decide whether the
 * issue store changes.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../../mcp-servers/src/servers.ts";
import {
  closedPort,
  live,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../../shared/test/support.ts";

let backend: TestBackend;
let servers: LocalMcpServers;
beforeAll(async () => {
  backend = await startBackend();
  servers = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
});
afterAll(async () => {
  await servers?.close();
  await backend?.close();
});

const titles = () =>
  JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues.map((i: { title: string }) => i.title);
const envFor = () => ({
  ...backend.env,
  LAB_ISSUES_MCP_URL: servers.issuesUrl,
  AGENT_NAME: `mcp-test-${Math.random().toString(36).slice(2, 8)}`,
});

describe.skipIf(live)("pnpm 6-mcp", () => {
  it("piped: the next stdin line answers each question; a no, or input that ends first, runs nothing", async () => {
    const env = envFor();
    const run = await runLab(["6-mcp"], {
      env,
      input: [
        'Create an issue titled "Denied chairs" saying we need more',
        "n",
        'Create an issue titled "Approved chairs" saying we need more',
        "Y",
        'Create an issue titled "Unanswered chairs" saying we need more',
      ],
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("require_approval: always");
    expect(run.stdout).toMatch(
      /lab_issues offers: list_issues \(read-only\), get_issue \(read-only\), create_issue/,
    );
    expect(run.stdout).toContain("⚠ Approval needed: lab_issues wants to run create_issue with");
    expect(run.stdout).toContain('"title": "Denied chairs"');
    // Each answer is echoed after its question, as piped turns are after "You ›".
    expect(run.stdout).toMatch(/^Approve\? yes \/ no \/ always for this tool: n$/m);
    expect(run.stdout).toMatch(/^Approve\? yes \/ no \/ always for this tool: Y$/m);
    expect(run.stdout).toContain("You declined create_issue on lab_issues");
    expect(run.stdout).toContain("I called create_issue on lab_issues");
    // The last question finds the input ended: the chat and the answer say so, and nobody "declined" it.
    const last = run.stdout.slice(run.stdout.indexOf('"title": "Unanswered chairs"'));
    expect(last).toContain("counted as a no: stdin ended before an answer");
    expect(last).toContain("I did not run create_issue on lab_issues: stdin ended before an answer.");
    expect(last).not.toMatch(/declined/i);
    expect(run.stdout.match(/served by/g)).toHaveLength(3);
    expect(titles()).toEqual(expect.arrayContaining(["Approved chairs"]));
    expect(titles()).not.toContain("Denied chairs");
    expect(titles()).not.toContain("Unanswered chairs");
    await runLab(["6-mcp:reset"], { env });
  });

  it("piped: Ctrl-C (SIGINT) while the question waits cancels that turn, and the next line is a turn again", async () => {
    const env = envFor();
    let seen = "";
    let sent = false;
    const run = await runLab(["6-mcp"], {
      env,
      input: ["list the open issues"],
      keepOpen: true,
      onStdout: (chunk, child) => {
        seen += chunk;
        if (!sent && seen.includes("Approve? yes / no / always for this tool: ")) {
          sent = true;
          child.kill("SIGINT");
          // Typed after the cancel: a message for the chat, not an answer to the cancelled question.
          setTimeout(() => child.stdin?.end("Hello\n"), 300);
        }
      },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("cancelled; nothing from this answer was kept");
    expect(run.stdout).toContain("You › Hello");
    expect(run.stdout.slice(run.stdout.indexOf("You › Hello"))).toContain(
      "With this agent's MCP tools I can",
    );
    expect(run.stdout).not.toContain("⚙ list_issues");
    await runLab(["6-mcp:reset"], { env });
  });

  it("--approve-all says so loudly and the issue lands in the store; a turn without approval works too", async () => {
    const env = envFor();
    const run = await runLab(["6-mcp", "--", "--approve-all"], {
      env,
      input: ['Create an issue titled "Approved chairs" saying we need more', "Hello"],
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "⚠ --approve-all: every MCP tool call in this chat runs WITHOUT asking you first.",
    );
    expect(run.stdout).toContain("approved (--approve-all)");
    expect(run.stdout).toContain("I called create_issue on lab_issues");
    expect(titles()).toContain("Approved chairs");
    // "Hello" asks for no tool: the answer comes without any approval step.
    const hello = run.stdout.slice(run.stdout.indexOf("You › Hello"));
    expect(hello).not.toContain("Approval needed");
    expect(hello).toContain("With this agent's MCP tools I can");

    const reset = await runLab(["6-mcp:reset"], { env });
    expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted with all its versions`);
    await expect(backend.project.agents.get(env.AGENT_NAME)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("an MCP server that is down: one sentence in the answer, the chat goes on", async () => {
    const env = { ...envFor(), LAB_ISSUES_MCP_URL: `http://127.0.0.1:${await closedPort()}/mcp` };
    const run = await runLab(["6-mcp"], { env, input: ["List the open issues", "Show me issue #1"] });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Could not list the tools of MCP server 'lab_issues'");
    // Both turns were answered: the failure is part of the answer, not the end of the chat.
    expect(run.stdout.match(/↳ served by/g)).toHaveLength(2);
    await runLab(["6-mcp:reset"], { env });
  });
});
