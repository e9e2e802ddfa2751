/**
 * The local functions this agent may call. The service only ever sees each tool's `definition`
 * (name, description, JSON schema); the code in `run` executes here, on your machine.
 */
import type { FunctionTool } from "@azure/ai-projects";
import { getWeather, weatherSettings } from "./weather.ts";

export interface LocalTool {
  /** Registered with the agent: a flat, strict function tool. */
  definition: FunctionTool & { parameters: Record<string, unknown> };
  /** Runs the function with arguments that already passed the schema. */
  run(args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

export type ToolRegistry = Record<string, LocalTool>;

export function weatherTools(env: Record<string, string | undefined> = process.env): ToolRegistry {
  const settings = weatherSettings(env);
  return {
    get_weather: {
      definition: {
        type: "function",
        name: "get_weather",
        description: "Get the current weather (temperature, wind, conditions) for a city.",
        // strict: the model must produce exactly this shape: every property required, nothing extra.
        strict: true,
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "City name, for example Oslo or Buenos Aires." },
          },
          required: ["city"],
          additionalProperties: false,
        },
      },
      run: (args, signal) => getWeather(String(args.city), settings, signal),
    },
  };
}
