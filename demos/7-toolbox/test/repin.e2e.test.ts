/**
 * A thread lists each MCP server's tools once and keeps that list. After `pnpm 7-toolbox:promote` re-pins
 * the agent, the next `pnpm 7-toolbox` starts a new thread, which lists the new version's tools; without a
 * re-pin the chat goes on in its thread.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../../mcp-servers/src/servers.ts";
import { live, runLab, startBackend, type TestBackend, tempDir } from "../../../shared/test/support.ts";

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

describe.skipIf(live)("pnpm 7-toolbox after a promote", () => {
  it("starts a new thread with the new version's tools; an unchanged pin keeps its thread", async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const env = {
      ...backend.env,
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      LAB_REPO_MCP_URL: servers.repoUrl,
      AGENT_NAME: `toolbox-repin-${suffix}`,
      TOOLBOX_NAME: `toolbox-repin-${suffix}`,
    };
    const label = env.TOOLBOX_NAME.replace(/-/g, "_");
    const chat = () => runLab(["7-toolbox"], { env, input: ["List the open issues"] });

    const first = await chat();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${label} offers:`);

    // Same pin: the thread goes on, and its tool list is the one it already has.
    const second = await chat();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain("New thread");
    expect(second.stdout).not.toContain(`${label} offers:`);
    expect(second.stdout).toContain("⚙ list_issues");

    const promote = await runLab(["7-toolbox:promote"], { env });
    expect(promote.code, promote.stderr).toBe(0);

    const third = await chat();
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain("New thread: the agent is pinned to toolbox version 2 now.");
    expect(third.stdout).toContain(`${label} offers:`);
    expect(third.stdout).toContain("⚙ list_issues");

    await runLab(["7-toolbox:reset"], { env });
  });
});
