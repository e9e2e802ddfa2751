/**
 * Demo 6 · create-agent: an agent whose tool is an MCP server. The service, not your code, talks to the
 * server; `require_approval: "always"` makes it stop and ask before every call. Written out on purpose:
 * agents made in the portal default to "never", and then approvals silently never happen.
 */
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { mcpServer } from "./mcp-server.ts";
import type { McpState } from "./state.ts";

const lab = await connect(import.meta.dirname, "mcp-agent");
const { project, config } = lab;
const server = await mcpServer(lab);

const definition = {
  kind: "prompt" as const,
  model: config.model,
  instructions:
    "You help with the tools of the connected MCP server. Say what a tool did, or why it was not run.",
  tools: [
    {
      type: "mcp" as const,
      server_label: server.label,
      server_url: server.url,
      require_approval: "always" as const,
    },
  ],
};
const latest = (await ifExists(() => project.agents.get(config.agentName)))?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 6 of the Foundry Agent Lab: an MCP server with human approval.",
        metadata: labMetadata(config.demo.id),
      });

lab
  .state<McpState>()
  .update((state) => ({ ...state, agent: { name: agent.name, version: agent.version }, server }));
console.log(
  `${agent === latest ? "Reusing" : "Created"} agent ${agent.name} version ${agent.version} with MCP server ${server.label} (${server.url}), require_approval: always.`,
);
