/**
 * Demo 8 · responses and threads, without HTTP: each turn becomes a stored `response` whose events follow
 * the order of the Responses stream (created → in_progress → item/part added → text deltas → done events
 * → completed), whether a client streams them or waits for the JSON. Multi-turn works the two ways the
 * protocol offers: `previous_response_id` (a chain) and `conversation` (a named thread).
 * Kept in memory and bounded: a restart forgets, which is fine for a lab, not for production.
 */
import type OpenAI from "openai";
import { type AnswerResult, answer, type ThreadMessage } from "./agent.ts";
import {
  ApiError,
  type CreateRequest,
  inputItem,
  newId,
  nowSeconds,
  outputMessage,
  outputText,
} from "./protocol.ts";

export type StreamEvent = { type: string } & Record<string, unknown>;

export interface StoredResponse {
  id: string;
  request: CreateRequest;
  /** The thread before this turn (what the model saw besides this turn's input). */
  history: ThreadMessage[];
  inputItems: ReturnType<typeof inputItem>[];
  response: Record<string, unknown> & { status: string };
  /** The answer as the client saw it, once the turn ended. */
  text: string;
  /** Present while the turn runs; aborting it cancels the turn. */
  controller?: AbortController;
  finished: Promise<void>;
  /** Why the turn was stopped early, if it was. */
  stopReason?: string;
}

const MAX_STORED = 1000;

export class ResponseStore {
  private readonly responses = new Map<string, StoredResponse>();
  private readonly conversations = new Map<string, string[]>();

  private readonly openai: OpenAI;
  /** The model deployment this agent calls (MODEL_DEPLOYMENT). */
  readonly deployment: string;

  constructor(openai: OpenAI, deployment: string) {
    this.openai = openai;
    this.deployment = deployment;
  }

  get(id: string): StoredResponse {
    const found = this.responses.get(id);
    if (!found) throw new ApiError(404, "not_found", `Response with id '${id}' not found.`, "response_id");
    return found;
  }

  delete(id: string): void {
    const found = this.get(id);
    this.cancel(found, "deleted");
    this.responses.delete(id);
  }

  /** Turns that are still running (for graceful shutdown). */
  running(): StoredResponse[] {
    return [...this.responses.values()].filter((r) => r.controller !== undefined);
  }

  cancel(stored: StoredResponse, reason = "cancelled"): void {
    if (!stored.controller) return;
    stored.stopReason = reason;
    stored.controller.abort();
  }

  /**
   * Starts a turn and returns it at once; `emit` receives each stream event as it happens. The turn runs
   * to its end (completed, failed or cancelled) whether or not anyone listens.
   */
  start(request: CreateRequest, forcedId: string | undefined, emit: (event: StreamEvent) => void) {
    const id = forcedId ?? newId("caresp");
    if (this.responses.has(id)) {
      throw new ApiError(
        400,
        "invalid_value",
        `Response id '${id}' is already in use.`,
        "x-agent-response-id",
      );
    }
    const history = this.threadBefore(request);
    const response = {
      id,
      object: "response",
      created_at: nowSeconds(),
      status: "in_progress",
      background: request.background,
      completed_at: null as number | null,
      error: null as { code: string; message: string } | null,
      incomplete_details: null,
      instructions: request.instructions,
      max_output_tokens: null,
      model: this.deployment,
      output: [] as unknown[],
      parallel_tool_calls: false,
      previous_response_id: request.previousResponseId,
      conversation: request.conversationId ? { id: request.conversationId } : null,
      agent_reference: request.agentReference,
      metadata: request.metadata,
      store: request.store,
      temperature: null,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: null,
      truncation: "disabled",
      usage: null as AnswerResult["usage"],
      user: null,
    };
    const controller = new AbortController();
    const stored: StoredResponse = {
      id,
      request,
      history,
      inputItems: request.input.map(inputItem),
      response,
      text: "",
      controller,
      finished: Promise.resolve(),
    };
    this.remember(stored);
    stored.finished = this.run(stored, emit);
    return stored;
  }

  private remember(stored: StoredResponse): void {
    this.responses.set(stored.id, stored);
    if (stored.request.conversationId) {
      const ids = this.conversations.get(stored.request.conversationId) ?? [];
      this.conversations.set(stored.request.conversationId, [...ids, stored.id]);
    }
    // Bounded: the oldest finished responses go first.
    for (const [oldId, old] of this.responses) {
      if (this.responses.size <= MAX_STORED) break;
      if (!old.controller) this.responses.delete(oldId);
    }
  }

