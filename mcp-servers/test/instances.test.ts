/**
 * Two checkouts on one machine (the lab, and a copy of its mcp-servers/ with its own data folder, as an
 * ejected demo or a second clone has), started one after the other: neither reuses the other's shared
 * pair, and a pair of this checkout running older code is replaced rather than reused. Each start is a
 * child process that calls `ensureMcpServers` as a demo does; every port is a free one on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, it, vi } from "vitest";
import { closedPort, runLab, startBackend, tempDir } from "../../shared/test/support.ts";
import { RUNTIME_FILE } from "../src/servers.ts";

const lab = path.resolve(import.meta.dirname, "..");

/** A second checkout: a copy of mcp-servers/ whose default data folder is its own `.lab/mcp`. */
function copyOfMcpServers(): { root: string; dataDir: string } {
  const checkout = tempDir("lab-copy-");
  const root = path.join(checkout, "mcp-servers");
  for (const part of ["src", "data", "package.json"])
    cpSync(path.join(lab, part), path.join(root, part), { recursive: true });
  symlinkSync(path.join(lab, "node_modules"), path.join(root, "node_modules"), "dir");
  return { root, dataDir: path.join(checkout, ".lab", "mcp") };
}

interface Start {
  code: number;
  stdout: string;
  stderr: string;
  issuesUrl?: string;
  repoUrl?: string;
  started?: boolean;
}

const startedDirs: string[] = [];

/** One demo run's start of the servers, from the checkout at `root`. */
function start(
  root: string,
  env: NodeJS.ProcessEnv,
  ports?: { issues: number; repo: number },
): Promise<Start> {
  const script = `
    const { ensureMcpServers } = await import(${JSON.stringify(path.join(root, "src", "servers.ts"))});
    try {
      const got = await ensureMcpServers({ say: (line) => console.log(line), ports: ${JSON.stringify(ports)} });
      console.log(JSON.stringify(got));
    } catch (err) {
      console.error(err.message);
      process.exit(2);
    }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, LAB_MCP_IDLE_EXIT_MS: "20000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve) =>
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      resolve({
        code: code ?? 1,
        stdout,
        stderr: stderr.trim(),
        ...(last.startsWith("{") ? JSON.parse(last) : {}),
      });
    }),
  );
}

async function about(url: string): Promise<{ data: string; code: string; pid: number }> {
  return (await (await fetch(new URL("/lab-mcp", url))).json()) as {
    data: string;
    code: string;
    pid: number;
  };
}

async function createIssue(url: string, title: string): Promise<void> {
  const client = new Client({ name: "lab-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await client.callTool({ name: "create_issue", arguments: { title, body: "From a test." } });
  await client.close();
}

const issuesIn = (dataDir: string): string[] => {
  const file = path.join(dataDir, "issues.json");
  return existsSync(file)
    ? JSON.parse(readFileSync(file, "utf8")).issues.map((i: { title: string }) => i.title)
    : [];
};

/** Stops a checkout's pair as a newer run would (the key from its record), and waits until it is gone. */
async function stopPair(dataDir: string): Promise<void> {
  const file = path.join(dataDir, RUNTIME_FILE);
  if (!existsSync(file)) return;
  const { issuesPort, key } = JSON.parse(readFileSync(file, "utf8"));
  const url = `http://127.0.0.1:${issuesPort}/lab-mcp`;
  await fetch(`${url}/exit`, { method: "POST", headers: { "x-lab-mcp-key": key } }).catch(() => {});
  await vi.waitFor(
    async () => {
      if (
        await fetch(url).then(
          () => true,
          () => false,
        )
      )
        throw new Error("still up");
    },
    { timeout: 10_000 },
  );
}

afterAll(async () => {
  for (const dir of startedDirs) await stopPair(dir);
});

