/**
 * The `response` object as the service returns it. The SDK computes `output_text` only when
 * `object === "response"`, and the streaming helper insists the same id appears in every lifecycle event,
 * so one shell is made per turn and only its status, output and usage change.
 */
import { ApiError } from "./errors.ts";
import { newId, nowSeconds } from "./ids.ts";
import { textOf } from "./items.ts";
import type { Turn } from "./response-request.ts";
import { estimateTokens } from "./tokens.ts";
import { isObject, type Json } from "./validate.ts";

export type ResponseObject = Json & { id: string; output: Json[] };

export function responseShell(turn: Turn, model: string): ResponseObject {
  return {
    id: newId("resp"),
    object: "response",
    created_at: nowSeconds(),
    status: turn.background ? "queued" : "in_progress",
    background: turn.background,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: turn.instructions,
    model,
    output: [],
    previous_response_id: turn.previousResponseId,
    store: turn.store,
    tool_choice: turn.toolChoice,
    tools: turn.tools,
    usage: null,
    ...turn.settings,
    metadata: turn.metadata,
    conversation: turn.conversationId === null ? null : { id: turn.conversationId },
    agent_reference: turn.agentReference,
  };
}

/** `usage` is the model's own count when it reported one (a local model's server); else an estimate. */
export function completed(shell: ResponseObject, turn: Turn, output: Json[], usage?: Json): ResponseObject {
  return {
    ...shell,
    status: "completed",
    completed_at: nowSeconds(),
    output,
    usage: usage ?? usageOf(turn, output),
  };
}

/** The model failed after its stream opened (a local model server that broke off): failed, in its words. */
export function failedWith(
  shell: ResponseObject,
  turn: Turn,
  output: Json[],
  error: unknown,
): ResponseObject {
  const known = error instanceof ApiError;
  if (!known)
    console.error(`[emulator] response ${shell.id} failed: ${(error as Error)?.message ?? String(error)}`);
  return {
    ...shell,
    status: "failed",
    error: {
      code: known ? error.code : "server_error",
      message: known
        ? error.message
        : "The model failed in the middle of its answer; send the request again.",
    },
    output,
    usage: usageOf(turn, output),
  };
}

/** A stream the client abandoned: kept for inspection, never appended to the conversation. */
export function abandoned(shell: ResponseObject, turn: Turn, output: Json[]): ResponseObject {
  return {
    ...shell,
    status: "incomplete",
    incomplete_details: { reason: "client_disconnected" },
    output,
    usage: usageOf(turn, output),
  };
}

/** A turn cut short because the emulator is shutting down (SIGTERM or Ctrl-C): failed, saying so. */
export function stoppedByShutdown(shell: ResponseObject, turn: Turn, output: Json[]): ResponseObject {
  return {
    ...shell,
    status: "failed",
    error: {
      code: "server_error",
      message:
        "The emulator is shutting down, so this response stopped before it finished; send it again once the emulator runs.",
    },
    output,
    usage: usageOf(turn, output),
  };
}

/** A background response stopped by `POST /responses/{id}/cancel`: what it had produced, and no more. */
export function cancelled(shell: ResponseObject, turn: Turn, output: Json[]): ResponseObject {
  return { ...shell, status: "cancelled", output, usage: usageOf(turn, output) };
}

/** Output text parts carry `logprobs` (empty: the lab model has none), as the Open Responses schema requires. */
export function withLogprobs(item: Json): Json {
  if (item.type !== "message" || !Array.isArray(item.content)) return item;
  const content = item.content.map((part: unknown) =>
    isObject(part) && part.type === "output_text" && !Array.isArray(part.logprobs)
      ? { ...part, logprobs: [] }
      : part,
  );
  return { ...item, content };
}

/** An estimate from the texts (tokens.ts): the lab model has no tokens of its own to count. */
function usageOf(turn: Turn, output: Json[]): Json {
  const seen = [...turn.history, ...turn.input].map(textOf).join(" ");
  const input = estimateTokens(seen) + estimateTokens(turn.instructions ?? "");
  const produced = estimateTokens(output.map(textOf).join(" "));
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: produced,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + produced,
  };
}
