import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, promptAgent, raw, startLab } from "./support.ts";

let lab: Lab;
const agent = { agent_reference: { type: "agent_reference" as const, name: "fault-agent" } };

beforeAll(async () => {
  lab = await startLab();
  await lab.project.agents.createVersion("fault-agent", promptAgent());
});
afterAll(() => lab.close());

async function stillServing(): Promise<void> {
  const response = await lab.openai.responses.create({ input: "still there?" }, { body: agent });
  expect(response.status).toBe("completed");
}

describe("fault-injection tokens drive the SDKs' real error paths", () => {
  it("lab-expired gives 401 on both clients", async () => {
    const { project, openai } = lab.clients("lab-expired");
    await expect(project.agents.get("fault-agent")).rejects.toMatchObject({ statusCode: 401 });
    await expect(openai.responses.create({ input: "hi" }, { body: agent })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining("expired"),
    });
  });

  it("lab-denied gives 403 naming the missing data action", async () => {
    const { project, openai } = lab.clients("lab-denied");
    await expect(project.agents.createVersion("denied", promptAgent())).rejects.toMatchObject({
      statusCode: 403,
      message: expect.stringContaining(
        "lacks the required data action Microsoft.CognitiveServices/accounts/AIServices/agents/write",
      ),
    });
    await expect(openai.conversations.create()).rejects.toMatchObject({ status: 403 });
  });

  it("lab-throttled gives 429 with retry-after: 0 after the SDKs' own retries", async () => {
    const { project, openai } = lab.clients("lab-throttled");
    await expect(project.agents.get("fault-agent")).rejects.toMatchObject({ statusCode: 429 });
    await expect(
      openai.responses.create({ input: "hi" }, { body: agent, maxRetries: 0 }),
    ).rejects.toMatchObject({ status: 429 });
    const res = await raw(lab, "GET", "/agents/fault-agent", { token: "lab-throttled" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("0");
  });

  it("lab-drop-stream cuts the stream mid-answer: the SDK throws, the conversation gains nothing", async () => {
    const { openai } = lab.clients("lab-drop-stream");
    const conversation = await lab.openai.conversations.create({
      items: [{ type: "message", role: "user", content: "My name is Ada" }],
    });
    const deltas: string[] = [];
    let responseId = "";
    const consume = async () => {
      const stream = openai.responses.stream(
        { input: "Tell me a story", conversation: conversation.id },
        { body: agent },
      );
      for await (const event of stream) {
        if (event.type === "response.created") responseId = event.response.id;
        if (event.type === "response.output_text.delta") deltas.push(event.delta);
      }
      await stream.finalResponse();
    };
    await expect(consume()).rejects.toThrow();
    expect(deltas).toHaveLength(2);
    const items = await lab.openai.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(1);
    // The abandoned turn is kept for inspection, marked incomplete, with only what was sent.
    await expect
      .poll(async () => (await lab.openai.responses.retrieve(responseId)).status)
      .toBe("incomplete");
    const abandoned = await lab.openai.responses.retrieve(responseId);
    expect(abandoned.output_text).toBe(deltas.join(""));

    const rawStream = await openai.responses.create({ input: "again", stream: true }, { body: agent });
    await expect(async () => {
      for await (const _ of rawStream) {
        // drain until the socket drops
      }
    }).rejects.toThrow();
    await stillServing();
  });
});

describe("bad input gets a 4xx in the service's error shape, never a crash", () => {
  const expectError = (
    res: { status: number; headers: Headers; json: unknown },
    status: number,
    code?: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.json).toMatchObject({
      error: { code: code ?? expect.any(String), message: expect.any(String) },
    });
  };

  it("healthz needs no token; everything else does", async () => {
    const health = await raw(lab, "GET", lab.emulator.endpoint.replace(/\/api\/projects\/lab$/, "/healthz"), {
      token: null,
    });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: "ok" });
    expectError(await raw(lab, "GET", "/agents", { token: null }), 401);
    expectError(
      await raw(lab, "GET", "/agents", { token: null, headers: { authorization: "Basic abc" } }),
      401,
    );
  });

  it("malformed JSON, wrong types, unknown routes, wrong methods and unknown projects", async () => {
    expectError(await raw(lab, "POST", "/openai/v1/responses", { body: "{not json" }), 400, "invalid_json");
    expectError(await raw(lab, "POST", "/openai/v1/responses", { body: "[1,2]" }), 400, "invalid_payload");
    const wrongInput = await raw(lab, "POST", "/openai/v1/responses", {
      body: JSON.stringify({ model: "model-router", input: 42 }),
    });
    expectError(wrongInput, 400, "invalid_payload");
    expect(wrongInput.json).toMatchObject({ error: { param: "input" } });
    const wrongStream = await raw(lab, "POST", "/openai/v1/responses", {
      body: JSON.stringify({ model: "model-router", input: "hi", stream: "yes" }),
    });
    expect(wrongStream.json).toMatchObject({ error: { param: "stream" } });
    const wrongRef = await raw(lab, "POST", "/openai/v1/responses", {
      body: JSON.stringify({ input: "hi", agent_reference: "fault-agent" }),
    });
    expect(wrongRef.json).toMatchObject({ error: { param: "agent_reference" } });
    const badLimit = await raw(lab, "GET", "/agents?limit=1000");
    expectError(badLimit, 400, "invalid_value");
    expect(badLimit.json).toMatchObject({ error: { param: "limit" } });
    expectError(await raw(lab, "GET", "/agents?order=sideways"), 400, "invalid_value");
    expectError(await raw(lab, "GET", "/nothing/here"), 404, "not_found");
    expectError(
      await raw(lab, "GET", lab.emulator.endpoint.replace(/lab$/, "other/agents"), {}),
      404,
      "not_found",
    );
    const wrongMethod = await raw(lab, "PUT", "/openai/v1/responses");
    expectError(wrongMethod, 405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expectError(await raw(lab, "GET", "/agents/%E0%A4%A"), 400);
  });

  it("refuses bodies over 1 MiB with 413", async () => {
    const huge = JSON.stringify({ model: "model-router", input: "x".repeat(1024 * 1024 + 10) });
    expectError(await raw(lab, "POST", "/openai/v1/responses", { body: huge }), 413);
  });

  it("refuses JSON nested deeper than 64 levels with a 400 on every JSON route, not a 500", async () => {
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    const conversation = await lab.openai.conversations.create();
    // 4,300 levels is a few dozen KB, well under the size cap: only a depth limit stops it.
    const deep = nested(4300);
    const item = `{"type":"function_call_output","call_id":"c1","output":"x","extra":${deep}}`;
    const routes: Array<[string, string]> = [
      [`/openai/v1/conversations/${conversation.id}/items`, `{"items":[${item}]}`],
      ["/openai/v1/responses", `{"model":"model-router","input":"hi","metadata":{},"text":${deep}}`],
      [
        "/agents/deep-agent/versions",
        `{"definition":{"kind":"prompt","model":"model-router","tools":[{"type":"function","name":"f","parameters":${deep}}]}}`,
      ],
      ["/toolboxes/deep-box/versions", `{"tools":[{"type":"mcp","server_label":"x","headers":${deep}}]}`],
    ];
    for (const [route, body] of routes) {
      const res = await raw(lab, "POST", route, { body });
      expectError(res, 400, "invalid_payload");
      expect(JSON.stringify(res.json)).toContain("more than 64 levels deep");
    }
    // A function schema nested 12 objects deep (more than strict structured outputs allow) still passes.
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 12; i++) schema = { type: "object", properties: { inner: schema } };
    const agent = await lab.project.agents.createVersion("deep-agent", {
      ...promptAgent(),
      tools: [{ type: "function", name: "nested", parameters: schema } as never],
    });
    expect(agent.name).toBe("deep-agent");
  });

  it("collapses double slashes the OpenAI client makes from a trailing-slash endpoint", async () => {
    const res = await raw(lab, "GET", "//agents/fault-agent?api-version=v1");
    expect(res.status).toBe(200);
  });

  it("keeps serving after all of the above", async () => {
    await stillServing();
  });
});

