/**
 * `pnpm mcp-servers`: runs both local MCP servers in the foreground and prints their URLs. A demo runs the
 * same file as this checkout's shared pair (servers.ts), with LAB_MCP_IDLE_EXIT_MS set.
 */
import { randomBytes } from "node:crypto";
import {
  DEFAULT_ISSUES_PORT,
  DEFAULT_REPO_PORT,
  defaultMcpDataDir,
  recordRuntime,
  startMcpServers,
} from "./servers.ts";

const port = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(
      `${name} is "${raw}"; use a port number from 1 to 65535 (or 0 for any free port).\n`,
    );
    process.exit(2);
  }
  return value;
};

try {
  const dataDir = defaultMcpDataDir();
  const key = randomBytes(24).toString("hex");
  const servers = await startMcpServers({
    dataDir,
    issuesPort: port("LAB_ISSUES_MCP_PORT", DEFAULT_ISSUES_PORT),
    repoPort: port("LAB_REPO_MCP_PORT", DEFAULT_REPO_PORT),
    // Asked by a run of this checkout whose code is newer than this process's: that run starts the new pair.
    exitKey: key,
    onExit: () => void stop("Stopped: a run of this checkout with newer code replaces these servers."),
  });
  // The record names the ports actually bound (0 picks free ones) and the key.
  recordRuntime(dataDir, {
    issuesPort: Number(new URL(servers.issuesUrl).port),
    repoPort: Number(new URL(servers.repoUrl).port),
    key,
  });
  const stop = async (why?: string) => {
    await servers.close();
    if (why) console.log(why);
    process.exit(0);
  };
  console.log(`LAB_ISSUES_MCP_URL=${servers.issuesUrl}`);
  console.log(`LAB_REPO_MCP_URL=${servers.repoUrl}`);
  console.log(`Issues are stored in ${servers.issuesFile}. Ctrl-C stops both servers.`);
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  // Started by a demo as the shared pair (servers.ts): stop once no run has used them for a while.
  const idleExit = Number(process.env.LAB_MCP_IDLE_EXIT_MS);
  if (idleExit > 0) {
    setInterval(
      () => {
        if (servers.idleMs() > idleExit) void stop();
      },
      Math.min(idleExit, 30_000),
    ).unref();
  }
} catch (err) {
  const code = (err as { code?: string }).code;
  process.stderr.write(
    code === "EADDRINUSE"
      ? "A port for the MCP servers is already in use (another `pnpm mcp-servers`?): stop it, or set LAB_ISSUES_MCP_PORT and LAB_REPO_MCP_PORT.\n"
      : `The MCP servers could not start: ${(err as Error).message}\n`,
  );
  process.exit(1);
}