describe("two checkouts started one after the other", () => {
  it("the second does not reuse the first's pair: other ports, its own issues, one line saying so", async () => {
    const ports = { issues: await closedPort(), repo: await closedPort() };
    const labData = tempDir("lab-mcp-");
    const copy = copyOfMcpServers();
    startedDirs.push(labData, copy.dataDir);

    const first = await start(lab, { LAB_MCP_DATA_DIR: labData }, ports);
    expect(first.code, first.stderr).toBe(0);
    expect(first.issuesUrl).toBe(`http://127.0.0.1:${ports.issues}/mcp`);

    const second = await start(copy.root, {}, ports);
    expect(second.code, second.stderr).toBe(0);
    expect(second.issuesUrl).not.toBe(first.issuesUrl);
    expect(second.stdout).toContain(
      `Ports ${ports.issues} and ${ports.repo} are taken by the MCP servers of another checkout or ejected copy of the lab`,
    );
    await createIssue(second.issuesUrl as string, "Written by the copy");
    expect(issuesIn(copy.dataDir)).toContain("Written by the copy");
    expect(issuesIn(labData)).not.toContain("Written by the copy");

    // A second terminal of the copy finds the copy's pair where it runs, and shares it.
    const again = await start(copy.root, {}, ports);
    expect(again).toMatchObject({
      code: 0,
      issuesUrl: second.issuesUrl,
      repoUrl: second.repoUrl,
      started: false,
    });
    expect(again.stdout).toContain(`This checkout's MCP servers use ports`);
    // And the lab's own next run still gets the lab's pair.
    const labAgain = await start(lab, { LAB_MCP_DATA_DIR: labData }, ports);
    expect(labAgain).toMatchObject({ code: 0, issuesUrl: first.issuesUrl, started: false });

    // Both pairs stop (idle, or asked); the copy's next pair takes its last ports again, though the
    // defaults are free now, so the URLs its agents name stay right.
    await stopPair(copy.dataDir);
    await stopPair(labData);
    const later = await start(copy.root, {}, ports);
    expect(later).toMatchObject({ code: 0, issuesUrl: second.issuesUrl, started: true });
    expect(issuesIn(copy.dataDir)).toContain("Written by the copy");
  });

  it("pinned ports held by another checkout: one sentence naming the holder, exit 2, nothing written", async () => {
    const pinned = {
      LAB_ISSUES_MCP_PORT: String(await closedPort()),
      LAB_REPO_MCP_PORT: String(await closedPort()),
    };
    const labData = tempDir("lab-mcp-");
    const copy = copyOfMcpServers();
    startedDirs.push(labData, copy.dataDir);
    const first = await start(lab, { ...pinned, LAB_MCP_DATA_DIR: labData });
    expect(first.code, first.stderr).toBe(0);
    const { pid } = await about(first.issuesUrl as string);

    const second = await start(copy.root, pinned);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(
      `Port ${pinned.LAB_ISSUES_MCP_PORT} (LAB_ISSUES_MCP_PORT) is held by the MCP servers of another checkout or ejected copy of the lab (process ${pid}): stop it, or set LAB_ISSUES_MCP_PORT to another port.`,
    );
    expect(existsSync(copy.dataDir)).toBe(false);
  });

  it("pnpm 6-mcp with pinned ports another checkout holds: that sentence, exit 2", async () => {
    const pinned = {
      LAB_ISSUES_MCP_PORT: String(await closedPort()),
      LAB_REPO_MCP_PORT: String(await closedPort()),
    };
    const copy = copyOfMcpServers();
    startedDirs.push(copy.dataDir);
    const held = await start(copy.root, pinned);
    expect(held.code, held.stderr).toBe(0);
    const labData = tempDir("lab-mcp-");
    const backend = await startBackend();
    try {
      const run = await runLab(["6-mcp"], {
        env: { ...backend.env, ...pinned, LAB_MCP_DATA_DIR: labData },
        input: ["list the open issues"],
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `Port ${pinned.LAB_ISSUES_MCP_PORT} (LAB_ISSUES_MCP_PORT) is held by the MCP servers of another checkout or ejected copy of the lab`,
      );
      expect(run.stderr).not.toMatch(/\bat \w+ \(|Unexpected error/);
      expect(existsSync(labData) && issuesIn(labData).length).toBeFalsy();
    } finally {
      await backend.close();
    }
  });

  it("a port held by something that is not a lab server: named as such", async () => {
    const http = await import("node:http");
    const other = http.createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as import("node:net").AddressInfo).port;
    try {
      const result = await start(lab, {
        LAB_ISSUES_MCP_PORT: String(port),
        LAB_REPO_MCP_PORT: String(await closedPort()),
        LAB_MCP_DATA_DIR: tempDir("lab-mcp-"),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `Port ${port} (LAB_ISSUES_MCP_PORT) is held by a program that does not answer as the lab's MCP servers (another program, or an older version of the lab's): stop it, or set LAB_ISSUES_MCP_PORT to another port.`,
      );
    } finally {
      other.close();
    }
  });
});

describe("one checkout whose server code changed", () => {
  it("the running older pair is asked to exit and replaced on the same ports; its issues stay", async () => {
    const copy = copyOfMcpServers();
    startedDirs.push(copy.dataDir);
    const pinned = {
      LAB_ISSUES_MCP_PORT: String(await closedPort()),
      LAB_REPO_MCP_PORT: String(await closedPort()),
    };
    const first = await start(copy.root, pinned);
    expect(first.code, first.stderr).toBe(0);
    const before = await about(first.issuesUrl as string);
    await createIssue(first.issuesUrl as string, "Before the edit");

    appendFileSync(path.join(copy.root, "src", "repo-server.ts"), "\n// An edit.\n");
    const second = await start(copy.root, pinned);
    expect(second).toMatchObject({ code: 0, issuesUrl: first.issuesUrl, started: true });
    const after = await about(second.issuesUrl as string);
    expect(after.data).toBe(before.data);
    expect(after.code).not.toBe(before.code);
    expect(after.pid).not.toBe(before.pid);
    expect(issuesIn(copy.dataDir)).toContain("Before the edit");
  });
});
