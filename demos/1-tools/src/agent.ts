/**
 * Demo 1's agent definition: a prompt agent with one function tool. Demo 2 imports this unchanged.
 */
import type { PromptAgentDefinition } from "@azure/ai-projects";
import type { ToolRegistry } from "./tools.ts";

export const DEFAULT_AGENT_NAME = "weather-agent";

export function weatherAgentDefinition(model: string, tools: ToolRegistry): PromptAgentDefinition {
  return {
    kind: "prompt",
    model,
    instructions:
      "You are a concise weather assistant. For any question about current weather, call get_weather with the city, " +
      "then answer from its result and mention the temperature in °C. If the tool reports an error, say what went wrong.",
    // Only the definitions travel to the service; the functions themselves stay in tools.ts.
    tools: Object.values(tools).map((tool) => tool.definition),
  };
}