  /** What the model sees before this turn: the chain behind previous_response_id, or the conversation. */
  private threadBefore(request: CreateRequest): ThreadMessage[] {
    if (request.previousResponseId) {
      const previous = this.responses.get(request.previousResponseId);
      if (!previous) {
        throw new ApiError(
          404,
          "not_found",
          `Previous response with id '${request.previousResponseId}' not found.`,
          "previous_response_id",
        );
      }
      return [...previous.history, ...exchange(previous)];
    }
    if (request.conversationId) {
      // A conversation id this server has not seen starts a new thread (the platform creates the ids).
      const ids = this.conversations.get(request.conversationId) ?? [];
      return ids.flatMap((id) => {
        const earlier = this.responses.get(id);
        return earlier ? exchange(earlier) : [];
      });
    }
    return [];
  }

  private async run(stored: StoredResponse, emit: (event: StreamEvent) => void): Promise<void> {
    const { response } = stored;
    let sequence = 0;
    const send = (type: string, fields: Record<string, unknown>) =>
      emit({ type, sequence_number: sequence++, ...fields });
    const snapshot = () => structuredClone(response);
    const itemId = newId("msg");
    let text = "";
    let opened = false;
    const closeItem = (status: "completed" | "incomplete") => {
      if (!opened) return;
      const where = { item_id: itemId, output_index: 0, content_index: 0 };
      send("response.output_text.done", { ...where, text, logprobs: [] });
      send("response.content_part.done", { ...where, part: outputText(text) });
      const item = outputMessage(itemId, text, status);
      response.output = [item];
      send("response.output_item.done", { output_index: 0, item });
    };

    send("response.created", { response: snapshot() });
    send("response.in_progress", { response: snapshot() });
    try {
      const thread = [...stored.history, ...stored.request.input];
      const signal = stored.controller?.signal ?? new AbortController().signal;
      const turn = answer(this.openai, this.deployment, thread, signal);
      for (;;) {
        const next = await turn.next();
        if (next.done) {
          response.model = next.value.model;
          response.usage = next.value.usage;
          break;
        }
        if (!opened) {
          opened = true;
          send("response.output_item.added", {
            output_index: 0,
            item: outputMessage(itemId, "", "in_progress"),
          });
          send("response.content_part.added", {
            item_id: itemId,
            output_index: 0,
            content_index: 0,
            part: outputText(""),
          });
        }
        text += next.value;
        send("response.output_text.delta", {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: next.value,
          logprobs: [],
        });
        if (stored.controller?.signal.aborted) throw new Error("stopped");
      }
      if (stored.stopReason) throw new Error(stored.stopReason);
      closeItem("completed");
      response.status = "completed";
      response.completed_at = nowSeconds();
      stored.text = text;
      send("response.completed", { response: snapshot() });
    } catch (err) {
      closeItem("incomplete");
      stored.text = text;
      if (stored.stopReason) {
        // Cancelled (by the cancel route, a disconnect or the shutdown bound): the stream still ends
        // with a lifecycle event that carries the response, so clients can tell what happened.
        response.status = "cancelled";
        send("response.incomplete", { response: snapshot() });
      } else {
        response.status = "failed";
        response.error = { code: "model_error", message: modelErrorMessage(err, this.deployment) };
        send("response.failed", { response: snapshot() });
      }
    } finally {
      stored.controller = undefined;
    }
  }
}

/** The user side of a turn and, when it completed, the answer: what a later turn sees of it. */
function exchange(stored: StoredResponse): ThreadMessage[] {
  const answered = stored.response.status === "completed";
  return [...stored.request.input, ...(answered ? [{ role: "assistant" as const, text: stored.text }] : [])];
}

/** One sentence about a failed model call, without internals (never a stack trace). */
function modelErrorMessage(err: unknown, deployment: string): string {
  const e = err as { status?: number; message?: string };
  const detail = (e.message ?? String(err)).split("\n")[0]?.slice(0, 300);
  return `The model deployment "${deployment}" could not answer${e.status ? ` (${e.status})` : ""}: ${detail}`;
}
