/**
 * Starting the two local MCP servers: on fixed default ports (so an agent definition that names their
 * URLs stays the same from run to run), or reusing them when `pnpm mcp-servers` already runs them.
 */
import path from "node:path";
import { type ServedMcp, serveMcp } from "./http.ts";
import { IssueStore, issuesServer } from "./issues-server.ts";
import { repoServer } from "./repo-server.ts";

export const DEFAULT_ISSUES_PORT = 8931;
export const DEFAULT_REPO_PORT = 8932;

export interface LocalMcpServers {
  issuesUrl: string;
  repoUrl: string;
  /** Where the issues live (a JSON file). */
  issuesFile: string;
  close(): Promise<void>;
}

export function defaultMcpDataDir(): string {
  return path.resolve(
    process.env.LAB_MCP_DATA_DIR ?? path.join(import.meta.dirname, "..", "..", ".lab", "mcp"),
  );
}

export async function startMcpServers(
  options: { dataDir?: string; issuesPort?: number; repoPort?: number; background?: boolean } = {},
): Promise<LocalMcpServers> {
  const dataDir = options.dataDir ?? defaultMcpDataDir();
  const store = new IssueStore(path.join(dataDir, "issues.json"));
  const issues = await serveMcp(
    () => issuesServer(store),
    options.issuesPort ?? 0,
    "127.0.0.1",
    options.background,
  );
  let repo: ServedMcp;
  try {
    repo = await serveMcp(() => repoServer(), options.repoPort ?? 0, "127.0.0.1", options.background);
  } catch (err) {
    await issues.close();
    throw err;
  }
  return {
    issuesUrl: issues.url,
    repoUrl: repo.url,
    issuesFile: store.file,
    close: async () => {
      await Promise.all([issues.close(), repo.close()]);
    },
  };
}

/** True when an MCP server answers `initialize` at `url` within a second. */
export async function answersMcp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "lab-probe", version: "1" },
        },
      }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The servers for a demo on the emulator: the ones at the default ports if they answer (`pnpm mcp-servers`
 * in another terminal, or an earlier demo in this process), else new ones in this process on those ports.
 */
export async function ensureMcpServers(): Promise<{ issuesUrl: string; repoUrl: string; started: boolean }> {
  // The same ports `pnpm mcp-servers` takes (LAB_ISSUES_MCP_PORT, LAB_REPO_MCP_PORT), so both agree.
  const issuesPort = portFromEnv("LAB_ISSUES_MCP_PORT", DEFAULT_ISSUES_PORT);
  const repoPort = portFromEnv("LAB_REPO_MCP_PORT", DEFAULT_REPO_PORT);
  const issuesUrl = `http://127.0.0.1:${issuesPort}/mcp`;
  const repoUrl = `http://127.0.0.1:${repoPort}/mcp`;
  if ((await answersMcp(issuesUrl)) && (await answersMcp(repoUrl)))
    return { issuesUrl, repoUrl, started: false };
  const servers = await startMcpServers({ issuesPort, repoPort, background: true });
  return { issuesUrl: servers.issuesUrl, repoUrl: servers.repoUrl, started: true };
}

/** A port from the environment (1-65535), or the default when it is unset or not a port. */
function portFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? value : fallback;
}
