/**
 * What goes into the toolbox. On Azure: GitHub's issues and repositories MCP toolsets, reached through a
 * project connection that holds the GitHub token (no key in code). On the emulator: the lab's two local
 * MCP servers (issues, repository), started here when they are not already running.
 */
import type { MCPToolboxTool, ToolboxToolUnion } from "@azure/ai-projects";
import { ensureMcpServers } from "@lab/mcp-servers/servers";
import { ConfigError, LabError } from "@lab/shared/errors";
import type { Lab } from "@lab/shared/lab";
import { dim } from "@lab/shared/terminal";

export const DEFAULT_TOOLBOX = "lab-toolbox";

/**
 * The tools this agent may call through the toolbox (`allowed_tools`): the agent's own narrowing (no
 * comments). Closing issues is allowed here; version 2 of the toolbox takes it away for every agent.
 */
export function allowedTools(lab: Lab): string[] {
  return lab.config.backend === "azure"
    ? ["list_issues", "get_issue", "create_issue", "update_issue", "get_file_contents", "search_code"]
    : ["list_issues", "get_issue", "create_issue", "close_issue", "list_files", "read_file"];
}

/** Version 2's issues source: everything but closing, for every agent that uses the toolbox. */
export const WITHOUT_CLOSING = ["list_issues", "get_issue", "create_issue", "comment_on_issue"];

/** Tools that only read: no approval needed for those. */
export function readOnlyTools(lab: Lab): string[] {
  return allowedTools(lab).filter((name) => /^(list|get|read|search)_/.test(name));
}

export async function toolboxSources(lab: Lab): Promise<ToolboxToolUnion[]> {
  const { env, backend } = lab.config;
  if (backend === "azure") {
    const connection = env.GITHUB_CONNECTION_ID;
    if (!connection) {
      throw new ConfigError(
        "Demo 7 on Azure needs GITHUB_CONNECTION_ID: create a project connection to the GitHub MCP server (custom keys, Authorization: Bearer <token>) and put its id in .env.",
      );
    }
    return [
      {
        type: "mcp",
        server_label: "github_issues",
        server_url: "https://api.githubcopilot.com/mcp/x/issues",
        project_connection_id: connection,
        require_approval: "never",
      },
      {
        type: "mcp",
        server_label: "github_repos",
        server_url: "https://api.githubcopilot.com/mcp/x/repos",
        project_connection_id: connection,
        require_approval: "never",
      },
    ];
  }
  const local =
    env.LAB_ISSUES_MCP_URL && env.LAB_REPO_MCP_URL
      ? { issuesUrl: env.LAB_ISSUES_MCP_URL, repoUrl: env.LAB_REPO_MCP_URL }
      : await ensureMcpServers({
          say: (line) => process.stdout.write(`${dim(line)}\n`),
          refuse: (sentence) => new ConfigError(sentence),
        });
  return [
    { type: "mcp", server_label: "lab_issues", server_url: local.issuesUrl, require_approval: "never" },
    { type: "mcp", server_label: "lab_repo", server_url: local.repoUrl, require_approval: "never" },
  ];
}

/**
 * On the emulator the toolbox names this checkout's local MCP servers by URL. If they have moved since it
 * was made (their ports were taken by another checkout), it would reach whatever listens there now.
 */
export function checkSourcesStayed(
  toolbox: string,
  version: { version: string; tools: ToolboxToolUnion[] },
  sources: ToolboxToolUnion[],
): void {
  // Only MCP sources name a URL; each is matched to the same label in the toolbox version.
  const urls = (tools: ToolboxToolUnion[]) =>
    new Map(
      tools.flatMap((t) => {
        const mcp = t as Partial<MCPToolboxTool>;
        return t.type === "mcp" && mcp.server_label && mcp.server_url
          ? [[mcp.server_label, mcp.server_url]]
          : [];
      }),
    );
  const made = urls(version.tools);
  for (const [label, now] of urls(sources)) {
    const was = made.get(label);
    if (was && was !== now) {
      throw new LabError(
        `Toolbox ${toolbox} version ${version.version} reaches ${label} at ${was}, but this checkout's server is at ${now}: run pnpm 7-toolbox:reset, then pnpm 7-toolbox, to make the toolbox again.`,
      );
    }
  }
}
