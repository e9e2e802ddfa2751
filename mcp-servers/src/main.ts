/**
 * `pnpm mcp-servers`: runs both local MCP servers in the foreground and prints their URLs.
 */
import { DEFAULT_ISSUES_PORT, DEFAULT_REPO_PORT, startMcpServers } from "./servers.ts";

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
  const servers = await startMcpServers({
    issuesPort: port("LAB_ISSUES_MCP_PORT", DEFAULT_ISSUES_PORT),
    repoPort: port("LAB_REPO_MCP_PORT", DEFAULT_REPO_PORT),
  });
  console.log(`LAB_ISSUES_MCP_URL=${servers.issuesUrl}`);
  console.log(`LAB_REPO_MCP_URL=${servers.repoUrl}`);
  console.log(`Issues are stored in ${servers.issuesFile}. Ctrl-C stops both servers.`);
  const stop = async () => {
    await servers.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
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
