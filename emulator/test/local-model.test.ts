/**
 * A real local model behind the emulator (EMULATOR_MODEL_URL), through the real SDKs over HTTPS. The
 * model server here is a stand-in written for these tests (test/stand-in-model.ts), in place of Ollama or
 * Foundry Local: it reads the Chat Completions requests it gets, calls the tools it is offered and answers
 * from their results. What is tested is the emulator's part: the deployment, the mapping of every turn to
 * and from Chat Completions, the server-side tools it runs itself, model-router, and every way the model
 * server can fail (down, slow, 429, 500, not a model server), each one sentence, never a hang.
 */
import { readFileSync } from "node:fs";
import { toFile } from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../mcp-servers/src/servers.ts";
import { closedPort } from "../../shared/test/support.ts";
import { type LocalModelSettings, localModelFromEnv } from "../src/model/remote/settings.ts";
import { type StandIn, standInTokens, startStandIn, textOf } from "./stand-in-model.ts";
import { type Lab, startLab, tempDir } from "./support.ts";

// Named like an Ollama model (name:tag), so the colon goes through every route that carries it.
const MODEL = "stand-in:7b";
let standIn: StandIn;
let lab: Lab;
let shared: string;
const settings = (over: Partial<LocalModelSettings> = {}): LocalModelSettings => ({
  url: standIn.url,
  name: MODEL,
  timeoutMs: 1500,
  router: "auto",
  ...over,
});

beforeAll(async () => {
  standIn = await startStandIn([MODEL]);
  shared = tempDir();
  lab = await startLab({ dataDir: shared, localModel: settings() });
});
afterAll(async () => {
  await lab?.close();
  await standIn?.close();
});

let n = 0;
async function agent(tools: unknown[] = [], instructions = "You are the local model test agent.") {
  const v = await lab.project.agents.createVersion(`local-${n++}`, {
    kind: "prompt",
    model: MODEL,
    instructions,
    tools: tools as never,
  });
  return { agent_reference: { type: "agent_reference" as const, name: v.name, version: v.version } };
}
const BOOK_TABLE = {
  type: "function",
  name: "book_table",
  description: "Book a table at a restaurant",
  parameters: {
    type: "object",
    properties: { restaurant: { type: "string" }, party_size: { type: "integer" } },
    required: ["restaurant", "party_size"],
  },
};
const lastRequest = () => standIn.requests[standIn.requests.length - 1] ?? {};

