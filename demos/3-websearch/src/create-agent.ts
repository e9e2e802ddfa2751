/**
 * Demo 3 · create-agent: a prompt agent with a built-in tool. `web_search` runs inside the service: the
 * agent definition just lists it, and no code of ours ever executes a search. WEB_SEARCH_TOOL picks the
 * GA tool (`web_search`, default) or the preview one (`web_search_preview`) for projects that need it.
 */
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { ConfigError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { WebSearchState } from "./state.ts";

const lab = await connect(import.meta.dirname, "web-agent");
const { project, config } = lab;

const toolType = config.env.WEB_SEARCH_TOOL ?? "web_search";
if (toolType !== "web_search" && toolType !== "web_search_preview") {
  throw new ConfigError(
    `WEB_SEARCH_TOOL=${toolType} (${config.sources.WEB_SEARCH_TOOL ?? "environment"}) must be web_search or web_search_preview.`,
  );
}

// The whole tool is its type: the service runs the searches and cites the pages in the answer.
const definition = {
  kind: "prompt" as const,
  model: config.model,
  instructions:
    "You answer questions using web search. Cite the pages you used, and say so when the search finds nothing relevant.",
  tools: [
    toolType === "web_search" ? { type: "web_search" as const } : { type: "web_search_preview" as const },
  ],
};

const existing = await ifExists(() => project.agents.get(config.agentName));
const latest = existing?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 3 of the Foundry Agent Lab: a built-in tool (web search) with citations.",
        metadata: labMetadata(config.demo.id),
      });

lab
  .state<WebSearchState>()
  .update((state) => ({ ...state, agent: { name: agent.name, version: agent.version } }));
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
    : `Created agent ${agent.name} version ${agent.version} with the ${toolType} tool.`,
);
