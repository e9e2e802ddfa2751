/**
 * Demo 0 · create-agent: an agent is a definition the service keeps (model deployment + instructions),
 * stored as immutable, numbered versions. This registers a prompt agent version, or reuses the latest
 * one when the definition has not changed.
 */
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { HelloState } from "./state.ts";

const lab = await connect(import.meta.dirname, "hello-agent");
const { project, config } = lab;

// A prompt agent: the service runs the model with these instructions for every response that names it.
const definition = {
  kind: "prompt" as const,
  model: config.model,
  instructions:
    "You are the greeter of the Foundry Agent Lab. Answer briefly and remember what the user tells you in this conversation.",
};

// createVersion always adds a version (1, 2, 3, …); reusing an identical latest one keeps the list short.
const existing = await ifExists(() => project.agents.get(config.agentName));
const latest = existing?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 0 of the Foundry Agent Lab: hello and conversations.",
        metadata: labMetadata(config.demo.id),
      });

lab
  .state<HelloState>()
  .update((state) => ({ ...state, agent: { name: agent.name, version: agent.version } }));
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
    : `Created agent ${agent.name} version ${agent.version} on model deployment ${config.model}.`,
);
