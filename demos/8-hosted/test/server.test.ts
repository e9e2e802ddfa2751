/**
 * The hosted agent's server against the real `openai` SDK, the way any Responses client uses it: JSON and
 * streamed turns, both multi-turn forms, retrieve/delete/cancel/input_items, the platform headers, and the
 * agent's own logic (local tool, redaction). The model behind it is the emulator's lab model.
 */
import { CredentialUnavailableError } from "@azure/identity";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { convertUnits, EmailRedactor, REDACTED, redactEmails } from "../src/agent.ts";
import { type HostedServer, startServer } from "../src/server.ts";

let backend: TestBackend;
let slow: TestBackend;
let server: HostedServer;
let client: OpenAI;

beforeAll(async () => {
  [backend, slow] = await Promise.all([startBackend(), startBackend({ streamDelayMs: 25 })]);
  server = await startServer({
    openai: backend.openai,
    deployment: "model-router",
    port: 0,
    keepAliveSeconds: 0,
  });
  client = new OpenAI({ baseURL: server.url, apiKey: "local", maxRetries: 0 });
});
afterAll(async () => {
  await server?.close(1);
  await Promise.all([backend?.close(), slow?.close()]);
});

describe("the Responses routes, through the openai SDK", () => {
  it("answers a JSON turn, with the platform headers and the served model", async () => {
    const { data, response } = await client.responses
      .create({ input: "My name is Ada." }, { headers: { "x-request-id": "req-123" } })
      .withResponse();
    expect(data.object).toBe("response");
    expect(data.status).toBe("completed");
    expect(data.id).toMatch(/^caresp_[a-z0-9]{50}$/);
    expect(data.output_text).toContain("Ada");
    expect(data.model).toBe("lab-offline-mini");
    expect(response.headers.get("x-request-id")).toBe("req-123");
    expect(response.headers.get("x-platform-server")).toMatch(/^foundry-agent-lab-hosted\//);
    // The same routes answer under /v1, for clients whose base URL ends there.
    const v1 = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "local", maxRetries: 0 });
    expect((await v1.responses.create({ input: "hi" })).status).toBe("completed");
  });

  it("streams in the protocol's event order, and responses.stream() gives the final response", async () => {
    const stream = client.responses.stream({ input: "Hello there" });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe(text);
    const distinct = types.filter((t, i) => t !== types[i - 1]);
    expect(distinct).toEqual([
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
    // Retrieval returns what the stream ended with.
    const again = await client.responses.retrieve(final.id);
    expect(again.output_text).toBe(text);
  });

  it("continues a thread through previous_response_id and through conversation", async () => {
    const first = await client.responses.create({ input: "My name is Ada." });
    const second = await client.responses.create({
      input: "What is my name?",
      previous_response_id: first.id,
    });
    expect(second.output_text).toContain("Ada");
    expect(second.previous_response_id).toBe(first.id);
    const unrelated = await client.responses.create({ input: "What is my name?" });
    expect(unrelated.output_text).not.toContain("Ada");

    const conversation = `conv_${Date.now()}`;
    await client.responses.create({ input: "I live in Oslo.", conversation });
    const inConversation = await client.responses.create({ input: "Where do I live?", conversation });
    expect(inConversation.output_text).toContain("Oslo");
    expect(inConversation.conversation).toEqual({ id: conversation });
  });

  it("retrieves, lists input items, and deletes", async () => {
    const created = await client.responses.create({
      input: [
        { role: "user", content: "First line" },
        { role: "user", content: [{ type: "input_text", text: "Second line" }] },
      ],
    });
    const texts = [];
    for await (const item of client.responses.inputItems.list(created.id, { order: "asc" })) {
      texts.push(item.type === "message" ? JSON.stringify(item.content) : "");
    }
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("First line");
    expect(texts[1]).toContain("Second line");
    const paged = await client.responses.inputItems.list(created.id, { limit: 1 });
    expect(paged.data).toHaveLength(1);
    expect(paged.has_more).toBe(true);

    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("cancel stops a streaming turn: the stream ends with response.incomplete, status cancelled", async () => {
    const slowServer = await startServer({ openai: slow.openai, deployment: "model-router", port: 0 });
    try {
      const slowClient = new OpenAI({ baseURL: slowServer.url, apiKey: "local", maxRetries: 0 });
      const stream = await slowClient.responses.create({
        input: "Please explain in detail why a hosted agent owns its inference path and what that changes",
        stream: true,
      });
      const seen: string[] = [];
      let id = "";
      let cancelled: OpenAI.Responses.Response | undefined;
      let last: OpenAI.Responses.ResponseStreamEvent | undefined;
      for await (const event of stream) {
        seen.push(event.type);
        last = event;
        if (event.type === "response.created") id = event.response.id;
        if (event.type === "response.output_text.delta" && !cancelled) {
          cancelled = await slowClient.responses.cancel(id);
        }
      }
      expect(cancelled?.status).toBe("cancelled");
      expect(last?.type).toBe("response.incomplete");
      expect(last && "response" in last ? last.response.status : "").toBe("cancelled");
      expect(seen).toContain("response.output_item.done");
      expect(seen).not.toContain("response.completed");
      // A finished response cannot be cancelled again into something else.
      const done = await slowClient.responses.create({ input: "hi" });
      await expect(slowClient.responses.cancel(done.id)).rejects.toMatchObject({ status: 400 });
    } finally {
      await slowServer.close(1);
    }
  });

  it("honours x-agent-response-id and validates agent_reference", async () => {
    const forced = `caresp_forced${Date.now()}`;
    const withId = await client.responses.create(
      { input: "hi" },
      { headers: { "x-agent-response-id": forced } },
    );
    expect(withId.id).toBe(forced);

    const ok = { input: "hi", agent_reference: { type: "agent_reference", name: "hosted-agent" } };
    const accepted = await client.responses.create(ok);
    expect((accepted as unknown as { agent_reference: unknown }).agent_reference).toEqual(ok.agent_reference);
    const badType = { input: "hi", agent_reference: { type: "agent", name: "x" } };
    await expect(client.responses.create(badType)).rejects.toMatchObject({
      status: 400,
      error: { param: "agent_reference.type" },
    });
    const noName = { input: "hi", agent_reference: { type: "agent_reference", name: " " } };
    await expect(client.responses.create(noName)).rejects.toMatchObject({
      status: 400,
      error: { param: "agent_reference.name" },
    });
  });

  it("sends : keep-alive comments on a quiet stream", async () => {
    const quiet = await startServer({
      openai: slow.openai,
      deployment: "model-router",
      port: 0,
      keepAliveSeconds: 0.01,
    });
    try {
      const res = await fetch(`${quiet.url}/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "Tell me about keep-alive comments on long turns", stream: true }),
      });
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const body = await res.text();
      expect(body).toContain(": keep-alive\n\n");
      expect(
        body
          .trimEnd()
          .split("\n")
          .filter((l) => l.startsWith("event: "))
          .at(-1),
      ).toBe("event: response.completed");
    } finally {
      await quiet.close(1);
    }
  });
});

describe("background turns, sessions and a failing model deployment", () => {
  it("background: returns at once, queued, then completes; the session id is echoed", async () => {
    const { data, response } = await client.responses
      .create({ input: "My name is Ada.", background: true, ...{ agent_session_id: "session-1" } })
      .withResponse();
    expect(data.status).toBe("queued");
    expect(response.headers.get("x-agent-session-id")).toBe("session-1");
    let current = data;
    for (let i = 0; i < 100 && (current.status === "queued" || current.status === "in_progress"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      current = await client.responses.retrieve(data.id);
    }
    expect(current.status).toBe("completed");
    expect(current.output_text).toContain("Ada");
  });

  it("no Azure token for the model call: the az login sentence, not the credential chain", async () => {
    // What project.getOpenAIClient() does on Azure with nobody signed in: its token function throws.
    const signedOut = new OpenAI({
      baseURL: "https://127.0.0.1:9/none",
      apiKey: async () => {
        throw new CredentialUnavailableError("ChainedTokenCredential authentication failed.");
      },
    });
    const unsigned = await startServer({ openai: signedOut, deployment: "model-router", port: 0 });
    try {
      const res = await fetch(`${unsigned.url}/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "hi" }),
      });
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/^No Azure credential could get a token: run `az login`/);
      expect(body.error.message).not.toContain("apiKey");
    } finally {
      await unsigned.close(1);
    }
  });

  it("a model deployment that fails: 502 for JSON, response.failed for a stream, and the server goes on", async () => {
    const broken = await startServer({ openai: backend.openai, deployment: "gpt-nonexistent", port: 0 });
    try {
      const res = await fetch(`${broken.url}/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "hi" }),
      });
      expect(res.status).toBe(502);
      expect(res.headers.get("x-platform-error-source")).toBe("upstream");
      expect(res.headers.get("x-should-retry")).toBe("false");
      const body = (await res.json()) as { error: { type: string; code: string; message: string } };
      expect(body.error.type).toBe("server_error");
      expect(body.error.code).toBe("model_error");
      expect(body.error.message).toContain('The model deployment "gpt-nonexistent" could not answer (404)');
      expect(body.error.message).not.toMatch(/\bat .*\.(ts|js):\d+/);

      const brokenClient = new OpenAI({ baseURL: broken.url, apiKey: "local", maxRetries: 0 });
      const events = [];
      for await (const event of await brokenClient.responses.create({ input: "hi", stream: true })) {
        events.push(event);
      }
      const last = events.at(-1);
      expect(last?.type).toBe("response.failed");
      expect(last && "response" in last ? last.response.error?.code : "").toBe("model_error");
      expect((await fetch(`${broken.url}/readiness`)).status).toBe(200);
    } finally {
      await broken.close(1);
    }
  });
});

describe("the agent's own logic", () => {
  it("runs the unit converter itself and appends the exact numbers", async () => {
    expect(convertUnits("Convert 10 km to miles and 72 °F in celsius, and 3 kg to lb")).toEqual([
      "10 km = 6.214 mi",
      "72 °F = 22.222 °C",
      "3 kg = 6.614 lb",
    ]);
    expect(convertUnits("10 km to kg")).toEqual([]);
    expect(convertUnits("How many pounds is 3 kg? And how many feet are in 2 m?")).toEqual([
      "3 kg = 6.614 lb",
      "2 m = 6.562 ft",
    ]);
    expect(convertUnits("how many miles is 5 kg")).toEqual([]);
    const reply = await client.responses.create({ input: "Convert 5 mi to km please" });
    expect(reply.output_text).toContain("— Converted by the agent's own code: 5 mi = 8.047 km.");
  });

  it("redacts e-mail addresses, also when one is split across stream deltas", async () => {
    const redactor = new EmailRedactor();
    const out = ["Write to ada@exa", "mple.com or ", "bob@example", ".org", " today"].map((d) =>
      redactor.push(d),
    );
    expect(out.join("") + redactor.end()).toBe(`Write to ${REDACTED} or ${REDACTED} today`);
    // An address the model cut or ended a sentence with is still redacted; the full stop stays.
    expect(redactEmails("Noted: your email is ada@example. Later: ada@example.com.")).toBe(
      `Noted: your email is ${REDACTED}. Later: ${REDACTED}.`,
    );
    expect(redactEmails("Mail ops@lab-host or x.y+tag@mail.example.co.uk, not @here or 10 @ 3")).toBe(
      `Mail ${REDACTED} or ${REDACTED}, not @here or 10 @ 3`,
    );
    const stream = client.responses.stream({ input: "Please forward this to grace@example.com today" });
    const final = await stream.finalResponse();
    expect(final.output_text).toContain(REDACTED);
    expect(final.output_text).not.toContain("grace@example.com");
    // The hint the demo's chat prints, as the lab model answers it (it cuts the address at its last dot).
    const remembered = await client.responses.create({ input: "My email is ada@example.com" });
    expect(remembered.output_text).toContain(REDACTED);
    expect(remembered.output_text).not.toMatch(/ada@/);
  });
});
