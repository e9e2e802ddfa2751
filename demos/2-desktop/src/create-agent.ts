/**
 * Demo 2 · create-agent: registers demo 1's agent definition, imported unchanged, under this demo's own
 * name (so resetting one demo never deletes the other's agent). Nothing about the agent changes when
 * the user interface does.
 */
import { weatherAgentDefinition } from "@lab/1-tools/agent";
import { weatherTools } from "@lab/1-tools/tools";
import { checkWeatherSetting } from "@lab/1-tools/weather";
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { DesktopState } from "./state.ts";

const lab = await connect(import.meta.dirname, "desktop-weather-agent", {
  checkSettings: checkWeatherSetting,
});
const { project, config } = lab;

const definition = weatherAgentDefinition(config.model, weatherTools(config.env));
const latest = (await ifExists(() => project.agents.get(config.agentName)))?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 2 of the Foundry Agent Lab: demo 1's weather agent behind a full-screen app.",
        metadata: labMetadata(config.demo.id),
      });

lab
  .state<DesktopState>()
  .update((state) => ({ ...state, agent: { name: agent.name, version: agent.version } }));
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
    : `Created agent ${agent.name} version ${agent.version} from demo 1's definition.`,
);
