/**
 * Toolboxes through the real SDK (`project.toolboxes.*`) and their MCP endpoint through the MCP SDK's
 * own client, with real local MCP servers as the sources.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../mcp-servers/src/servers.ts";
import { closedPort, startBackend, type TestBackend, tempDir } from "../../shared/test/support.ts";

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

const sources = () => [
  {
    type: "mcp" as const,
    server_label: "lab_issues",
    server_url: servers.issuesUrl,
    require_approval: "never" as const,
  },
  {
    type: "mcp" as const,
    server_label: "lab_repo",
    server_url: servers.repoUrl,
    require_approval: "never" as const,
  },
];

async function mcpClient(url: string): Promise<Client> {
  const client = new Client({ name: "lab-test", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: {
        headers: { Authorization: "Bearer lab-test-token", "Foundry-Features": "Toolboxes=V1Preview" },
      },
    }),
  );
  return client;
}

describe("toolboxes on the emulator", () => {
  it("creates versions, lists them, promotes a default, and deletes with 204", async () => {
    const { toolboxes } = backend.project;
    const v1 = await toolboxes.createVersion("tb-crud", sources(), {
      description: "two sources",
      metadata: { created_by: "test" },
    });
    expect(v1).toMatchObject({
      name: "tb-crud",
      version: "1",
      description: "two sources",
      metadata: { created_by: "test" },
    });
    expect(v1.created_at).toBeInstanceOf(Date);
    expect(Math.abs(v1.created_at.getTime() - Date.now())).toBeLessThan(60_000);
    const v2 = await toolboxes.createVersion("tb-crud", sources().slice(0, 1));
    expect(v2.version).toBe("2");
    expect((await toolboxes.get("tb-crud")).default_version).toBe("1");
    const versions = [];
    for await (const v of toolboxes.listVersions("tb-crud")) versions.push(v.version);
    expect(versions.sort()).toEqual(["1", "2"]);
    expect((await toolboxes.update("tb-crud", "2")).default_version).toBe("2");
    await expect(toolboxes.update("tb-crud", "9")).rejects.toMatchObject({ statusCode: 400 });
    const names = [];
    for await (const t of toolboxes.list()) names.push(t.name);
    expect(names).toContain("tb-crud");
    await toolboxes.deleteVersion("tb-crud", "1");
    expect((await toolboxes.getVersion("tb-crud", "2")).tools).toHaveLength(1);
    await toolboxes.delete("tb-crud");
    await expect(toolboxes.get("tb-crud")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("serves the pinned version's tools over MCP and forwards calls to their source", async () => {
    await backend.project.toolboxes.createVersion("tb-mcp", sources());
    await backend.project.toolboxes.createVersion("tb-mcp", [
      { ...sources()[1], allowed_tools: ["list_files"] },
    ] as never);
    const v1 = await mcpClient(`${backend.endpoint}/toolboxes/tb-mcp/versions/1/mcp?api-version=v1`);
    const names = (await v1.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([
      "close_issue",
      "comment_on_issue",
      "create_issue",
      "get_issue",
      "list_files",
      "list_issues",
      "read_file",
    ]);
    const read = await v1.callTool({ name: "read_file", arguments: { path: "docs/rooms.md" } });
    expect(JSON.stringify(read.content)).toContain("the HDMI cable is loose");
    await v1.close();
    // Version 2 narrows the repository source to list_files; the unversioned URL serves the default (1).
    const v2 = await mcpClient(`${backend.endpoint}/toolboxes/tb-mcp/versions/2/mcp?api-version=v1`);
    expect((await v2.listTools()).tools.map((t) => t.name)).toEqual(["list_files"]);
    await v2.close();
    const current = await mcpClient(`${backend.endpoint}/toolboxes/tb-mcp/mcp?api-version=v1`);
    expect((await current.listTools()).tools).toHaveLength(7);
    await current.close();
  });

  it("names the source that failed", async () => {
    const gonePort = await closedPort();
    await backend.project.toolboxes.createVersion("tb-broken", [
      sources()[0],
      {
        type: "mcp",
        server_label: "gone",
        server_url: `http://127.0.0.1:${gonePort}/mcp`,
        require_approval: "never",
      },
    ] as never);
    const client = await mcpClient(`${backend.endpoint}/toolboxes/tb-broken/versions/1/mcp?api-version=v1`);
    await expect(client.listTools()).rejects.toThrow(
      `source 'gone' (http://127.0.0.1:${gonePort}/mcp) failed`,
    );
    await client.close();
  });

  it("refuses a request without a token", async () => {
    await backend.project.toolboxes.createVersion("tb-auth", sources());
    const res = await fetch(`${backend.endpoint}/toolboxes/tb-auth/versions/1/mcp?api-version=v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
  });
});
