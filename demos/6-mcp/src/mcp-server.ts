/**
 * Which MCP server the agent uses. The service calls MCP servers from the cloud, so on Azure it must be
 * reachable from the internet: by default Microsoft Learn's public documentation server (no key needed).
 * On the emulator it is the lab's local "issues" server: this checkout's, started here when it does not run.
 */

import { ensureMcpServers } from "@lab/mcp-servers/servers";
import { ConfigError } from "@lab/shared/errors";
import type { Lab } from "@lab/shared/lab";
import { dim } from "@lab/shared/terminal";

export async function mcpServer(lab: Lab): Promise<{ label: string; url: string }> {
  const { env, backend } = lab.config;
  if (env.MCP_SERVER_URL) return { label: env.MCP_SERVER_LABEL || "mcp_server", url: env.MCP_SERVER_URL };
  if (backend === "azure") return { label: "microsoft_learn", url: "https://learn.microsoft.com/api/mcp" };
  const url =
    env.LAB_ISSUES_MCP_URL ||
    (
      await ensureMcpServers({
        say: (line) => process.stdout.write(`${dim(line)}\n`),
        refuse: (sentence) => new ConfigError(sentence),
      })
    ).issuesUrl;
  return { label: "lab_issues", url };
}
