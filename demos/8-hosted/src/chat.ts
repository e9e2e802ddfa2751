/**
 * Demo 8 · chat: a hosted agent is reached over the same Responses protocol as any Foundry agent, so the
 * `openai` SDK talks to it unchanged: `responses.create` with `stream: true`, and `previous_response_id`
 * to continue the thread. The agent's own code (src/agent.ts) decides what happens in between.
 */
import { chat, chatArgs } from "@lab/shared/chat";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { traceHeaders } from "@lab/shared/spans";
import OpenAI, { APIConnectionError } from "openai";
import { startedServer, stopStartedServer } from "./local-server.ts";
import type { HostedState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "hosted-agent");
// HOSTED_AGENT_URL, else the server create-agent started in this process, else a `pnpm 8-hosted:serve` one.
const url =
  lab.config.env.HOSTED_AGENT_URL?.trim() ||
  startedServer()?.url ||
  lab.state<HostedState>().get().server?.url;
if (!url) {
  throw new LabError(
    "No hosted agent is running for this demo: run `pnpm 8-hosted` (starts it, then chats), or set HOSTED_AGENT_URL to a running one.",
  );
}

// This is our own server, not Foundry, so a plain OpenAI client with a base URL is right here (for a
// Foundry project, always use project.getOpenAIClient()). The SDK insists on a key; this server needs none.
const agent = new OpenAI({ baseURL: url, apiKey: "local", maxRetries: 0 });
let previousResponseId: string | undefined;

await chat(lab, {
  args,
  intro: `Chatting with the hosted agent at ${url}. Try "Convert 10 km to miles" or "My email is ada@example.com".`,
  onTurn: async (turn) => {
    // agent_reference travels in the body like on Foundry; the server validates it.
    const request = {
      input: turn.input,
      stream: true as const,
      previous_response_id: previousResponseId,
      agent_reference: { type: "agent_reference", name: lab.config.agentName },
    };
    try {
      // traceparent: with --otel the server's span for this request joins this turn's trace.
      const stream = await agent.responses.create(request, { signal: turn.signal, headers: traceHeaders() });
      const response = await turn.print(stream);
      previousResponseId = response.id;
      return response;
    } catch (err) {
      if (err instanceof APIConnectionError && !turn.signal.aborted) {
        throw new LabError(`Could not reach the hosted agent at ${url}: is it still running?`);
      }
      throw err;
    }
  },
});
await stopStartedServer();