describe("a local model behind the emulator", () => {
  it("is a deployment of its own name, published by the server that runs it", async () => {
    const names: string[] = [];
    for await (const d of lab.project.deployments.list()) names.push(d.name);
    expect(names).toEqual(["model-router", "lab-offline-mini", "lab-offline-large", MODEL]);
    const d = await lab.project.deployments.get(MODEL);
    expect(d).toMatchObject({
      name: MODEL,
      modelVersion: "local",
      modelPublisher: `OpenAI-compatible server at ${standIn.url}`,
    });
  });

  it("answers a request that names it, and an agent's conversation from its history", async () => {
    const plain = await lab.openai.responses.create({ model: MODEL, input: "Hello there" });
    expect(plain.model).toBe(MODEL);
    expect(plain.output_text).toBe('You said "Hello there". That is message 1 from you.');

    const body = await agent([], "You are terse and kind.");
    const conversation = await lab.openai.conversations.create();
    const first = await lab.openai.responses.create(
      { conversation: conversation.id, input: "My favourite river is the Danube." },
      { body },
    );
    expect(first.output_text).toContain('my instructions begin "You are terse and kind."');
    const second = await lab.openai.responses.create(
      { conversation: conversation.id, input: "What did I say first?" },
      { body },
    );
    expect(second.output_text).toBe('First you said: "My favourite river is the Danube."');
    expect(lastRequest().messages.map((m: { role: string }) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
  });

  it("streams the answer with the same events as the lab model", async () => {
    const body = await agent();
    const stream = lab.openai.responses.stream({ input: "Stream this, please" }, { body });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(final.model).toBe(MODEL);
    expect(text).toBe(final.output_text);
    expect(text).toContain('You said "Stream this, please"');
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_text.delta");
    expect(types[types.length - 1]).toBe("response.completed");
  });

  it("a function tool: the call goes to the client, and the answer comes from the output it sends", async () => {
    const body = await agent([
      {
        type: "function",
        name: "lookup_train_departure",
        description: "Next train departure between two stations",
        parameters: {
          type: "object",
          properties: { station: { type: "string", description: "departure station" } },
          required: ["station"],
        },
      },
    ]);
    const first = await lab.openai.responses.create(
      { input: "When is the next train from Bergen?" },
      { body },
    );
    const call = first.output[0];
    if (call?.type !== "function_call") throw new Error(`expected a function call, got ${call?.type}`);
    expect(call).toMatchObject({ name: "lookup_train_departure", status: "completed" });
    expect(JSON.parse(call.arguments)).toEqual({ station: "Bergen" });
    expect(first.output).toHaveLength(1);

    const second = await lab.openai.responses.create(
      {
        previous_response_id: first.id,
        input: [
          {
            type: "function_call_output",
            call_id: call.call_id,
            output: '{"departure":"14:05","platform":3}',
          },
        ],
      },
      { body },
    );
    expect(second.model).toBe(MODEL);
    expect(second.output_text).toBe('lookup_train_departure returned: {"departure":"14:05","platform":3}');
    const tool = lastRequest().messages.at(-1);
    expect(tool).toEqual({
      role: "tool",
      tool_call_id: call.call_id,
      content: '{"departure":"14:05","platform":3}',
    });
  });

  it("a tool call written as <tool_call> text (Foundry Local with tool_choice auto) is still a call", async () => {
    const body = await agent([BOOK_TABLE]);
    standIn.callsAsText = true;
    try {
      const response = await lab.openai.responses.create(
        { input: "Book a table for 4 at Maaemo, please" },
        { body },
      );
      expect(response.output.map((i) => i.type)).toEqual(["function_call"]);
      const call = response.output[0];
      if (call?.type !== "function_call") throw new Error("expected a function call");
      expect(JSON.parse(call.arguments)).toEqual({ restaurant: "Maaemo", party_size: 4 });
    } finally {
      standIn.callsAsText = false;
    }
  });

  it("file search runs in the emulator: a file_search_call, an answer from the passage, a file_citation", async () => {
    const store = await lab.openai.vectorStores.create({ name: "guide" });
    const file = await lab.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(GUIDE), "field-guide.md"),
    );
    const body = await agent([{ type: "file_search", vector_store_ids: [store.id] }]);
    const response = await lab.openai.responses.create(
      { input: "Search the documents for the hotel allowance", include: ["file_search_call.results"] },
      { body },
    );
    expect(response.output.map((i) => i.type)).toEqual(["file_search_call", "message"]);
    const search = response.output[0];
    if (search?.type !== "file_search_call") throw new Error("expected file_search_call");
    // The query is the model's own (the stand-in drops "Search"), not the user's words.
    expect(search.queries).toEqual(["the documents for the hotel allowance"]);
    expect(search.results?.[0]).toMatchObject({ file_id: file.id, filename: "field-guide.md" });
    // The stand-in quoted the passage's first sentence and cited it as [1]; the marker became a citation.
    const text = response.output_text;
    expect(text).toBe(
      "Hotels are reimbursed up to 180 euros a night in capitals and 130 euros elsewhere, breakfast included.",
    );
    const message = response.output[1];
    if (message?.type !== "message" || message.content[0]?.type !== "output_text") throw new Error("no text");
    expect(message.content[0].annotations).toEqual([
      { type: "file_citation", file_id: file.id, filename: "field-guide.md", index: text.length },
    ]);

    // A follow-up in the same thread: the earlier search reaches the model as a call and its result.
    const events: ResponseStreamEvent[] = [];
    const followUp = lab.openai.responses.stream(
      { input: "Search for meals on trips", previous_response_id: response.id },
      { body },
    );
    for await (const e of followUp) events.push(e);
    expect((await followUp.finalResponse()).output_text).toBe(
      "Meals on business trips are covered up to 60 euros a day.",
    );
    const roles = lastRequest().messages.map((m: { role: string }) => m.role);
    expect(roles).toEqual(["system", "user", "assistant", "tool", "assistant", "user", "assistant", "tool"]);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "response.file_search_call.completed",
        "response.output_text.annotation.added",
        "response.completed",
      ]),
    );
  });

  it("web search runs in the emulator's offline corpus: a web_search_call and a url_citation over the cited sentence", async () => {
    const body = await agent([{ type: "web_search" }]);
    const response = await lab.openai.responses.create(
      { input: "Search the web for the Node.js release lines", include: ["web_search_call.action.sources"] },
      { body },
    );
    expect(response.output.map((i) => i.type)).toEqual(["web_search_call", "message"]);
    const call = response.output[0];
    if (call?.type !== "web_search_call") throw new Error("expected web_search_call");
    expect(call.action).toMatchObject({ type: "search", query: "the web for the Node.js release lines" });
    const text = response.output_text;
    expect(text).toBe("Node.js publishes a new major version every six months.");
    const message = response.output[1];
    if (message?.type !== "message" || message.content[0]?.type !== "output_text") throw new Error("no text");
    expect(message.content[0].annotations[0]).toEqual({
      type: "url_citation",
      url: "https://offline.lab.invalid/nodejs-lts",
      title: expect.stringContaining("Node.js release lines"),
      start_index: 0,
      end_index: text.length,
    });
  });

  it("tool_choice none: the model is offered no tools and answers in words", async () => {
    const response = await lab.openai.responses.create({
      model: MODEL,
      input: "What is the weather in Oslo?",
      tools: [
        {
          type: "function",
          name: "get_weather",
          parameters: { type: "object", properties: {} },
          strict: false,
        },
      ],
      tool_choice: "none",
    });
    expect(response.output.map((i) => i.type)).toEqual(["message"]);
    expect(lastRequest().tools).toBeUndefined();
  });

  it("a model that keeps calling tools is stopped after 6 steps, and the last one must answer", async () => {
    const store = await lab.openai.vectorStores.create({ name: "loop" });
    const body = await agent([{ type: "file_search", vector_store_ids: [store.id] }]);
    standIn.fault = "repeats";
    try {
      const response = await lab.openai.responses.create({ input: "Look this up" }, { body });
      expect(response.output.map((i) => i.type)).toEqual([...Array(5).fill("file_search_call"), "message"]);
      expect(response.output_text).toBe("No tools left, so this is my answer.");
      expect(lastRequest().tools).toBeUndefined();
    } finally {
      standIn.fault = undefined;
    }
  });

  it("code interpreter runs in the emulator's sandbox, and the files the code wrote are cited", async () => {
    const body = await agent([{ type: "code_interpreter", container: { type: "auto" } }]);
    const response = await lab.openai.responses.create(
      {
        input: "Run this code:\n```python\nopen('out.txt', 'w').write('hi')\nprint(6 * 7)\n```",
        include: ["code_interpreter_call.outputs"],
      },
      { body },
    );
    expect(response.output.map((i) => i.type)).toEqual(["code_interpreter_call", "message"]);
    const call = response.output[0];
    if (call?.type !== "code_interpreter_call") throw new Error("expected code_interpreter_call");
    expect(call.status).toBe("completed");
    expect(call.outputs).toEqual([{ type: "logs", logs: "42\n" }]);
    expect(response.output_text).toMatch(
      /^code_interpreter returned: 42 Files written: \/mnt\/data\/out\.txt\n\n\[out\.txt\]\(sandbox:\/mnt\/data\/out\.txt\)$/,
    );
    const message = response.output[1];
    if (message?.type !== "message" || message.content[0]?.type !== "output_text") throw new Error("no text");
    const cited = message.content[0].annotations[0];
    expect(cited).toMatchObject({
      type: "container_file_citation",
      container_id: call.container_id,
      filename: "out.txt",
    });
  });

  it("MCP tools: the model's call waits for approval, runs once approved (a denial is the call's result), and the model answers from it", async () => {
    const servers: LocalMcpServers = await startMcpServers({ dataDir: tempDir() });
    try {
      const body = await agent([
        {
          type: "mcp",
          server_label: "lab_issues",
          server_url: servers.issuesUrl,
          require_approval: "always",
        },
      ]);
      const first = await lab.openai.responses.create(
        { input: 'Create an issue titled "Clicker battery"' },
        { body },
      );
      expect(first.output.map((i) => i.type)).toEqual(["mcp_list_tools", "mcp_approval_request"]);
      const asked = first.output[1];
      if (asked?.type !== "mcp_approval_request") throw new Error("expected an approval request");
      expect(asked).toMatchObject({ server_label: "lab_issues", name: "create_issue" });
      expect(JSON.parse(asked.arguments)).toMatchObject({ title: "Clicker battery" });

      const second = await lab.openai.responses.create(
        {
          previous_response_id: first.id,
          input: [{ type: "mcp_approval_response", approval_request_id: asked.id, approve: true }],
        },
        { body },
      );
      expect(second.output.map((i) => i.type)).toEqual(["mcp_call", "message"]);
      expect(second.output[0]).toMatchObject({
        name: "create_issue",
        approval_request_id: asked.id,
        status: "completed",
      });
      expect(second.output_text).toMatch(/^lab_issues__create_issue returned: .*Clicker battery/);

      // The same approval again is refused: a request the emulator issued is honoured once.
      await expect(
        lab.openai.responses.create(
          {
            previous_response_id: second.id,
            input: [{ type: "mcp_approval_response", approval_request_id: asked.id, approve: true }],
          },
          { body },
        ),
      ).rejects.toMatchObject({ status: 400, message: expect.stringContaining(asked.id) });
      const created = JSON.parse(readFileSync(servers.issuesFile, "utf8")).issues.filter(
        (issue: { title: string }) => issue.title === "Clicker battery",
      );
      expect(created).toHaveLength(1);

      // A denial reaches the model as the call's result, with the client's reason when it gave one.
      const toolResults = () =>
        (lastRequest().messages as Array<{ role: string; content: unknown }>)
          .filter((m) => m.role === "tool")
          .map((m) => m.content);
      for (const [reason, told] of [
        [undefined, "The user declined this call, so it was not run."],
        ["stdin ended before an answer", "This call was not run: stdin ended before an answer"],
      ] as const) {
        const first = await lab.openai.responses.create(
          { input: 'Create an issue titled "Never made"' },
          { body },
        );
        const asked = first.output.find((i) => i.type === "mcp_approval_request");
        if (asked?.type !== "mcp_approval_request") throw new Error("expected an approval request");
        await lab.openai.responses.create(
          {
            previous_response_id: first.id,
            input: [
              {
                type: "mcp_approval_response",
                approval_request_id: asked.id,
                approve: false,
                ...(reason ? { reason } : {}),
              },
            ],
          },
          { body },
        );
        expect(toolResults()).toContain(told);
      }
      expect(readFileSync(servers.issuesFile, "utf8")).not.toContain("Never made");
    } finally {
      await servers.close();
    }
  });

  it("model-router, EMULATOR_ROUTER=auto: simple requests stay on the lab model, demanding ones go to the local model", async () => {
    const simple = await lab.openai.responses.create({ model: "model-router", input: "hi" });
    expect(simple.model).toBe("lab-offline-mini");
    const demanding = await lab.openai.responses.create({
      model: "model-router",
      input: "Explain why the sky is blue",
    });
    expect(demanding.model).toBe(MODEL);
    expect(demanding.output_text).toBe('You said "Explain why the sky is blue". That is message 1 from you.');
  });

  it("EMULATOR_ROUTER=lab keeps model-router on the lab models; =local sends it everything", async () => {
    const labRouted = await startLab({ dataDir: shared, localModel: settings({ router: "lab" }) });
    const localRouted = await startLab({ dataDir: shared, localModel: settings({ router: "local" }) });
    try {
      const stays = await labRouted.openai.responses.create({ model: "model-router", input: "Explain why" });
      expect(stays.model).toBe("lab-offline-large");
      const named = await labRouted.openai.responses.create({ model: MODEL, input: "hi" });
      expect(named.model).toBe(MODEL);
      const goes = await localRouted.openai.responses.create({ model: "model-router", input: "hi" });
      expect(goes.model).toBe(MODEL);
    } finally {
      await labRouted.close();
      await localRouted.close();
    }
  });
});

