/**
 * Registering the agent pinned to one toolbox version: its tool is an MCP tool pointing at that version's
 * MCP endpoint. Shared by create-agent and promote, which both (re)pin.
 */
import type { AgentVersion } from "@azure/ai-projects";
import { ifExists, sameDefinition } from "@lab/shared/agents";
import type { Lab } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { allowedTools, readOnlyTools } from "./sources.ts";

export async function pinAgent(lab: Lab, toolbox: string, version: string): Promise<AgentVersion> {
  const { project, config, credential } = lab;
  // The toolbox's MCP endpoint checks the caller's Entra token, passed here as-is (no "Bearer ").
  // It expires within hours: fine for a lab; in production use project_connection_id instead.
  const token = (await credential.getToken("https://ai.azure.com/.default"))?.token ?? "";
  const definition = {
    kind: "prompt" as const,
    model: config.model,
    instructions: "You help with the lab's issues and repository through the tools of your toolbox.",
    tools: [
      {
        type: "mcp" as const,
        server_label: toolbox.replace(/-/g, "_"),
        // Pinned: /versions/{n}/mcp, not /mcp (which follows the default version wherever it moves).
        server_url: `${project.endpoint}/toolboxes/${toolbox}/versions/${version}/mcp?api-version=v1`,
        authorization: token,
        allowed_tools: allowedTools(lab),
        require_approval: { never: { tool_names: readOnlyTools(lab) } },
      },
    ],
  };
  const latest = (await ifExists(() => project.agents.get(config.agentName)))?.versions.latest;
  if (latest && sameDefinition(latest, definition)) return latest;
  return project.agents.createVersion(config.agentName, definition, {
    description: `Demo 7 of the Foundry Agent Lab: pinned to toolbox ${toolbox} version ${version}.`,
    metadata: labMetadata(config.demo.id),
  });
}
