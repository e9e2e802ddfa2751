/**
 * Bad requests to the hosted agent: each gets a 4xx with an OpenAI-style error body (never a stack
 * trace), and the server keeps serving: a bounded loop of them on 127.0.0.1, then a good turn.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

interface BadRequest {
  what: string;
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  param?: string | null;
}

const json = (value: unknown) => JSON.stringify(value);
const BAD: BadRequest[] = [
  { what: "malformed JSON", body: '{"input": "hi"', status: 400, code: "invalid_json" },
  { what: "a JSON array body", body: "[1,2]", status: 400, code: "invalid_value", param: "body" },
  { what: "no body at all", body: "", status: 400, code: "invalid_value", param: "input" },
  {
    what: "a body that is not JSON",
    body: "hello",
    headers: { "content-type": "text/plain" },
    status: 400,
    code: "invalid_value",
    param: "body",
  },
  {
    what: "input of the wrong type",
    body: json({ input: 42 }),
    status: 400,
    code: "invalid_value",
    param: "input",
  },
  {
    what: "stream as a string",
    body: json({ input: "hi", stream: "yes" }),
    status: 400,
    code: "invalid_type",
    param: "stream",
  },
  {
    what: "metadata as a list",
    body: json({ input: "hi", metadata: ["a"] }),
    status: 400,
    code: "invalid_value",
    param: "metadata",
  },
  {
    what: "a message with a bad role",
    body: json({ input: [{ role: "robot", content: "hi" }] }),
    status: 400,
    code: "invalid_value",
    param: "input[0].role",
  },
  {
    what: "a tool output for a call that never happened",
    body: json({ input: [{ type: "function_call_output", call_id: "c", output: "x" }] }),
    status: 400,
    code: "invalid_value",
    param: "input[0].call_id",
  },
  {
    what: "an item only a service's own tool makes",
    body: json({ input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] }),
    status: 400,
    code: "invalid_value",
    param: "input[0].type",
  },
  {
    what: "a wrong type for a sampling parameter",
    body: json({ input: "hi", temperature: "hot" }),
    status: 400,
    code: "invalid_type",
    param: "temperature",
  },
  {
    what: "a client tool that is not a function",
    body: json({ input: "hi", tools: [{ type: "web_search" }] }),
    status: 400,
    code: "invalid_value",
    param: "tools[0].type",
  },
  { what: "no user message", body: json({ input: [] }), status: 400, code: "invalid_value", param: "input" },
  {
    what: "an unknown field",
    body: json({ input: "hi", temperatur: 0.2 }),
    status: 400,
    code: "unknown_parameter",
    param: "temperatur",
  },
  {
    what: "the deprecated agent field",
    body: json({ input: "hi", agent: { name: "x" } }),
    status: 400,
    code: "invalid_payload",
    param: "agent",
  },
  {
    what: "agent_reference as a string",
    body: json({ input: "hi", agent_reference: "hosted-agent" }),
    status: 400,
    code: "invalid_value",
    param: "agent_reference",
  },
  {
    what: "both conversation and previous_response_id",
    body: json({ input: "hi", conversation: "c1", previous_response_id: "r1" }),
    status: 400,
    code: "invalid_value",
    param: "previous_response_id",
  },
  {
    what: "a bad x-agent-response-id",
    body: json({ input: "hi" }),
    headers: { "x-agent-response-id": "no spaces allowed" },
    status: 400,
    code: "invalid_value",
    param: "x-agent-response-id",
  },
  {
    what: "a body over the limit",
    body: json({ input: "x".repeat(2 * 1024 * 1024) }),
    status: 413,
    code: "request_too_large",
  },
  {
    what: "an unknown previous_response_id",
    body: json({ input: "hi", previous_response_id: "caresp_nope" }),
    status: 404,
    code: "not_found",
    param: "previous_response_id",
  },
  {
    what: "an unknown previous_response_id, streaming",
    body: json({ input: "hi", stream: true, previous_response_id: "caresp_nope" }),
    status: 404,
    code: "not_found",
    param: "previous_response_id",
  },
  {
    what: "GET an unknown id",
    method: "GET",
    path: "/responses/caresp_nope",
    status: 404,
    code: "not_found",
  },
  {
    what: "DELETE an unknown id",
    method: "DELETE",
    path: "/responses/caresp_nope",
    status: 404,
    code: "not_found",
  },
  {
    what: "cancel an unknown id",
    method: "POST",
    path: "/responses/caresp_nope/cancel",
    status: 404,
    code: "not_found",
  },
  {
    what: "input_items of an unknown id",
    method: "GET",
    path: "/responses/caresp_nope/input_items",
    status: 404,
    code: "not_found",
  },
  { what: "an unknown route", method: "GET", path: "/admin", status: 404, code: "not_found" },
];

async function send(bad: BadRequest): Promise<Response> {
  return fetch(`${server.url}${bad.path ?? "/responses"}`, {
    method: bad.method ?? "POST",
    headers: { "content-type": "application/json", ...bad.headers },
    ...(bad.method && bad.method !== "POST" ? {} : { body: bad.body ?? "" }),
  });
}

describe("bad input", () => {
  it.each(BAD)("$what: $status $code, OpenAI-style, no stack trace", async (bad) => {
    const res = await send(bad);
    expect(res.status).toBe(bad.status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-platform-error-source")).toBe("user");
    const text = await res.text();
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    const body = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.code).toBe(bad.code);
    expect(typeof body.error.message).toBe("string");
    if (bad.param !== undefined) expect(body.error.param).toBe(bad.param);
  });

  it("refuses a Host that is not loopback (DNS rebinding), and answers one that is", async () => {
    const http = await import("node:http");
    const port = new URL(server.url).port;
    const get = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: "127.0.0.1", port, path: "/readiness", headers: { host } },
          (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
    const evil = await get("evil.example");
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({
      error: { code: "host_not_allowed", message: expect.stringContaining("IP address or localhost") },
    });
    expect((await get(`evil.example:${port}`)).status).toBe(403);
    expect((await get(`127.0.0.1.evil.example:${port}`)).status).toBe(403);
    expect((await get(`localhost:${port}`)).status).toBe(200);
    expect((await get(`127.0.0.1:${port}`)).status).toBe(200);
  });

  it("keeps serving after a bounded loop of bad requests, then answers a good one", async () => {
    for (let round = 0; round < 5; round++) {
      const statuses = await Promise.all(BAD.map(async (bad) => (await send(bad)).status));
      expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
    }
    const good = await fetch(`${server.url}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: json({ input: "My name is Ada." }),
    });
    expect(good.status).toBe(200);
    const response = (await good.json()) as {
      status: string;
      output: Array<{ content: Array<{ text: string }> }>;
    };
    expect(response.status).toBe("completed");
    expect(response.output[0]?.content[0]?.text).toContain("Ada");
    expect((await fetch(`${server.url}/readiness`)).status).toBe(200);
  });
});