describe("when the model server fails, the response says so in one sentence", () => {
  /** A stream's `response.failed` message, and a JSON request's error (status and message). */
  async function failure(lab_: Lab, model = MODEL) {
    const events: ResponseStreamEvent[] = [];
    const stream = await lab_.openai.responses.create({ model, input: "hello", stream: true });
    for await (const event of stream) events.push(event);
    const failed = events.find((e) => e.type === "response.failed");
    if (failed?.type !== "response.failed")
      throw new Error(`no response.failed in ${events.map((e) => e.type)}`);
    const before = standIn.requests.length;
    const error = await lab_.openai.responses.create({ model, input: "hello" }).then(
      () => undefined,
      (err: { status: number; error: { message: string } }) => err,
    );
    return {
      model: failed.response.model,
      streamed: failed.response.error?.message ?? "",
      status: error?.status,
      message: error?.error.message ?? "",
      upstreamCalls: standIn.requests.length - before,
    };
  }

  it("slow: bounded by EMULATOR_MODEL_TIMEOUT_MS, and the conversation keeps what it had", async () => {
    const conversation = await lab.openai.conversations.create();
    const body = await agent();
    await lab.openai.responses.create({ conversation: conversation.id, input: "first turn" }, { body });
    standIn.fault = "slow";
    try {
      const seen = await failure(lab);
      expect(seen.streamed).toBe(
        `The local model ${MODEL} at ${standIn.url} did not answer within 1.5 s: it may still be loading, or be too slow for this machine; try again, pick a smaller model, or raise EMULATOR_MODEL_TIMEOUT_MS.`,
      );
      expect(seen).toMatchObject({ status: 504, message: seen.streamed, upstreamCalls: 1 });
      await expect(
        lab.openai.responses.create({ conversation: conversation.id, input: "second turn" }, { body }),
      ).rejects.toMatchObject({ status: 504 });
    } finally {
      standIn.fault = undefined;
    }
    const items = await lab.openai.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(2);
    const third = await lab.openai.responses.create(
      { conversation: conversation.id, input: "third turn" },
      { body },
    );
    expect(third.output_text).toContain('You said "third turn". That is message 2 from you');
  });

  it("not a model server (an HTML page): says so and points at the /v1 base URL", async () => {
    standIn.fault = "garbage";
    try {
      const seen = await failure(lab);
      expect(seen.streamed).toBe(
        `The local model server at ${standIn.url} answered with something that is not a Chat Completions response (it began "<html><body>It works!</body></html>"): check that EMULATOR_MODEL_URL is its OpenAI-compatible base URL, usually ending in /v1.`,
      );
      // 502 with x-should-retry: false, so the SDK does not ask a broken server three times.
      expect(seen).toMatchObject({ status: 502, message: seen.streamed, upstreamCalls: 1 });
    } finally {
      standIn.fault = undefined;
    }
  });

  it("429 and 500 from the server carry its own message", async () => {
    standIn.fault = "busy";
    try {
      const busy = await failure(lab);
      expect(busy.streamed).toBe(
        `The local model server at ${standIn.url} is busy (429: server busy, please try again); wait a moment and ask again.`,
      );
      expect(busy.status).toBe(429);
      standIn.fault = "broken";
      const broken = await failure(lab);
      expect(broken.streamed).toBe(
        `The local model server at ${standIn.url} failed (500: llama runner process has terminated); try again, or restart it.`,
      );
      expect(broken).toMatchObject({ status: 502, upstreamCalls: 1 });
    } finally {
      standIn.fault = undefined;
    }
  });

  it("a model the server does not have, and a server that is down", async () => {
    const unknown = await startLab({
      dataDir: shared,
      localModel: settings({ name: "not-pulled", router: "local" }),
    });
    const down = await startLab({
      dataDir: shared,
      localModel: settings({ url: `http://127.0.0.1:${await closedPort()}/v1`, router: "local" }),
    });
    try {
      const missing = await failure(unknown, "model-router");
      expect(missing.streamed).toBe(
        `The local model server at ${standIn.url} answered 404 (model "not-pulled" not found, try pulling it first): check that EMULATOR_MODEL_NAME ("not-pulled") is a model it has and that EMULATOR_MODEL_URL is its base URL, usually ending in /v1.`,
      );
      const gone = await failure(down, "model-router");
      expect(gone.streamed).toMatch(
        /^The local model server at http:\/\/127\.0\.0\.1:\d+\/v1 is not reachable \(ECONNREFUSED\): start it \(for example `ollama serve` or `foundry service start`\) or fix EMULATOR_MODEL_URL\.$/,
      );
      // model-router sent it to the local model, and the failed response says which model failed.
      expect(gone).toMatchObject({ model: MODEL, status: 502, message: gone.streamed });
    } finally {
      await unknown.close();
      await down.close();
    }
  });
});

