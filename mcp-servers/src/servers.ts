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
  /** Milliseconds since either server last had a request. */
  idleMs(): number;
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
    idleMs: () => Math.min(issues.idleMs(), repo.idleMs()),
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
 * The servers for a demo on the emulator, on the fixed default ports (an agent's MCP tool names their URL):
 * the ones already answering there (`pnpm mcp-servers`, or another demo's run), else a shared pair started
 * in a process of their own that outlives the run that started it and stops itself after
 * SHARED_IDLE_EXIT_MS without a request. Two learners' runs (or two terminals) share them and their issues;
 * neither run's exit breaks the other's approved calls.
 */
export const SHARED_IDLE_EXIT_MS = 60 * 60_000;

export async function ensureMcpServers(): Promise<{ issuesUrl: string; repoUrl: string; started: boolean }> {
  // The same variables as `pnpm mcp-servers` (main.ts, which the shared pair runs, reads them too).
  const issuesPort = Number(process.env.LAB_ISSUES_MCP_PORT) || DEFAULT_ISSUES_PORT;
  const repoPort = Number(process.env.LAB_REPO_MCP_PORT) || DEFAULT_REPO_PORT;
  const issuesUrl = `http://127.0.0.1:${issuesPort}/mcp`;
  const repoUrl = `http://127.0.0.1:${repoPort}/mcp`;
  const answering = async () => (await answersMcp(issuesUrl)) && (await answersMcp(repoUrl));
  if (await answering()) return { issuesUrl, repoUrl, started: false };
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [path.join(import.meta.dirname, "main.ts")], {
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      LAB_MCP_IDLE_EXIT_MS: process.env.LAB_MCP_IDLE_EXIT_MS || String(SHARED_IDLE_EXIT_MS),
      NODE_OPTIONS: "",
    },
  });
  child.unref();
  // Two runs starting at once: one of the two processes gets the ports, the other exits; both runs wait.
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (await answering()) return { issuesUrl, repoUrl, started: true };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `The local MCP servers did not start on ports ${issuesPort} and ${repoPort} (is another program using them?); run pnpm mcp-servers to see why.`,
  );
}
