/**
 * The Responses protocol beyond a plain turn, through the real openai SDK and raw HTTPS: validation the
 * way OpenAI answers it (400 with `param`), the response object's full set of fields, background mode
 * (queued → in_progress → completed, cancel, retrieve while running), resuming a stream, and the routes
 * a newer SDK calls (`responses.compact`, `toolboxes.invokeLatestToolboxMcp`).
 */
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../mcp-servers/src/servers.ts";
import { type Lab, promptAgent, raw, startLab, tempDir } from "./support.ts";

let lab: Lab;
const agent = { agent_reference: { type: "agent_reference" as const, name: "proto-agent" } };
const LONG =
  "Explain in detail why the sky is blue, how sunsets turn red, and what Rayleigh scattering means.";

beforeAll(async () => {
  // A pause between chunks, so a background turn is still running when the test looks at it.
  lab = await startLab({ streamDelayMs: 40 });
  await lab.project.agents.createVersion("proto-agent", promptAgent());
});
afterAll(() => lab.close());

const post = (body: unknown) => raw(lab, "POST", "/openai/v1/responses", { body: JSON.stringify(body) });

describe("validation like the service", () => {
  it.each([
    [{ model: "model-router", input: "hi", bogus_parameter: 1 }, "bogus_parameter", "unknown_parameter"],
    [{ model: "model-router", input: "hi", temperature: "hot" }, "temperature", "invalid_type"],
    [{ model: "model-router", input: "hi", temperature: 3 }, "temperature", "invalid_value"],
    [{ model: "model-router", input: "hi", top_logprobs: 1.5 }, "top_logprobs", "invalid_type"],
    [{ model: "model-router", input: "hi", service_tier: "gold" }, "service_tier", "invalid_value"],
    [{ model: "model-router", input: "hi", stream: "yes" }, "stream", "invalid_type"],
    [{ model: "model-router", input: "hi", background: true, store: false }, "background", "invalid_value"],
    [
      { model: "model-router", input: "hi", tools: [{ type: "function" }] },
      "tools[0].name",
      "invalid_payload",
    ],
  ])("%j → 400 naming %s", async (body, param, code) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { param, code, type: "invalid_request_error" } });
  });

  it("a function_call_output whose call_id matches no call in the chain is a 400", async () => {
    const first = await lab.openai.responses.create({ input: "hello" }, { body: agent });
    const orphan = lab.openai.responses.create(
      {
        input: [{ type: "function_call_output", call_id: "call_nowhere", output: "{}" }],
        previous_response_id: first.id,
      },
      { body: agent },
    );
    await expect(orphan).rejects.toMatchObject({
      status: 400,
      error: { param: "input[0].call_id", message: expect.stringContaining("call_nowhere") },
    });
  });

  it("accepts replayed function calls with their outputs, images, files and item references", async () => {
    const tools = [
      {
        type: "function" as const,
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        strict: false,
      },
    ];
    const first = await lab.openai.responses.create({ model: "model-router", input: "hello there" });
    const next = await lab.openai.responses.create({
      model: "model-router",
      tools,
      input: [
        { role: "user", content: "What's the weather in Oslo?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' },
        { type: "function_call_output", call_id: "call_1", output: '{"temperature_c": 3.7}' },
        { type: "item_reference", id: String(first.output[0]?.id) },
        {
          role: "user",
          content: [
            { type: "input_text", text: "And this picture and file?" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
            { type: "input_file", filename: "a.txt", file_data: "data:text/plain;base64,aGk=" },
          ],
        },
      ],
    });
    expect(next.status).toBe("completed");
    const missing = lab.openai.responses.create({
      model: "model-router",
      input: [{ type: "item_reference", id: "msg_missing" }],
    });
    await expect(missing).rejects.toMatchObject({ status: 404, error: { param: "input[0].id" } });
  });
});

