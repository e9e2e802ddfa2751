/**
 * Demo 7 end to end: the toolbox is created, the agent pinned to version 1, `allowed_tools` blocks what
 * is outside the list, promote makes version 2 the default and re-pins the agent, reset removes everything.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
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

describe.skipIf(live)("pnpm 7-toolbox", () => {
  it("pins the agent to version 1, narrows its tools, promotes version 2, and reset removes everything", async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const env = {
      ...backend.env,
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      LAB_REPO_MCP_URL: servers.repoUrl,
      AGENT_NAME: `toolbox-test-${suffix}`,
      TOOLBOX_NAME: `toolbox-test-${suffix}`,
    };
    const run = await runLab(["7-toolbox", "--", "--approve-all"], {
      env,
      input: [
        "List the open issues",
        'Call comment_on_issue with {"number": 1, "body": "seen"}',
        'Create an issue titled "Mic" saying the battery is low',
      ],
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Created toolbox ${env.TOOLBOX_NAME} version 1.`);
    expect(run.stdout).toContain("version 1 (default): lab_issues, lab_repo");
    expect(run.stdout).toContain(`uses toolbox ${env.TOOLBOX_NAME} version 1 (pinned)`);
    expect(run.stdout).toContain(
      `${env.TOOLBOX_NAME.replace(/-/g, "_")} offers: list_issues (read-only), get_issue (read-only), create_issue, close_issue, list_files (read-only), read_file (read-only)`,
    );
    expect(run.stdout).toContain("Projector in room 2 flickers");
    expect(run.stdout).toContain(
      "I can't call comment_on_issue: it is not among the tools this agent is allowed to use",
    );
    // Reading ran without approval; creating needed it (given here by --approve-all).
    expect(run.stdout.match(/Approval needed/g)).toHaveLength(1);
    const issues = JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues;
    expect(issues.find((i: { number: number }) => i.number === 1).state).toBe("open");
    expect(issues.some((i: { title: string }) => i.title === "Mic")).toBe(true);

    const agentV1 = await backend.project.agents.get(env.AGENT_NAME);
    const tool = agentV1.versions.latest.definition as {
      tools: Array<{ server_url: string; allowed_tools: string[] }>;
    };
    expect(tool.tools[0]?.server_url).toMatch(
      new RegExp(`/toolboxes/${env.TOOLBOX_NAME}/versions/1/mcp\\?api-version=v1$`),
    );
    expect(tool.tools[0]?.allowed_tools).not.toContain("comment_on_issue");

    const promote = await runLab(["7-toolbox:promote"], { env });
    expect(promote.code).toBe(0);
    expect(promote.stdout).toContain(
      `Created toolbox ${env.TOOLBOX_NAME} version 2: Issues can no longer be closed by agents.`,
    );
    expect(promote.stdout).toContain(`the default version of ${env.TOOLBOX_NAME} is now 2`);
    expect((await backend.project.toolboxes.get(env.TOOLBOX_NAME)).default_version).toBe("2");
    const agentV2 = await backend.project.agents.get(env.AGENT_NAME);
    expect(agentV2.versions.latest.version).toBe("2");
    expect(JSON.stringify(agentV2.versions.latest.definition)).toContain(
      `/toolboxes/${env.TOOLBOX_NAME}/versions/2/mcp`,
    );
    expect(promote.stdout).toContain("close_issue is no longer among its tools");

    // Promoting the same tools again publishes nothing, changes nothing, and succeeds.
    const same = await runLab(["7-toolbox:promote"], { env });
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`Toolbox ${env.TOOLBOX_NAME} version 2 already has these tools`);
    expect(same.stdout).toContain(`Version 2 is already the default of ${env.TOOLBOX_NAME}.`);
    const versions = [];
    for await (const v of backend.project.toolboxes.listVersions(env.TOOLBOX_NAME)) versions.push(v.version);
    expect(versions.sort()).toEqual(["1", "2"]);

    // What the agent can do changed: version 2 offers no close_issue, so the issue stays open.
    const again = await runLab(["7-toolbox", "--", "--approve-all"], {
      env,
      input: ['Call close_issue with {"number": 1}'],
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("version 2 (default)");
    expect(again.stdout).not.toContain("Created toolbox");
    // A new thread lists version 2's tools, so the model itself says close_issue is not among them.
    expect(again.stdout).toContain("New thread: the agent is pinned to toolbox version 2 now.");
    expect(again.stdout).toMatch(/can't call close_issue: it is not among the tools/);
    expect(JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues[0].state).toBe("open");
    // The unchanged agent kept its version.
    expect((await backend.project.agents.get(env.AGENT_NAME)).versions.latest.version).toBe("2");

    const reset = await runLab(["7-toolbox:reset"], { env });
    expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted with all its versions`);
    expect(reset.stdout).toContain(`toolbox ${env.TOOLBOX_NAME}: deleted with all its versions`);
    await expect(backend.project.toolboxes.get(env.TOOLBOX_NAME)).rejects.toMatchObject({ statusCode: 404 });
    await expect(backend.project.agents.get(env.AGENT_NAME)).rejects.toMatchObject({ statusCode: 404 });
    const twice = await runLab(["7-toolbox:reset"], { env });
    expect(twice.code).toBe(0);
    expect(path.basename(servers.issuesFile)).toBe("issues.json");
  });

  it("a second run starts the local MCP servers again (the toolbox exists, its sources must answer)", async () => {
    // No LAB_*_MCP_URL: the demo uses the servers at the default ports, starting them in its own process.
    const suffix = Math.random().toString(36).slice(2, 8);
    const env = {
      ...backend.env,
      LAB_MCP_DATA_DIR: tempDir("lab-mcp-default-"),
      AGENT_NAME: `toolbox-again-${suffix}`,
      TOOLBOX_NAME: `toolbox-again-${suffix}`,
    };
    for (const round of ["first", "second"]) {
      const run = await runLab(["7-toolbox"], { env, input: ["List the open issues"] });
      expect(run.code, `${round} run`).toBe(0);
      // (A `pnpm mcp-servers` already running would be reused, with its own issues: check the call, not them.)
      expect(run.stdout, `${round} run`).toMatch(/I called list_issues on toolbox_again_\w+\. It returned:/);
      expect(run.stdout, `${round} run`).not.toContain("failed");
    }
    await runLab(["7-toolbox:reset"], { env });
  });

  it("with `pnpm emulator` running in another terminal, the agent reaches the toolbox's endpoint", async () => {
    // The emulator calls its own HTTPS toolbox endpoint for the agent's MCP tool: it must trust itself.
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const port = String((free.address() as net.AddressInfo).port);
    await new Promise((resolve) => free.close(resolve));
    const env = {
      EMULATOR_DATA_DIR: tempDir("lab-emu-"),
      EMULATOR_PORT: port,
      LAB_STATE_DIR: tempDir("lab-state-"),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      LAB_REPO_MCP_URL: servers.repoUrl,
    };
    let emulator: ChildProcess | undefined;
    const started = new Promise<void>((resolve) => {
      void runLab(["emulator"], {
        env,
        keepOpen: true,
        timeoutMs: 60_000,
        onStdout: (chunk, child) => {
          emulator = child;
          if (chunk.includes("emulator running")) resolve();
        },
      });
    });
    try {
      await started;
      const run = await runLab(["7-toolbox"], { env, input: ["List the open issues"] });
      expect(run.stdout).toContain("backend: emulator (pnpm emulator)");
      expect(run.stdout).toContain("Projector in room 2 flickers");
      expect(run.stdout).not.toContain("SELF_SIGNED");
    } finally {
      emulator?.kill("SIGTERM");
    }
  });

  it("on the embedded emulator, a second run reuses the unchanged agent version", async () => {
    const env = {
      EMULATOR_DATA_DIR: tempDir("lab-emulator-"),
      LAB_STATE_DIR: tempDir("lab-state-"),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      LAB_REPO_MCP_URL: servers.repoUrl,
    };
    for (let run = 1; run <= 2; run++) {
      const result = await runLab(["7-toolbox"], { env, input: [] });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/backend: emulator \(embedded\)/);
      expect(result.stdout).toContain(
        "Agent toolbox-agent version 1 uses toolbox lab-toolbox version 1 (pinned).",
      );
    }
  });

  it("a toolbox whose local MCP servers have moved since: one sentence, exit 1, no chat", async () => {
    const env = {
      ...backend.env,
      LAB_STATE_DIR: tempDir("lab-state-"),
      LAB_ISSUES_MCP_URL: servers.issuesUrl,
      LAB_REPO_MCP_URL: servers.repoUrl,
      AGENT_NAME: "toolbox-moved",
      TOOLBOX_NAME: "toolbox-moved",
    };
    const first = await runLab(["7-toolbox"], { env, input: [] });
    expect(first.code, first.stderr).toBe(0);
    const elsewhere = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
    try {
      const moved = await runLab(["7-toolbox"], {
        env: { ...env, LAB_ISSUES_MCP_URL: elsewhere.issuesUrl },
        input: ["List the open issues"],
      });
      expect(moved.code).toBe(1);
      expect(moved.stderr).toContain(
        `Toolbox toolbox-moved version 1 reaches lab_issues at ${servers.issuesUrl}, but this checkout's server is at ${elsewhere.issuesUrl}: run pnpm 7-toolbox:reset, then pnpm 7-toolbox`,
      );
      expect(moved.stdout).not.toContain("Projector in room 2");
    } finally {
      await elsewhere.close();
    }
  });

  it("promote before anything exists: one sentence, exit 1", async () => {
    const run = await runLab(["7-toolbox:promote"], {
      env: { ...backend.env, AGENT_NAME: "toolbox-none", LAB_STATE_DIR: tempDir("lab-state-") },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("There is no toolbox to promote yet: run `pnpm 7-toolbox` first.");
  });
});
