/**
 * Demo 1 · create-agent: the same prompt agent as demo 0, plus one function tool. The service learns
 * the tool's name, description and JSON schema; it never sees the code that runs it.
 */
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { DEFAULT_AGENT_NAME, weatherAgentDefinition } from "./agent.ts";
import type { ToolsState } from "./state.ts";
import { weatherTools } from "./tools.ts";
import { checkWeatherSetting } from "./weather.ts";

const lab = await connect(import.meta.dirname, DEFAULT_AGENT_NAME, { checkSettings: checkWeatherSetting });
const { project, config } = lab;

const definition = weatherAgentDefinition(config.model, weatherTools(config.env));
const latest = (await ifExists(() => project.agents.get(config.agentName)))?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 1 of the Foundry Agent Lab: a function tool (live weather).",
        metadata: labMetadata(config.demo.id),
      });

lab
  .state<ToolsState>()
  .update((state) => ({ ...state, agent: { name: agent.name, version: agent.version } }));
const tools = definition.tools?.map((tool) => ("name" in tool ? tool.name : tool.type)).join(", ");
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it (tools: ${tools}).`
    : `Created agent ${agent.name} version ${agent.version} with tools: ${tools}.`,
);