describe("a client that walks away mid-stream", () => {
  it("stops the stream quietly, keeps the turn as incomplete, and appends nothing", async () => {
    const slow = await startLab({ streamDelayMs: 20 });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await slow.project.agents.createVersion("slow-agent", promptAgent());
      const conversation = await slow.openai.conversations.create();
      const controller = new AbortController();
      let responseId = "";
      let deltas = 0;
      const stream = slow.openai.responses.stream(
        { input: "Tell me a long story please", conversation: conversation.id },
        {
          body: { agent_reference: { type: "agent_reference", name: "slow-agent" } },
          signal: controller.signal,
        },
      );
      await expect(async () => {
        for await (const event of stream) {
          if (event.type === "response.created") responseId = event.response.id;
          if (event.type === "response.output_text.delta" && ++deltas === 3) controller.abort();
        }
      }).rejects.toThrow();
      await expect
        .poll(async () => (await slow.openai.responses.retrieve(responseId)).status)
        .toBe("incomplete");
      const stored = await slow.openai.responses.retrieve(responseId);
      expect(stored.incomplete_details).toEqual({ reason: "client_disconnected" });
      expect((await slow.openai.conversations.items.list(conversation.id)).data).toEqual([]);
      const next = await slow.openai.responses.create(
        { input: "hello", conversation: conversation.id },
        { body: { agent_reference: { type: "agent_reference", name: "slow-agent" } } },
      );
      expect(next.status).toBe("completed");
      expect(errors).toEqual([]);
    } finally {
      console.error = original;
      await slow.close();
    }
  });
});
