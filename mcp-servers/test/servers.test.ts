/**
 * The local MCP servers, exercised by the MCP SDK's own client over Streamable HTTP.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runLab, tempDir } from "../../shared/test/support.ts";
import { type LocalMcpServers, startMcpServers } from "../src/servers.ts";

let servers: LocalMcpServers;
beforeAll(async () => {
  servers = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
});
afterAll(() => servers?.close());

async function connectTo(url: string): Promise<Client> {
  const client = new Client({ name: "lab-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const textOf = (result: unknown) =>
  (((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>)
    .map((c) => c.text ?? "")
    .join("");

describe("the lab issues MCP server", () => {
  it("lists its tools with read-only and side-effecting annotations", async () => {
    const client = await connectTo(servers.issuesUrl);
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      "close_issue",
      "comment_on_issue",
      "create_issue",
      "get_issue",
      "list_issues",
    ]);
    expect(byName.list_issues?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get_issue?.annotations?.readOnlyHint).toBe(true);
    expect(byName.create_issue?.annotations?.readOnlyHint).toBe(false);
    expect(byName.close_issue?.annotations?.destructiveHint).toBe(true);
    await client.close();
  });

  it("creates, comments on and closes issues in its JSON store", async () => {
    const client = await connectTo(servers.issuesUrl);
    const created = await client.callTool({
      name: "create_issue",
      arguments: { title: "Clicker battery", body: "Dead." },
    });
    expect(textOf(created)).toContain('"created": 3');
    await client.callTool({ name: "comment_on_issue", arguments: { number: 3, body: "Bought new ones." } });
    const closed = await client.callTool({ name: "close_issue", arguments: { number: 3 } });
    expect(JSON.parse(textOf(closed))).toEqual({ closed: 3 });
    const again = await client.callTool({ name: "close_issue", arguments: { number: 3 } });
    expect(JSON.parse(textOf(again))).toEqual({ closed: 3, already_closed: true });
    const stored = JSON.parse(readFileSync(servers.issuesFile, "utf8"));
    expect(stored.issues.find((i: { number: number }) => i.number === 3)).toMatchObject({
      title: "Clicker battery",
      state: "closed",
      comments: [{ body: "Bought new ones." }],
    });
    const missing = await client.callTool({ name: "get_issue", arguments: { number: 99 } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe("There is no issue #99.");
    await client.close();
  });

  it.skipIf(process.platform === "win32")(
    "keeps its issues private: a 0700 folder, a 0600 file",
    async () => {
      const own = await startMcpServers({ dataDir: path.join(tempDir("lab-mcp-"), "fresh", "mcp") });
      try {
        const client = await connectTo(own.issuesUrl);
        await client.callTool({ name: "create_issue", arguments: { title: "Private", body: "Yes." } });
        await client.close();
        expect((statSync(own.issuesFile).mode & 0o777).toString(8)).toBe("600");
        expect((statSync(path.dirname(own.issuesFile)).mode & 0o777).toString(8)).toBe("700");
        expect((statSync(path.dirname(path.dirname(own.issuesFile))).mode & 0o777).toString(8)).toBe("700");
      } finally {
        await own.close();
      }
    },
  );

  it("rejects arguments that break the schema, changing nothing", async () => {
    const client = await connectTo(servers.issuesUrl);
    const before = existsSync(servers.issuesFile) ? readFileSync(servers.issuesFile, "utf8") : "";
    const bad = await client.callTool({ name: "create_issue", arguments: { title: 42 } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/title/);
    expect(existsSync(servers.issuesFile) ? readFileSync(servers.issuesFile, "utf8") : "").toBe(before);
    await client.close();
  });

  it("refuses a foreign Origin and a foreign Host", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const foreignOrigin = await fetch(servers.issuesUrl, {
      method: "POST",
      headers: { ...headers, origin: "https://evil.example" },
      body: JSON.stringify(init),
    });
    expect(foreignOrigin.status).toBe(403);
    const port = new URL(servers.issuesUrl).port;
    const http = await import("node:http");
    const status = await new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/mcp",
          method: "POST",
          headers: { ...headers, host: "evil.example" },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.end(JSON.stringify(init));
    });
    expect(status).toBe(403);
  });
});

describe("GET /lab-mcp and POST /lab-mcp/exit", () => {
  it("name whose servers these are; exit only with the key, and never for a foreign Host", async () => {
    const dataDir = tempDir("lab-mcp-");
    let exits = 0;
    const own = await startMcpServers({ dataDir, exitKey: "k".repeat(48), onExit: () => exits++ });
    try {
      type About = { lab_mcp: string; data: string; code: string; pid: number };
      const about = (await (await fetch(new URL("/lab-mcp", own.issuesUrl))).json()) as About;
      expect(about).toMatchObject({ lab_mcp: "lab_issues", pid: process.pid });
      const other = (await (await fetch(new URL("/lab-mcp", servers.issuesUrl))).json()) as About;
      expect(other.code).toBe(about.code);
      expect(other.data).not.toBe(about.data);
      const exit = new URL("/lab-mcp/exit", own.issuesUrl);
      for (const key of [undefined, "", "k".repeat(47), "x".repeat(48)]) {
        const res = await fetch(exit, {
          method: "POST",
          headers: key === undefined ? {} : { "x-lab-mcp-key": key },
        });
        expect(res.status).toBe(403);
      }
      // Without an exit key (as in every test's servers), nothing opens the endpoint.
      const none = await fetch(new URL("/lab-mcp/exit", servers.issuesUrl), {
        method: "POST",
        headers: { "x-lab-mcp-key": "" },
      });
      expect(none.status).toBe(403);
      const http = await import("node:http");
      const foreign = await new Promise<number>((resolve) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port: new URL(own.issuesUrl).port,
            path: "/lab-mcp/exit",
            method: "POST",
            headers: { host: "evil.example", "x-lab-mcp-key": "k".repeat(48) },
          },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.end();
      });
      expect(foreign).toBe(403);
      expect(exits).toBe(0);
      const ok = await fetch(exit, { method: "POST", headers: { "x-lab-mcp-key": "k".repeat(48) } });
      expect(ok.status).toBe(202);
      await vi.waitFor(() => expect(exits).toBe(1));
    } finally {
      await own.close();
    }
  });
});

describe("bad bodies get a JSON-RPC error, never Express's HTML page", () => {
  it("malformed and oversized JSON: JSON-RPC errors with no stack or path in them", async () => {
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const cases: Array<[string, number, number]> = [
      ['{"jsonrpc":"2.0","id":1,"method":', 400, -32700],
      [
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(200_000) } }),
        413,
        -32600,
      ],
    ];
    for (const url of [servers.issuesUrl, servers.repoUrl]) {
      for (const [body, status, code] of cases) {
        const res = await fetch(url, { method: "POST", headers, body });
        const text = await res.text();
        expect(res.status).toBe(status);
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(JSON.parse(text)).toMatchObject({ jsonrpc: "2.0", error: { code }, id: null });
        expect(text).not.toContain("<");
        expect(text).not.toContain(path.resolve(import.meta.dirname, "..", ".."));
        expect(text).not.toMatch(/node_modules|at \w+ \(/);
      }
    }
  });
});

describe("the lab repository MCP server", () => {
  it("lists and reads files, and refuses paths outside its folder", async () => {
    const client = await connectTo(servers.repoUrl);
    const { tools } = await client.listTools();
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(textOf(await client.callTool({ name: "list_files", arguments: {} }))).toContain("docs/");
    expect(
      textOf(await client.callTool({ name: "read_file", arguments: { path: "docs/rooms.md" } })),
    ).toContain("the HDMI cable is loose");
    const outside = await client.callTool({
      name: "read_file",
      arguments: { path: `../../${path.basename(import.meta.dirname)}/servers.test.ts` },
    });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toContain("outside the repository");
    await client.close();
  });
});

describe("pnpm mcp-servers", () => {
  it("a port already in use: the sentence that says so, exit 1", async () => {
    const port = new URL(servers.issuesUrl).port;
    const result = await runLab(["mcp-servers"], {
      env: { LAB_ISSUES_MCP_PORT: port, LAB_REPO_MCP_PORT: "0", LAB_MCP_DATA_DIR: tempDir("lab-mcp-") },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "A port for the MCP servers is already in use (another `pnpm mcp-servers`?): stop it, or set LAB_ISSUES_MCP_PORT and LAB_REPO_MCP_PORT.",
    );
  });
});
