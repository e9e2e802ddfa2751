/**
 * What a developer does with an ejected demo 1: add a tool of another shape to the registry, next to
 * get_weather, and chat. Offline, the emulator's lab model picks the new tool from its own name,
 * description and schema, fills its arguments (names after from/to, a time, an integer), asks in plain
 * text for what is missing, and answers from the function's output, through demo 1's unchanged loop.
 */
import type { Response } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { weatherAgentDefinition } from "../src/agent.ts";
import { runToolLoop, type ToolCallReport } from "../src/tool-loop.ts";
import { type ToolRegistry, weatherTools } from "../src/tools.ts";

let backend: TestBackend;
let agent: { name: string; version: string };
const departures: Array<Record<string, unknown>> = [];

const tools: ToolRegistry = {
  ...weatherTools({ WEATHER_GEOCODING_URL: "http://127.0.0.1:9/none", WEATHER_TIMEOUT_MS: "500" }),
  lookup_train_departure: {
    definition: {
      type: "function",
      name: "lookup_train_departure",
      description: "Look up the next train departure between two stations.",
      strict: true,
      parameters: {
        type: "object",
        properties: {
          station: { type: "string", description: "Departure station" },
          destination: { type: "string", description: "Station the traveller is going to" },
          after: { type: ["string", "null"], description: "Earliest departure time, HH:MM" },
          tickets: { type: "integer", description: "Number of tickets" },
        },
        required: ["station", "destination", "after", "tickets"],
        additionalProperties: false,
      },
    },
    run: async (args) => {
      departures.push(args);
      return { departs: "19:42", platform: "4", from: args.station, to: args.destination };
    },
  },
};

beforeAll(async () => {
  backend = await startBackend();
  const version = await backend.project.agents.createVersion(
    `new-tool-${Date.now().toString(36)}`,
    weatherAgentDefinition("model-router", tools),
  );
  agent = { name: version.name, version: version.version };
});
afterAll(async () => {
  await backend?.project.agents.delete(agent.name).catch(() => undefined);
  await backend?.close();
});

async function turn(input: string, conversation?: string) {
  const calls: ToolCallReport[] = [];
  const final = await runToolLoop({
    openai: backend.openai,
    agent,
    tools,
    input,
    conversation,
    print: async (stream) => {
      let completed: Response | undefined;
      for await (const event of stream) if (event.type === "response.completed") completed = event.response;
      if (!completed) throw new Error("no response.completed");
      return completed;
    },
    onToolCall: (call) => calls.push(call),
  });
  const text = final.output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .map((part) => ("text" in part ? part.text : ""))
    .join("");
  return { final, calls, text };
}

describe.skipIf(live)("demo 1 with a tool added to its registry", () => {
  it("calls the new tool with arguments that pass its strict schema, and answers from its output", async () => {
    const { calls, text } = await turn("Two tickets from Utrecht to Amsterdam after 18:30, please");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "lookup_train_departure", ok: true });
    expect(JSON.parse(calls[0]?.arguments ?? "{}")).toEqual({
      station: "Utrecht",
      destination: "Amsterdam",
      after: "18:30",
      tickets: 2,
    });
    expect(departures.at(-1)).toMatchObject({ station: "Utrecht", destination: "Amsterdam" });
    expect(text).toContain("19:42");
    expect(text).toContain("platform: 4");
  });

  it("asks for a missing argument by its description, then calls once it is given", async () => {
    const conversation = (await backend.openai.conversations.create()).id;
    const asked = await turn("When does the next train leave from Utrecht?", conversation);
    expect(asked.calls).toEqual([]);
    expect(asked.text).toContain("the destination (station the traveller is going to)");
    const answered = await turn("Rotterdam, one ticket", conversation);
    expect(answered.calls.map((c) => JSON.parse(c.arguments))).toEqual([
      { station: "Utrecht", destination: "Rotterdam", after: null, tickets: 1 },
    ]);
  });

  it("still sends weather questions to get_weather", async () => {
    const { calls } = await turn("Is it chilly in Bergen today?");
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["get_weather", { city: "Bergen" }],
    ]);
  });
});