describe("streaming from the model server", () => {
  /** Streams a request; `onFirstDelta` runs when the first words arrive, before the next event is read. */
  async function streamed(
    request: Parameters<typeof lab.openai.responses.create>[0],
    onFirstDelta: (stream: { abort(): void }) => void = () => {},
    options?: Parameters<typeof lab.openai.responses.create>[1],
  ) {
    const events: ResponseStreamEvent[] = [];
    const stream = await lab.openai.responses.create({ ...request, stream: true } as never, options);
    const typed = stream as unknown as AsyncIterable<ResponseStreamEvent> & { controller: AbortController };
    try {
      for await (const event of typed) {
        events.push(event);
        if (
          event.type === "response.output_text.delta" &&
          events.filter((e) => e.type === event.type).length === 1
        )
          onFirstDelta({ abort: () => typed.controller.abort() });
      }
    } catch (error) {
      if ((error as Error).name !== "APIUserAbortError") throw error;
    }
    return events;
  }
  const text = (events: ResponseStreamEvent[]) =>
    events.map((e) => (e.type === "response.output_text.delta" ? e.delta : "")).join("");
  /** The completed response's answer (events carry the response without the SDK's output_text). */
  const answerOf = (event: ResponseStreamEvent | undefined) => {
    if (event?.type !== "response.completed") throw new Error(`ended with ${event?.type}`);
    const message = event.response.output.find((item) => item.type === "message");
    const part = message?.type === "message" ? message.content[0] : undefined;
    return { response: event.response, text: part?.type === "output_text" ? part.text : "" };
  };

  it("the client has the first words while the model server is still writing the rest", async () => {
    const hold = standIn.holdAfterFirstChunk();
    let heldWhenFirstWordsCame: boolean | undefined;
    let held = true;
    // Not a timing assertion: only so a regression fails instead of hanging.
    const safety = setTimeout(() => {
      held = false;
      hold.release();
    }, 5000);
    const events = await streamed({ model: MODEL, input: "Tell me about the fjords of Norway" }, () => {
      heldWhenFirstWordsCame = held;
      held = false;
      hold.release();
    });
    clearTimeout(safety);
    expect(heldWhenFirstWordsCame).toBe(true);
    const completed = answerOf(events.at(-1));
    expect(text(events)).toBe(completed.text);
    expect(completed.text).toBe('You said "Tell me about the fjords of Norway". That is message 1 from you.');
    // Several deltas (the server's chunks), and the events of a message in the service's order.
    const kinds = [...new Set(events.map((e) => e.type))];
    expect(kinds).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.filter((e) => e.type === "response.output_text.delta").length).toBeGreaterThan(2);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(lastRequest()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("usage is the server's own count when it sends one (cached tokens too), an estimate when not", async () => {
    const events = await streamed({ model: MODEL, input: "Count my words, please" });
    const completed = answerOf(events.at(-1));
    const prompt = standInTokens(
      lastRequest()
        .messages.map((m: { content: string }) => m.content)
        .join(" "),
    );
    const answer = standInTokens(completed.text);
    expect(completed.response.usage).toEqual({
      input_tokens: prompt,
      input_tokens_details: { cached_tokens: Math.floor(prompt / 2) },
      output_tokens: answer,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: prompt + answer,
    });
    // A JSON turn with web search: two model steps (the search call, then the answer), summed.
    const body = await agent([{ type: "web_search" }]);
    const before = standIn.requests.length;
    const searched = await lab.openai.responses.create(
      { input: "Search the web for Node.js release lines" },
      { body },
    );
    const steps = standIn.requests.slice(before);
    expect(steps).toHaveLength(2);
    const prompts = steps.map((r) => standInTokens(r.messages.map(textOf).join(" ")));
    expect(searched.usage?.input_tokens).toBe((prompts[0] ?? 0) + (prompts[1] ?? 0));
    expect(searched.usage?.input_tokens_details.cached_tokens).toBe(
      Math.floor((prompts[0] ?? 0) / 2) + Math.floor((prompts[1] ?? 0) / 2),
    );
    standIn.countsNothing = true;
    try {
      const estimated = await lab.openai.responses.create({ model: MODEL, input: "Count my words, please" });
      expect(estimated.usage?.input_tokens).toBeGreaterThan(0);
      expect(estimated.usage?.output_tokens).toBeGreaterThan(0);
      expect(estimated.usage?.input_tokens_details.cached_tokens).toBe(0);
    } finally {
      standIn.countsNothing = false;
    }
  });

  it("a tool call streamed in pieces is put together: the client's function call, and the emulator's own file search", async () => {
    const body = await agent([
      {
        type: "function",
        name: "reserve_cabin",
        description: "Reserve a cabin for a number of nights",
        parameters: {
          type: "object",
          properties: { place: { type: "string" }, nights: { type: "integer" } },
          required: ["place", "nights"],
        },
      },
    ]);
    const events = await streamed({ input: "Reserve a cabin in Lofoten for 3 nights" }, undefined, { body });
    const done = events.find((e) => e.type === "response.output_item.done");
    if (done?.type !== "response.output_item.done" || done.item.type !== "function_call")
      throw new Error("expected a function call");
    expect(JSON.parse(done.item.arguments)).toEqual({ place: "Lofoten", nights: 3 });
    expect(events.at(-1)?.type).toBe("response.completed");
  });

  it("a tool call written as <tool_call> text is held back while it streams, never shown as words", async () => {
    const body = await agent([BOOK_TABLE]);
    standIn.callsAsText = true;
    try {
      const events = await streamed({ input: "Book a table for 2 at Kontrast, please" }, undefined, { body });
      expect(events.filter((e) => e.type === "response.output_text.delta")).toEqual([]);
      const done = events.find((e) => e.type === "response.output_item.done");
      if (done?.type !== "response.output_item.done" || done.item.type !== "function_call")
        throw new Error("expected a function call");
      expect(JSON.parse(done.item.arguments)).toEqual({ restaurant: "Kontrast", party_size: 2 });
    } finally {
      standIn.callsAsText = false;
    }
  });

  it("a server that refuses stream_options is asked once more without it", async () => {
    standIn.refusesStreamOptions = true;
    const before = standIn.requests.length;
    try {
      const events = await streamed({ model: MODEL, input: "Options, options" });
      expect(text(events)).toBe('You said "Options, options". That is message 1 from you.');
      const sent = standIn.requests.slice(before);
      expect(sent.map((r) => r.stream_options)).toEqual([{ include_usage: true }, undefined]);
    } finally {
      standIn.refusesStreamOptions = false;
    }
  });

  it("a reasoning model's <think> block is never shown, streamed or not", async () => {
    standIn.thinks = true;
    try {
      const events = await streamed({ model: MODEL, input: "Think before you answer" });
      expect(text(events)).toBe('You said "Think before you answer". That is message 1 from you.');
      expect(answerOf(events.at(-1)).text).toBe(text(events));
      const plain = await lab.openai.responses.create({ model: MODEL, input: "Think again" });
      expect(plain.output_text).toBe('You said "Think again". That is message 1 from you.');
    } finally {
      standIn.thinks = false;
    }
  });

  it("a server that ignores stream and answers JSON still streams to the client", async () => {
    standIn.ignoresStream = true;
    try {
      const events = await streamed({ model: MODEL, input: "No streaming here" });
      expect(text(events)).toBe('You said "No streaming here". That is message 1 from you.');
      expect(events.at(-1)?.type).toBe("response.completed");
    } finally {
      standIn.ignoresStream = false;
    }
  });

  it.each([
    [
      "cut",
      `The local model server at %URL% closed the connection in the middle of its answer; try again, or restart it.`,
    ],
    [
      "bad-line",
      `The local model server at %URL% answered with something that is not a Chat Completions stream (it began "{this is not json"): check that EMULATOR_MODEL_URL is its OpenAI-compatible base URL, usually ending in /v1.`,
    ],
    [
      "error-event",
      `The local model server at %URL% failed in the middle of its answer (the model ran out of memory); try again, or restart it.`,
    ],
    [
      "stall",
      `The local model ${MODEL} at %URL% stopped in the middle of its answer: nothing came for 1.5 s; try again, pick a smaller model, or raise EMULATOR_MODEL_TIMEOUT_MS.`,
    ],
  ] as const)(
    "%s in the middle of a stream: the words so far, then response.failed in one sentence",
    async (fault, sentence) => {
      standIn.fault = fault;
      try {
        const events = await streamed({ model: MODEL, input: "Break off, please" });
        const failed = events.at(-1);
        if (failed?.type !== "response.failed") throw new Error(`ended with ${failed?.type}`);
        const expected = sentence.replace("%URL%", standIn.url);
        expect(failed.response.error?.message).toBe(expected);
        expect(text(events)).toBe("You said");
        expect(failed.response.output).toMatchObject([
          { type: "message", status: "incomplete", content: [{ type: "output_text", text: "You said" }] },
        ]);
        await expect(
          lab.openai.responses.create({ model: MODEL, input: "Break off, please" }),
        ).rejects.toMatchObject({
          error: { message: expected },
        });
      } finally {
        standIn.fault = undefined;
      }
    },
  );

  it("a client that goes away mid-stream stops the request to the model server", async () => {
    const hold = standIn.holdAfterFirstChunk();
    let id = "";
    const events = await streamed({ model: MODEL, input: "I will leave early" }, ({ abort }) => abort());
    const created = events[0];
    if (created?.type === "response.created") id = created.response.id;
    await hold.cutOff;
    hold.release();
    let kept = await lab.openai.responses.retrieve(id);
    while (kept.status === "in_progress") kept = await lab.openai.responses.retrieve(id);
    expect(kept.status).toBe("incomplete");
    expect(kept.incomplete_details).toEqual({ reason: "client_disconnected" });
    expect(kept.output).toMatchObject([
      { type: "message", status: "incomplete", content: [{ text: "You said" }] },
    ]);
  });

  it("a client that goes away before the first word stops the request to the model server", async () => {
    const hold = standIn.holdAfterFirstChunk();
    standIn.fault = "slow";
    try {
      const controller = new AbortController();
      const asked = lab.openai.responses
        .create(
          { model: MODEL, input: "Too slow for me", stream: true },
          { signal: controller.signal, maxRetries: 0 },
        )
        .then(
          () => "streaming",
          (error: Error) => error.constructor.name,
        );
      await hold.waiting;
      controller.abort();
      await hold.cutOff;
      expect(await asked).toBe("APIUserAbortError");
    } finally {
      standIn.fault = undefined;
    }
  });

  it("a JSON request whose client goes away stops the request to the model server too", async () => {
    const hold = standIn.holdAfterFirstChunk();
    const controller = new AbortController();
    const asked = lab.openai.responses
      .create({ model: MODEL, input: "I will not wait either" }, { signal: controller.signal, maxRetries: 0 })
      .then(
        () => "answered",
        (error: Error) => error.constructor.name,
      );
    await hold.waiting;
    controller.abort();
    await hold.cutOff;
    hold.release();
    expect(await asked).toBe("APIUserAbortError");
  });
});

describe("images and files in the input", () => {
  // A real 1×1 PNG: the emulator recognizes images by their bytes, not by their names.
  const PNG = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );
  const parts = () =>
    (lastRequest().messages.at(-1)?.content ?? []) as Array<{
      type: string;
      text?: string;
      image_url?: { url: string };
    }>;

  it("an input_image, stored as a file or sent as a data URL, reaches the model as an image_url part", async () => {
    const file = await lab.openai.files.create({ file: await toFile(PNG, "holiday.jpg"), purpose: "vision" });
    const dataUrl = `data:image/png;base64,${PNG.toString("base64")}`;
    const response = await lab.openai.responses.create({
      model: MODEL,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is in these pictures?" },
            { type: "input_image", file_id: file.id, detail: "low" },
            { type: "input_image", image_url: dataUrl, detail: "auto" },
          ],
        },
      ],
    });
    expect(parts()).toEqual([
      { type: "text", text: "What is in these pictures?" },
      // Named .jpg, but its bytes are a PNG: the data URL says what it is.
      { type: "image_url", image_url: { url: dataUrl, detail: "low" } },
      { type: "image_url", image_url: { url: dataUrl } },
    ]);
    expect(response.output_text).toBe(
      `You said "What is in these pictures?". That is message 1 from you. I see 2 images (image/png, ${PNG.length} bytes; image/png, ${PNG.length} bytes).`,
    );
  });

  it("an input_file reaches the model as its text where it is text, and as a note where it is not", async () => {
    const notes = await lab.openai.files.create({
      file: await toFile(Buffer.from("Packing list: rain jacket, wool socks, headlamp.\n"), "packing.md"),
      purpose: "user_data",
    });
    const binary = await lab.openai.files.create({
      file: await toFile(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0xff]), "scan.pdf"),
      purpose: "user_data",
    });
    await lab.openai.responses.create({
      model: MODEL,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Check my files" },
            { type: "input_file", file_id: notes.id },
            { type: "input_file", file_id: binary.id },
            {
              type: "input_file",
              filename: "inline.txt",
              file_data: `data:text/plain;base64,${Buffer.from("Sent inline.").toString("base64")}`,
            },
          ],
        },
      ],
    });
    expect(parts()).toEqual([
      { type: "text", text: "Check my files" },
      { type: "text", text: "The file packing.md:\nPacking list: rain jacket, wool socks, headlamp.\n" },
      {
        type: "text",
        text: "(The file scan.pdf is not text, and the emulator gives a local model only text files and images.)",
      },
      { type: "text", text: "The file inline.txt:\nSent inline." },
    ]);
  });

  it("a model server that refuses images: one sentence, streamed or not", async () => {
    standIn.blind = true;
    try {
      const input = [
        {
          role: "user" as const,
          content: [
            { type: "input_text" as const, text: "Describe this" },
            {
              type: "input_image" as const,
              image_url: `data:image/png;base64,${PNG.toString("base64")}`,
              detail: "auto" as const,
            },
          ],
        },
      ];
      const expected = `The local model server at ${standIn.url} refused the image (400: image input is not supported by this model): ${MODEL} may not see images; pick a vision model (e.g. gemma3, qwen2.5vl, llama3.2-vision) or send text only.`;
      await expect(lab.openai.responses.create({ model: MODEL, input })).rejects.toMatchObject({
        status: 502,
        error: { message: expected },
      });
      const web = [
        {
          role: "user" as const,
          content: [
            {
              type: "input_image" as const,
              image_url: "https://example.com/fjord.png",
              detail: "auto" as const,
            },
          ],
        },
      ];
      await expect(lab.openai.responses.create({ model: MODEL, input: web })).rejects.toMatchObject({
        error: {
          message: `The local model server at ${standIn.url} refused the image (400: image input is not supported by this model): send it as a data URL or an uploaded file (Ollama takes no web URLs), or ${MODEL} may not see images; pick a vision model (e.g. gemma3, qwen2.5vl, llama3.2-vision) or send text only.`,
        },
      });
      const events: ResponseStreamEvent[] = [];
      for await (const event of await lab.openai.responses.create({ model: MODEL, input, stream: true }))
        events.push(event);
      const failed = events.at(-1);
      if (failed?.type !== "response.failed") throw new Error(`ended with ${failed?.type}`);
      expect(failed.response.error?.message).toBe(expected);
    } finally {
      standIn.blind = false;
    }
  });
});

