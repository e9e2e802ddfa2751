/**
 * The hosted agent's server against the Open Responses compliance cases (raw HTTP, see
 * shared/test/open-responses.ts), and what a Responses server owes its clients beyond a plain turn: the
 * deployment's 429 passed through with its retry-after, one `response.model` across a stream, usage
 * details, `store: false`.
 */
import { AIProjectClient } from "@azure/ai-projects";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES, readSse, runCase, streamProblems } from "../../../shared/test/open-responses.ts";
import { startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { type HostedServer, startServer } from "../src/server.ts";

let backend: TestBackend;
let server: HostedServer;

beforeAll(async () => {
  backend = await startBackend();
  server = await startServer({
    openai: backend.openai,
    deployment: "model-router",
    port: 0,
    keepAliveSeconds: 0,
  });
});
afterAll(async () => {
  await server?.close(1);
  await backend?.close();
});

describe("Open Responses compliance: the hosted agent", () => {
  it.each(CASES.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    expect(await runCase({ baseUrl: server.url, headers: {}, extra: { model: "hosted-agent" } }, c)).toEqual(
      [],
    );
  });
});

describe("what the server owes its clients", () => {
  it("one response.model across the stream: the model that served, from the first event on", async () => {
    const res = await fetch(`${server.url}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "Hello there", stream: true }),
    });
    const { events } = await readSse(res);
    const { problems, final } = streamProblems(events);
    expect(problems).toEqual([]);
    expect(final?.model).toBe("lab-offline-mini");
    expect(events[0]?.data.response).toMatchObject({ model: "lab-offline-mini" });
  });

  it("usage has input_tokens_details and output_tokens_details, as the SDK's types declare", async () => {
    const client = new OpenAI({ baseURL: server.url, apiKey: "local", maxRetries: 0 });
    const response = await client.responses.create({ input: "hi" });
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(0);
  });

  it("the deployment's 429 reaches the client as a 429 with retry-after, JSON and streamed", async () => {
    // The emulator answers every request with this token 429 + retry-after: 0 (after the agent's own
    // client has retried twice, as the SDK does).
    const throttled = new AIProjectClient(backend.endpoint, {
      getToken: async () => ({ token: "lab-throttled", expiresOnTimestamp: Date.now() + 3600e3 }),
    }).getOpenAIClient();
    const busy = await startServer({
      openai: throttled,
      deployment: "model-router",
      port: 0,
      keepAliveSeconds: 0,
    });
    try {
      for (const stream of [false, true]) {
        const res = await fetch(`${busy.url}/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ input: "hi", stream }),
        });
        expect(res.status).toBe(429);
        expect(res.headers.get("retry-after")).toBe("0");
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
      }
      // The openai SDK sees a RateLimitError (it would have retried, honouring retry-after).
      const client = new OpenAI({ baseURL: busy.url, apiKey: "local", maxRetries: 0 });
      await expect(client.responses.create({ input: "hi" })).rejects.toMatchObject({ status: 429 });
    } finally {
      await busy.close(1);
    }
  });
});
