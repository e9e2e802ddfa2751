/**
 * The openai SDK, the OpenAI Agents SDK and the Vercel AI SDK against the hosted agent's server
 * (shared/test/client-suite.ts), with the emulator's lab model behind it. The clients' own function tools
 * go through the agent to the model, and the calls come back to the clients, who run them.
 */
import OpenAI from "openai";
import { afterAll, beforeAll } from "vitest";
import { type ClientTarget, clientSuite } from "../../../shared/test/client-suite.ts";
import { startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { type HostedServer, startServer } from "../src/server.ts";

let backend: TestBackend;
let server: HostedServer;
let target: ClientTarget;

beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 30 });
  server = await startServer({
    openai: backend.openai,
    deployment: "model-router",
    port: 0,
    keepAliveSeconds: 0,
  });
  target = {
    openai: new OpenAI({ baseURL: server.url, apiKey: "local", maxRetries: 0 }),
    baseURL: server.url,
    apiKey: "local",
    model: "hosted-agent",
  };
});
afterAll(async () => {
  await server?.close(1);
  await backend?.close();
});

clientSuite("the hosted agent (demo 8)", () => target);