describe("the response object", () => {
  it("has every field the Open Responses schema requires, echoing what was sent", async () => {
    const response = await lab.openai.responses.create({
      model: "model-router",
      input: "hi",
      temperature: 0.2,
      top_p: 0.9,
      max_tool_calls: 3,
      safety_identifier: "user-42",
      prompt_cache_key: "lab",
      service_tier: "auto",
      tools: [
        { type: "function", name: "noop", parameters: { type: "object", properties: {} }, strict: null },
      ],
    });
    expect(response).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      presence_penalty: 0,
      frequency_penalty: 0,
      top_logprobs: 0,
      max_tool_calls: 3,
      max_output_tokens: null,
      service_tier: "default",
      safety_identifier: "user-42",
      prompt_cache_key: "lab",
      parallel_tool_calls: true,
      truncation: "disabled",
      background: false,
      reasoning: { effort: null, summary: null },
      tools: [{ type: "function", name: "noop", strict: true }],
    });
    // Typed code may read the details without a guard (the SDK's types declare them).
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(0);
  });
});

describe("background mode", () => {
  it("queued, then in_progress while it runs (retrievable), then completed", async () => {
    const queued = await lab.openai.responses.create({ input: LONG, background: true }, { body: agent });
    expect(queued).toMatchObject({ status: "queued", background: true });
    const seen = new Set<string>();
    let final = queued;
    while (final.status === "queued" || final.status === "in_progress") {
      seen.add(final.status);
      await new Promise((resolve) => setTimeout(resolve, 20));
      final = await lab.openai.responses.retrieve(queued.id);
    }
    expect(seen.has("in_progress")).toBe(true);
    expect(final.status).toBe("completed");
    expect(final.output_text).toContain("sky is blue");
  });

  it("cancel stops a running response; cancelling again answers the same; a foreground one cannot be", async () => {
    const queued = await lab.openai.responses.create({ input: LONG, background: true }, { body: agent });
    const stopped = await lab.openai.responses.cancel(queued.id);
    expect(stopped.status).toBe("cancelled");
    expect((await lab.openai.responses.retrieve(queued.id)).status).toBe("cancelled");
    expect((await lab.openai.responses.cancel(queued.id)).status).toBe("cancelled");
    const foreground = await lab.openai.responses.create({ input: "hi" }, { body: agent });
    await expect(lab.openai.responses.cancel(foreground.id)).rejects.toMatchObject({ status: 400 });
  });

  it("deleting a running response stops it, and it stays gone", async () => {
    const queued = await lab.openai.responses.create({ input: LONG, background: true }, { body: agent });
    await lab.openai.responses.delete(queued.id);
    await expect(lab.openai.responses.retrieve(queued.id)).rejects.toMatchObject({ status: 404 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(lab.openai.responses.retrieve(queued.id)).rejects.toMatchObject({ status: 404 });
  });

  it("a background response the emulator's shutdown cut is kept as failed, saying so, after a restart", async () => {
    const dataDir = tempDir();
    // Slow enough that both responses are still running (one queued, one mid-output) when the stop comes.
    const first = await startLab({ dataDir, streamDelayMs: 200 });
    await first.project.agents.createVersion("proto-agent", promptAgent());
    const running = await first.openai.responses.create({ input: LONG, background: true }, { body: agent });
    let again: Lab | undefined;
    try {
      while ((await first.openai.responses.retrieve(running.id)).status === "queued") {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const queued = await first.openai.responses.create({ input: LONG, background: true }, { body: agent });
      await first.close();
      again = await startLab({ dataDir });
      for (const id of [running.id, queued.id]) {
        const after = await again.openai.responses.retrieve(id);
        expect(after).toMatchObject({
          id,
          status: "failed",
          background: true,
          error: { code: "server_error" },
        });
        expect(after.error?.message).toContain("shutting down");
      }
    } finally {
      await first.close();
      await again?.close();
    }
  });

  it("a streamed background response: retrieve says in_progress mid-stream, cancel ends the stream", async () => {
    const stream = await lab.openai.responses.create(
      { input: LONG, background: true, stream: true },
      { body: agent },
    );
    const types: string[] = [];
    let id = "";
    let midway: string | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.created") id = event.response.id;
      if (event.type === "response.output_text.delta" && midway === undefined) {
        midway = (await lab.openai.responses.retrieve(id)).status;
        await lab.openai.responses.cancel(id);
      }
    }
    expect(types.slice(0, 3)).toEqual(["response.created", "response.queued", "response.in_progress"]);
    expect(midway).toBe("in_progress");
    expect(types.at(-1)).toBe("response.incomplete");
    expect(types).not.toContain("response.completed");
    expect((await lab.openai.responses.retrieve(id)).status).toBe("cancelled");
  });
});

describe("a foreground stream", () => {
  it("is retrievable as in_progress while it streams, and completed after", async () => {
    const stream = await lab.openai.responses.create({ input: LONG, stream: true }, { body: agent });
    let id = "";
    let midway: string | undefined;
    for await (const event of stream) {
      if (event.type === "response.created") id = event.response.id;
      if (event.type === "response.output_text.delta" && midway === undefined) {
        midway = (await lab.openai.responses.retrieve(id)).status;
      }
    }
    expect(midway).toBe("in_progress");
    expect((await lab.openai.responses.retrieve(id)).status).toBe("completed");
  });
});

describe("resuming a stream", () => {
  it("the SDK's responses.stream({ response_id, starting_after }) gets the rest and the final response", async () => {
    const stream = await lab.openai.responses.create(
      { input: LONG, background: true, stream: true },
      { body: agent },
    );
    const first: ResponseStreamEvent[] = [];
    for await (const event of stream) {
      first.push(event);
      if (event.type === "response.output_text.delta") break; // the connection drops here
    }
    const id = first[0]?.type === "response.created" ? first[0].response.id : "";
    const last = first.at(-1)?.sequence_number ?? 0;
    const resumed = lab.openai.responses.stream({ response_id: id, starting_after: last });
    const rest: ResponseStreamEvent[] = [];
    for await (const event of resumed) rest.push(event);
    expect(rest[0]?.sequence_number).toBe(last + 1);
    const final = await resumed.finalResponse();
    expect(final.status).toBe("completed");
    const text = [...first, ...rest]
      .map((e) => (e.type === "response.output_text.delta" ? e.delta : ""))
      .join("");
    expect(text).toBe(final.output_text);
  });

  it("raw: starting_after is honoured on the wire; a bad value or an unknown id is a clear error", async () => {
    const done = await lab.openai.responses.create({ input: "hi", stream: true }, { body: agent });
    let id = "";
    for await (const event of done) if (event.type === "response.completed") id = event.response.id;
    const url = `${lab.emulator.endpoint}/openai/v1/responses/${id}?stream=true&starting_after=2`;
    const res = await fetch(url, { headers: { authorization: "Bearer t" } });
    const sequences = [...(await res.text()).matchAll(/"sequence_number":(\d+)/g)].map((m) => Number(m[1]));
    expect(sequences[0]).toBe(3);
    expect((await raw(lab, "GET", `/openai/v1/responses/${id}?stream=true&starting_after=x`)).status).toBe(
      400,
    );
    expect((await raw(lab, "GET", "/openai/v1/responses/resp_missing?stream=true")).status).toBe(404);
  });
});

describe("newer routes", () => {
  it("POST /responses/compact is a clear 404, not a clash with /responses/{id}", async () => {
    const res = await raw(lab, "POST", "/openai/v1/responses/compact", { body: "{}" });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.json)).toContain("not implemented");
  });

  it("project.toolboxes.invokeLatestToolboxMcp() answers a JSON-RPC request from the latest version", async () => {
    let servers: LocalMcpServers | undefined;
    try {
      servers = await startMcpServers({ dataDir: tempDir() });
      const source = {
        type: "mcp" as const,
        server_label: "lab_issues",
        server_url: servers.issuesUrl,
        require_approval: "never" as const,
      };
      await lab.project.toolboxes.createVersion("tb-invoke", [source]);
      await lab.project.toolboxes.createVersion("tb-invoke", [{ ...source, allowed_tools: ["list_issues"] }]);
      const { body } = await lab.project.toolboxes.invokeLatestToolboxMcp("tb-invoke", "application/json", {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/list",
        params: {},
      });
      const names = (body as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
      expect(names).toEqual(["list_issues"]);
      await expect(
        lab.project.toolboxes.invokeLatestToolboxMcp("tb-nowhere", "application/json", {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/list",
        }),
      ).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await servers?.close();
    }
  });
});
