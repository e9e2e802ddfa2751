/**
 * Other people's clients against a Responses server (the emulator, demo 8's hosted agent): the `openai`
 * SDK's whole surface, the OpenAI Agents SDK (`OpenAIResponsesModel` on a client pointed at the server)
 * and the Vercel AI SDK (`@ai-sdk/openai`'s Responses model). Nothing here knows either server; each
 * test asserts what a user of that client would see. Tools are a weather function the lab model can
 * call from a question that names a city.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { Agent, tool as agentTool, OpenAIResponsesModel, run, setTracingDisabled } from "@openai/agents";
import { generateText, stepCountIs, streamText, tool } from "ai";
import type OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { z } from "zod";

// The Agents SDK exports traces to OpenAI by default: this suite talks to 127.0.0.1 only.
setTracingDisabled(true);

export interface ClientTarget {
  /** An openai client pointed at the server (its base URL and key). */
  openai: OpenAI;
  baseURL: string;
  apiKey: string;
  /** The model name to send (the server decides what serves it). */
  model: string;
  /** Optional per-call headers the server needs (none for either server today). */
  headers?: Record<string, string>;
}

const weather = { Oslo: 3.7, Paris: 11.4 } as Record<string, number>;
const weatherParameters = z.object({ city: z.string().describe("The city, e.g. Oslo") });
const weatherOf = ({ city }: { city: string }) => ({ city, temperature_c: weather[city] ?? 15 });

const LONG =
  "Explain in detail why the sky is blue, how sunsets turn red, and what Rayleigh scattering means.";