describe("EMULATOR_MODEL_* settings", () => {
  it("read from the environment, with defaults", () => {
    expect(localModelFromEnv({})).toBeNull();
    expect(
      localModelFromEnv({
        EMULATOR_MODEL_URL: "http://localhost:11434/v1/",
        EMULATOR_MODEL_NAME: "qwen2.5:0.5b",
      }),
    ).toEqual({
      url: "http://localhost:11434/v1",
      name: "qwen2.5:0.5b",
      timeoutMs: 120_000,
      router: "local",
    });
    expect(
      localModelFromEnv({
        EMULATOR_MODEL_URL: "http://127.0.0.1:5273/v1",
        EMULATOR_MODEL_NAME: "phi-4-mini",
        EMULATOR_MODEL_KEY: "k",
        EMULATOR_MODEL_TIMEOUT_MS: "5000",
        EMULATOR_ROUTER: "Auto",
      }),
    ).toEqual({
      url: "http://127.0.0.1:5273/v1",
      name: "phi-4-mini",
      key: "k",
      timeoutMs: 5000,
      router: "auto",
    });
  });

  it("a bad one is one sentence naming the variable", () => {
    const bad = (env: NodeJS.ProcessEnv) => () => localModelFromEnv(env);
    const url = { EMULATOR_MODEL_URL: "http://localhost:11434/v1" };
    expect(bad({ EMULATOR_MODEL_URL: "localhost:11434" })).toThrow(
      /^EMULATOR_MODEL_URL is "localhost:11434"; set it to/,
    );
    expect(bad(url)).toThrow(/^EMULATOR_MODEL_URL is set but EMULATOR_MODEL_NAME is not/);
    expect(bad({ ...url, EMULATOR_MODEL_NAME: "model-router" })).toThrow(/a name the lab models already use/);
    expect(bad({ ...url, EMULATOR_MODEL_NAME: "m", EMULATOR_MODEL_TIMEOUT_MS: "soon" })).toThrow(
      /^EMULATOR_MODEL_TIMEOUT_MS is "soon"/,
    );
    expect(bad({ EMULATOR_ROUTER: "local" })).toThrow(/^EMULATOR_ROUTER=local needs a local model/);
    expect(bad({ EMULATOR_ROUTER: "fastest" })).toThrow(
      /^EMULATOR_ROUTER is "fastest"; use local, lab or auto/,
    );
  });
});

const GUIDE = `# Field guide

## Hotels

Hotels are reimbursed up to 180 euros a night in capitals and 130 euros elsewhere, breakfast included.
Book them through the travel portal.

## Meals

Meals on business trips are covered up to 60 euros a day. Alcohol is never reimbursed.
`;
