/**
 * The tool-calling loop against the emulator through the real SDK: what the model asked for, what went
 * back to it, and what the learner was shown.
 */
import type { Response, ResponseInputItem } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { weatherAgentDefinition } from "../src/agent.ts";
import { runToolLoop, type ToolCallReport } from "../src/tool-loop.ts";
import { type LocalTool, type ToolRegistry, weatherTools } from "../src/tools.ts";
import { startWeatherFixture, type WeatherFixture } from "./weather-fixture.ts";

let backend: TestBackend;
let weather: WeatherFixture;
let tools: ToolRegistry;
let agent: { name: string; version: string };

beforeAll(async () => {
  backend = await startBackend();
  weather = await startWeatherFixture();
  tools = {
    ...weatherTools(weather.env),
    explode: {
      definition: {
        type: "function",
        name: "explode",
        description: "A tool that always fails, to show what the model sees when a function throws.",
        strict: true,
        parameters: { type: "object", properties: {}, required: [], additionalProperties: false },
      },
      run: async () => {
        throw new Error("the fuse was lit");
      },
    },
  };
  const version = await backend.project.agents.createVersion(
    `loop-test-${Date.now().toString(36)}`,
    weatherAgentDefinition("model-router", tools),
  );
  agent = { name: version.name, version: version.version };
});
afterAll(async () => {
  await backend?.project.agents.delete(agent.name).catch(() => undefined);
  await weather?.close();
  await backend?.close();
});

/** Runs one turn, collecting the learner's view of each call and the final text. */
async function turn(input: string, extra: { conversation?: string; maxRounds?: number } = {}) {
  const calls: ToolCallReport[] = [];
  const responses: Response[] = [];
  const final = await runToolLoop({
    openai: backend.openai,
    agent,
    tools,
    input,
    ...extra,
    print: async (stream) => {
      let completed: Response | undefined;
      for await (const event of stream) if (event.type === "response.completed") completed = event.response;
      if (!completed) throw new Error("no response.completed");
      responses.push(completed);
      return completed;
    },
    onToolCall: (call) => calls.push(call),
  });
  return { final, calls, responses, text: final.output_text ?? textOf(final) };
}

function textOf(response: Response): string {
  return response.output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .map((part) => ("text" in part ? part.text : ""))
    .join("");
}

async function inputItemsOf(responseId: string): Promise<ResponseInputItem[]> {
  const items = [];
  for await (const item of backend.openai.responses.inputItems.list(responseId)) items.push(item);
  return items as unknown as ResponseInputItem[];
}

describe.skipIf(live)("the tool loop (demo 1) against the emulator", () => {
  it("runs one call and answers from its output, chaining with previous_response_id", async () => {
    const { calls, responses, text } = await turn("What's the weather in Oslo?");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "get_weather", arguments: '{"city":"Oslo"}', ok: true });
    expect(calls[0]?.output).toContain('"temperature_c":3.7');
    expect(text).toContain("3.7 °C");
    expect(responses).toHaveLength(2);
    expect(responses[1]?.previous_response_id).toBe(responses[0]?.id);
  });

  it("runs every call in a response and sends all outputs back in one request", async () => {
    const { calls, responses, text } = await turn("What's the weather in Oslo and Paris?");
    expect(calls.map((c) => JSON.parse(c.arguments).city)).toEqual(["Oslo", "Paris"]);
    expect(responses).toHaveLength(2);
    const sent = await inputItemsOf(responses[1]?.id ?? "");
    expect(sent.filter((item) => item.type === "function_call_output")).toHaveLength(2);
    expect(text).toContain("3.7 °C");
    expect(text).toContain("11.4 °C");
  });

  it("reports parallel calls in the model's order, not in the order they finish", async () => {
    // Oslo's lookup is made the slower one (as a busy machine or network can): it is still shown first.
    const lookup = tools.get_weather as LocalTool;
    const slowOslo: ToolRegistry = {
      get_weather: {
        ...lookup,
        run: async (args, signal) => {
          if (args.city === "Oslo") await new Promise((resolve) => setTimeout(resolve, 300));
          return lookup.run(args, signal);
        },
      },
    };
    const calls: string[] = [];
    await runToolLoop({
      openai: backend.openai,
      agent,
      tools: slowOslo,
      input: "What's the weather in Oslo and Paris?",
      print: async (stream) => {
        for await (const event of stream) if (event.type === "response.completed") return event.response;
        throw new Error("no response.completed");
      },
      onToolCall: (call) => calls.push(JSON.parse(call.arguments).city),
    });
    expect(calls).toEqual(["Oslo", "Paris"]);
  });

  it("turns malformed JSON, schema violations, unknown tools and throwing tools into outputs the model reads", async () => {
    const malformed = await turn("Call get_weather with {oops");
    expect(malformed.calls[0]).toMatchObject({ ok: false });
    expect(malformed.calls[0]?.output).toContain("not valid JSON");
    expect(malformed.text).toContain("not valid JSON");

    const wrongShape = await turn('Call get_weather with {"town": "Oslo"}');
    expect(wrongShape.calls[0]?.output).toContain("do not match its schema");
    expect(wrongShape.calls[0]?.output).toContain("required property 'city'");

    const unknown = await turn("Call teleport with {}");
    expect(unknown.calls[0]?.output).toContain('There is no tool named \\"teleport\\"');
    expect(unknown.text).toContain("There is no tool named");

    const throwing = await turn("Call explode with {}");
    expect(throwing.calls[0]?.output).toContain("explode failed: the fuse was lit");
    expect(throwing.text).toContain("the fuse was lit");
  });

  it("stops after maxRounds in the client: tells the model why, never sends tool_choice, and the conversation stays usable", async () => {
    const conversation = await backend.openai.conversations.create();
    const { calls, responses, final } = await turn("Call get_weather for Oslo 6 times", {
      maxRounds: 2,
      conversation: conversation.id,
    });
    expect(calls.filter((c) => c.ok)).toHaveLength(2);
    expect(calls.at(-1)?.output).toContain("Stopped after 2 rounds");
    // Two rounds that ran, one that told the model to stop; the model asked again, so the client ended it.
    expect(responses).toHaveLength(4);
    expect(final.tool_choice).toBe("auto");
    const next = await turn("What's the weather in Paris?", { conversation: conversation.id });
    expect(next.text).toContain("11.4 °C");
  });

  it("works inside a server-side conversation too, and the conversation stays usable", async () => {
    const conversation = await backend.openai.conversations.create();
    const first = await turn("What's the weather in Paris?", { conversation: conversation.id });
    expect(first.text).toContain("11.4 °C");
    expect(first.responses.every((r) => r.conversation?.id === conversation.id)).toBe(true);
    const followUp = await turn("And in Oslo?", { conversation: conversation.id });
    expect(followUp.calls[0]?.arguments).toBe('{"city":"Oslo"}');
    const items = [];
    for await (const item of backend.openai.conversations.items.list(conversation.id, { order: "asc" }))
      items.push(item.type);
    expect(items.filter((t) => t === "function_call")).toHaveLength(2);
    expect(items.filter((t) => t === "function_call_output")).toHaveLength(2);
  });
});