export function clientSuite(name: string, target: () => ClientTarget): void {
  describe(`${name}: the openai SDK`, () => {
    it("create, then stream() + finalResponse(), and the streamed text equals the final text", async () => {
      const { openai, model } = target();
      const created = await openai.responses.create({ model, input: "Hello there" });
      expect(created.status).toBe("completed");
      expect(created.output_text.length).toBeGreaterThan(0);
      const stream = openai.responses.stream({ model, input: "Hello again" });
      let text = "";
      for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
      const final = await stream.finalResponse();
      expect(final.output_text).toBe(text);
      expect((await openai.responses.retrieve(final.id)).output_text).toBe(text);
    });

    it("retrieve while streaming says in_progress; a background turn can be cancelled", async () => {
      const { openai, model } = target();
      const stream = await openai.responses.create({ model, input: LONG, stream: true, background: true });
      let midway: string | undefined;
      let id = "";
      for await (const event of stream) {
        if (event.type === "response.created") id = event.response.id;
        if (event.type === "response.output_text.delta" && midway === undefined) {
          midway = (await openai.responses.retrieve(id)).status;
          expect((await openai.responses.cancel(id)).status).toBe("cancelled");
        }
      }
      expect(midway).toBe("in_progress");
      expect((await openai.responses.retrieve(id)).status).toBe("cancelled");
    });

    it("resume: responses.stream({ response_id, starting_after }) delivers the rest and the final response", async () => {
      const { openai, model } = target();
      const stream = await openai.responses.create({ model, input: LONG, stream: true, background: true });
      const seen: ResponseStreamEvent[] = [];
      for await (const event of stream) {
        seen.push(event);
        if (event.type === "response.output_text.delta") break;
      }
      const id = seen[0]?.type === "response.created" ? seen[0].response.id : "";
      const after = seen.at(-1)?.sequence_number ?? 0;
      const resumed = openai.responses.stream({ response_id: id, starting_after: after });
      let rest = "";
      for await (const event of resumed) if (event.type === "response.output_text.delta") rest += event.delta;
      const final = await resumed.finalResponse();
      const first = seen.map((e) => (e.type === "response.output_text.delta" ? e.delta : "")).join("");
      expect(first + rest).toBe(final.output_text);
    });

    it("input items: a replayed tool call with its output, an image and a file, then an item_reference", async () => {
      const { openai, model } = target();
      const first = await openai.responses.create({ model, input: "My name is Ada." });
      const answer = first.output.find((item) => item.type === "message");
      const next = await openai.responses.create({
        model,
        input: [
          { type: "item_reference", id: answer?.id ?? "" },
          { role: "user", content: "What's the weather in Oslo?" },
          {
            type: "function_call",
            call_id: "call_replayed",
            name: "get_weather",
            arguments: '{"city":"Oslo"}',
          },
          { type: "function_call_output", call_id: "call_replayed", output: '{"temperature_c":3.7}' },
          {
            role: "user",
            content: [
              { type: "input_text", text: "Thanks. Here is a picture and a note." },
              { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
              { type: "input_file", filename: "note.txt", file_data: "data:text/plain;base64,aGk=" },
            ],
          },
        ],
      });
      expect(next.status).toBe("completed");
      const listed = [];
      for await (const item of openai.responses.inputItems.list(next.id, { order: "asc" }))
        listed.push(item.type);
      expect(listed).toEqual(["message", "message", "function_call", "function_call_output", "message"]);
    });

    it("errors: unknown parameter, wrong type, orphan tool output, unknown id, each a 4xx naming the field", async () => {
      const { openai, model } = target();
      const bad = (body: Record<string, unknown>) =>
        openai.responses.create({ model, input: "hi", ...body } as never);
      await expect(bad({ bogus_parameter: 1 })).rejects.toMatchObject({
        status: 400,
        error: { param: "bogus_parameter" },
      });
      await expect(bad({ temperature: "hot" })).rejects.toMatchObject({
        status: 400,
        error: { param: "temperature" },
      });
      await expect(
        bad({ input: [{ type: "function_call_output", call_id: "call_nowhere", output: "{}" }] }),
      ).rejects.toMatchObject({ status: 400, error: { param: "input[0].call_id" } });
      await expect(openai.responses.retrieve("resp_missing")).rejects.toMatchObject({ status: 404 });
    });

    it("store: false answers but keeps nothing to retrieve", async () => {
      const { openai, model } = target();
      const response = await openai.responses.create({ model, input: "hi", store: false });
      expect((response as unknown as { store: boolean }).store).toBe(false);
      await expect(openai.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    });

    it("a function tool round trip: function_call out, function_call_output back, an answer from it", async () => {
      const { openai, model } = target();
      const tools = [
        {
          type: "function" as const,
          name: "get_weather",
          description: "Current weather for a city",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
            additionalProperties: false,
          },
          strict: true,
        },
      ];
      const first = await openai.responses.create({ model, input: "What's the weather in Oslo?", tools });
      const call = first.output.find((item) => item.type === "function_call");
      expect(call?.type === "function_call" && JSON.parse(call.arguments)).toEqual({ city: "Oslo" });
      expect(first.tools[0]).toMatchObject({ name: "get_weather", strict: true });
      const second = await openai.responses.create({
        model,
        tools,
        previous_response_id: first.id,
        input: [
          {
            type: "function_call_output",
            call_id: call?.type === "function_call" ? call.call_id : "",
            output: '{"temperature_c":3.7}',
          },
        ],
      });
      expect(second.output_text).toContain("3.7");
    });
  });

  describe(`${name}: the OpenAI Agents SDK`, () => {
    const agent = (withTools: boolean) =>
      new Agent({
        name: "lab-client",
        instructions: "Answer briefly.",
        model: new OpenAIResponsesModel(target().openai, target().model),
        tools: withTools
          ? [
              agentTool({
                name: "get_weather",
                description: "Current weather for a city",
                parameters: weatherParameters,
                execute: weatherOf,
              }),
            ]
          : [],
      });

    it("plain and streamed runs", async () => {
      const plain = await run(agent(false), "Hello there");
      expect(String(plain.finalOutput).length).toBeGreaterThan(0);
      const streamed = await run(agent(false), "Hello again", { stream: true });
      let text = "";
      for await (const chunk of streamed.toTextStream()) text += chunk;
      await streamed.completed;
      expect(text).toBe(streamed.finalOutput);
    });

    it("a function tool, plain and streamed: the SDK runs it and the answer uses its result", async () => {
      const plain = await run(agent(true), "What's the weather in Oslo?");
      expect(plain.finalOutput).toContain("3.7");
      const streamed = await run(agent(true), "What's the weather in Paris?", { stream: true });
      for await (const _event of streamed) {
        // drain: the SDK runs the tool between the two model calls
      }
      await streamed.completed;
      expect(streamed.finalOutput).toContain("11.4");
    });

    it("previousResponseId continues the thread on the server", async () => {
      const first = await run(agent(false), "My name is Ada.");
      const second = await run(agent(false), "What is my name?", {
        previousResponseId: first.lastResponseId,
      });
      expect(second.finalOutput).toContain("Ada");
    });
  });

  describe(`${name}: the Vercel AI SDK`, () => {
    const model = () => {
      const { baseURL, apiKey, model: id, headers } = target();
      return createOpenAI({ baseURL, apiKey, ...(headers ? { headers } : {}) }).responses(id);
    };

    it("generateText and streamText", async () => {
      const generated = await generateText({ model: model(), prompt: "Hello there" });
      expect(generated.text.length).toBeGreaterThan(0);
      const streamed = streamText({ model: model(), prompt: "Hello again" });
      let text = "";
      for await (const chunk of streamed.textStream) text += chunk;
      expect(text).toBe(await streamed.text);
      expect(text.length).toBeGreaterThan(0);
    });

    it("a multi-step tool loop: the SDK calls the tool, sends the result, and gets an answer from it", async () => {
      const result = await generateText({
        model: model(),
        prompt: "What's the weather in Oslo?",
        tools: {
          get_weather: tool({
            description: "Current weather for a city",
            inputSchema: weatherParameters,
            execute: async (args) => weatherOf(args),
          }),
        },
        stopWhen: stepCountIs(4),
      });
      expect(result.steps.length).toBeGreaterThanOrEqual(2);
      expect(result.steps[0]?.toolCalls[0]?.input).toEqual({ city: "Oslo" });
      expect(result.text).toContain("3.7");
    });
  });
}
