/**
 * Demo 8 · responses and threads, without HTTP: each turn becomes a stored `response` whose events follow
 * the order of the Responses stream (created → in_progress → item/part added → deltas → done events →
 * completed), whether a client streams them, waits for the JSON, or comes back later for the rest
 * (`starting_after`). A turn's output is the agent's text and any calls of the caller's own function
 * tools; the caller answers those with `function_call_output` items in its next turn. Multi-turn works
 * the two ways the protocol offers: `previous_response_id` (a chain) and `conversation` (a named thread).
 * Kept in memory and bounded: a restart forgets, which is fine for a lab, not for production.
 */
import { credentialFailed, describeError } from "@lab/shared/errors";
import type OpenAI from "openai";
import type { FunctionTool, ResponseInputItem } from "openai/resources/responses/responses";
import { type AgentEvent, type AnswerResult, answer } from "./agent.ts";
import {
  ApiError,
  type CreateRequest,
  type Item,
  newId,
  nowSeconds,
  outputMessage,
  outputText,
  textOf,
} from "./protocol.ts";

export type StreamEvent = { type: string; sequence_number: number } & Record<string, unknown>;

export interface StoredResponse {
  id: string;
  request: CreateRequest;
  /** The thread before this turn (what the model saw besides this turn's input). */
  history: Item[];
  /** This turn's input, item references resolved. */
  inputItems: Item[];
  response: Record<string, unknown> & { status: string; output: Item[] };
  /** Every event so far, for clients that resume the stream (dropped for all but the newest turns). */
  events: StreamEvent[] | undefined;
  listeners: Set<(event: StreamEvent) => void>;
  /** Present while the turn runs; aborting it cancels the turn. */
  controller?: AbortController;
  finished: Promise<void>;
  /** Why the turn was stopped early, if it was. */
  stopReason?: string;
  /** The response as accepted, before it ran: what a background request is answered with. */
  accepted: Record<string, unknown>;
  /** The model deployment refused for load before the turn began: the client gets its 429. */
  rateLimited?: { retryAfter: string | null; message: string };
}

const MAX_STORED = 1000;
/** Finished turns whose events are kept for resuming; older ones answer a resume with a 400. */
const KEPT_STREAMS = 100;

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
   * Starts a turn and returns it at once; `listen` receives each stream event as it happens. The turn runs
   * to its end (completed, failed or cancelled) whether or not anyone listens.
   */
  start(request: CreateRequest, forcedId: string | undefined, listen?: (event: StreamEvent) => void) {
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
    const inputItems = this.resolveReferences(request.input, history);
    requireCalls(history, inputItems);
    const response = {
      id,
      object: "response",
      created_at: nowSeconds(),
      status: request.background ? "queued" : "in_progress",
      background: request.background,
      completed_at: null as number | null,
      error: null as { code: string; message: string } | null,
      incomplete_details: null,
      instructions: request.instructions,
      model: this.deployment,
      output: [] as Item[],
      previous_response_id: request.previousResponseId,
      conversation: request.conversationId ? { id: request.conversationId } : null,
      agent_reference: request.agentReference,
      metadata: request.metadata,
      store: request.store,
      tool_choice: request.toolChoice,
      tools: request.tools,
      usage: null as Record<string, unknown> | null,
      ...request.settings,
    };
    const stored: StoredResponse = {
      id,
      request,
      history,
      inputItems,
      response,
      // A turn nobody streams keeps no events: there is no stream to resume.
      events: request.stream || request.background ? [] : undefined,
      listeners: new Set(listen ? [listen] : []),
      controller: new AbortController(),
      finished: Promise.resolve(),
      accepted: structuredClone(response),
    };
    this.remember(stored);
    stored.finished = this.run(stored);
    return stored;
  }

  /** Follows a turn's stream from after `startingAfter`: the events so far, then the rest as they come. */
  follow(stored: StoredResponse, startingAfter: number, listen: (event: StreamEvent) => void): void {
    if (!stored.events) {
      throw new ApiError(
        400,
        "invalid_value",
        `Response '${stored.id}' has no stream to resume (it was not streamed, or it is too old); retrieve it instead.`,
        "stream",
      );
    }
    for (const event of stored.events) if (event.sequence_number > startingAfter) listen(event);
    if (stored.controller) stored.listeners.add(listen);
  }

  private remember(stored: StoredResponse): void {
    this.responses.set(stored.id, stored);
    if (stored.request.conversationId && stored.request.store) {
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
  private threadBefore(request: CreateRequest): Item[] {
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

  /** `item_reference` → the item it names: from this thread, or any response this server still holds. */
  private resolveReferences(input: Item[], history: Item[]): Item[] {
    return input.map((item, i) => {
      if (item.type !== "item_reference") return item;
      const found =
        history.find((earlier) => earlier.id === item.id) ??
        [...this.responses.values()]
          .flatMap((r) => [...r.inputItems, ...r.response.output])
          .find((known) => known.id === item.id);
      if (!found)
        throw new ApiError(
          404,
          "not_found",
          `Item with id '${String(item.id)}' not found.`,
          `input[${i}].id`,
        );
      return found;
    });
  }

  private async run(stored: StoredResponse): Promise<void> {
    const { response, request } = stored;
    let sequence = 0;
    // Events are built only for someone: a listener, or the record a resumed stream replays.
    const wanted = () => stored.events !== undefined || stored.listeners.size > 0;
    const send = (type: string, fields: Record<string, unknown>) => {
      const event = { type, sequence_number: sequence++, ...fields };
      if (!wanted()) return;
      stored.events?.push(event);
      for (const listen of stored.listeners) listen(event);
    };
    const snapshot = () => (wanted() ? structuredClone(response) : response);
    let started = false;
    const begin = () => {
      if (started) return;
      started = true;
      send("response.created", { response: snapshot() });
      if (request.background) send("response.queued", { response: snapshot() });
      response.status = "in_progress";
      send("response.in_progress", { response: snapshot() });
    };
    const items = new ItemWriter(send, response.output);

    try {
      if (request.background) begin(); // the caller already has the queued response: say so at once
      const signal = stored.controller?.signal ?? new AbortController().signal;
      const turn = answer(this.openai, this.deployment, agentTurn(stored), signal);
      let result: AnswerResult;
      for (;;) {
        const next = await turn.next();
        if (next.done) {
          result = next.value;
          break;
        }
        const event: AgentEvent = next.value;
        // The model that serves is known from its first event; once announced (a background turn
        // announces itself at once, as its deployment) every lifecycle event names the same one.
        if (event.type === "model" && !started) response.model = event.model;
        begin();
        if (event.type === "text") items.text(event.delta);
        if (event.type === "function_call") items.functionCall(event);
        if (stored.controller?.signal.aborted) throw new Error("stopped");
      }
      if (stored.stopReason) throw new Error(stored.stopReason);
      begin();
      items.close("completed");
      response.status = "completed";
      response.completed_at = nowSeconds();
      response.usage = usageWithDetails(result.usage);
      send("response.completed", { response: snapshot() });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (!started && status === 429 && !stored.stopReason) {
        // Nothing was sent yet: the client gets the deployment's 429 and its retry-after, and backs off.
        stored.rateLimited = {
          retryAfter: (err as { headers?: Headers }).headers?.get?.("retry-after") ?? null,
          message: `The model deployment "${this.deployment}" is busy (429); retry later.`,
        };
        response.status = "failed";
        this.responses.delete(stored.id);
        return;
      }
      begin();
      items.close("incomplete");
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
      stored.listeners.clear();
      // `store: false`: answered, then forgotten (not retrievable, not part of any thread).
      if (!request.store) this.responses.delete(stored.id);
      this.trimStreams();
    }
  }

  /** Keeps the events of the newest finished turns only: a stream is mostly resumed soon after it broke. */
  private trimStreams(): void {
    const finished = [...this.responses.values()].filter((r) => !r.controller && r.events);
    for (const old of finished.slice(0, Math.max(0, finished.length - KEPT_STREAMS))) old.events = undefined;
  }
}

/** Writes output items as events: a message opens at the first text, a tool call closes it. */
class ItemWriter {
  private open: { id: string; index: number; text: string } | undefined;
  private readonly send: (type: string, fields: Record<string, unknown>) => void;
  private readonly output: Item[];

  constructor(send: (type: string, fields: Record<string, unknown>) => void, output: Item[]) {
    this.send = send;
    this.output = output;
  }

  text(delta: string): void {
    if (!this.open) {
      this.open = { id: newId("msg"), index: this.output.length, text: "" };
      this.output.push(outputMessage(this.open.id, "", "in_progress"));
      this.send("response.output_item.added", {
        output_index: this.open.index,
        item: outputMessage(this.open.id, "", "in_progress"),
      });
      this.send("response.content_part.added", { ...this.where(), part: outputText("") });
    }
    this.open.text += delta;
    this.send("response.output_text.delta", { ...this.where(), delta, logprobs: [] });
  }

  functionCall(call: { call_id: string; name: string; arguments: string }): void {
    this.close("completed");
    const index = this.output.length;
    const { call_id, name, arguments: args } = call;
    const item = {
      id: newId("fc"),
      type: "function_call",
      status: "completed",
      call_id,
      name,
      arguments: args,
    };
    const where = { item_id: item.id, output_index: index };
    this.output.push(item);
    this.send("response.output_item.added", {
      output_index: index,
      item: { ...item, status: "in_progress", arguments: "" },
    });
    this.send("response.function_call_arguments.delta", { ...where, delta: args });
    this.send("response.function_call_arguments.done", { ...where, name, arguments: args });
    this.send("response.output_item.done", { output_index: index, item });
  }

  close(status: "completed" | "incomplete"): void {
    if (!this.open) return;
    const { id, index, text } = this.open;
    this.send("response.output_text.done", { ...this.where(), text, logprobs: [] });
    this.send("response.content_part.done", { ...this.where(), part: outputText(text) });
    const item = outputMessage(id, text, status);
    this.output[index] = item;
    this.send("response.output_item.done", { output_index: index, item });
    this.open = undefined;
  }

  private where() {
    return { item_id: this.open?.id, output_index: this.open?.index, content_index: 0 };
  }
}

/** The agent's view of a turn: the thread as model input, and the caller's tools and sampling. */
function agentTurn(stored: StoredResponse) {
  const { request } = stored;
  return {
    input: [...stored.history, ...stored.inputItems].map(toModelInput),
    tools: request.tools as unknown as FunctionTool[],
    toolChoice: request.toolChoice as never,
    parallelToolCalls: request.settings.parallel_tool_calls,
    sampling: request.sampling,
  };
}

/** This server's items as the model deployment takes them (its own ids mean nothing there). */
function toModelInput(item: Item): ResponseInputItem {
  if (item.type === "function_call") {
    return {
      type: "function_call",
      call_id: String(item.call_id),
      name: String(item.name),
      arguments: String(item.arguments),
    };
  }
  if (item.type === "function_call_output") {
    return { type: "function_call_output", call_id: String(item.call_id), output: item.output as string };
  }
  if (item.role === "assistant") return { role: "assistant", content: textOf(item) };
  const parts = (item.content as Record<string, unknown>[]).map((part) =>
    part.type === "output_text" ? { type: "input_text", text: part.text } : part,
  );
  return { role: item.role as "user", content: parts as never };
}

/** Like the service: an output for a call needs that call in the thread; no call may stay unanswered. */
function requireCalls(history: Item[], input: Item[]): void {
  const thread = [...history, ...input];
  const calls = new Set(thread.filter((i) => i.type === "function_call").map((i) => String(i.call_id)));
  for (const [i, item] of input.entries()) {
    if (item.type === "function_call_output" && !calls.has(String(item.call_id))) {
      throw new ApiError(
        400,
        "invalid_value",
        `No tool call found for function call output with call_id ${String(item.call_id)}.`,
        `input[${i}].call_id`,
      );
    }
  }
  const answered = new Set(
    thread.filter((i) => i.type === "function_call_output").map((i) => String(i.call_id)),
  );
  const pending = history.find((i) => i.type === "function_call" && !answered.has(String(i.call_id)));
  if (pending) {
    throw new ApiError(
      400,
      "invalid_value",
      `No tool output found for function call ${String(pending.call_id)}.`,
      "input",
    );
  }
}

/** The user side of a turn and, when it completed, what the agent answered: what a later turn sees. */
function exchange(stored: StoredResponse): Item[] {
  const answered = stored.response.status === "completed";
  return [...stored.inputItems, ...(answered ? stored.response.output : [])];
}

/** Usage as the SDK's types declare it: the token details are always there. */
function usageWithDetails(usage: AnswerResult["usage"]): Record<string, unknown> | null {
  if (!usage) return null;
  return {
    ...usage,
    input_tokens_details: usage.input_tokens_details ?? { cached_tokens: 0 },
    output_tokens_details: usage.output_tokens_details ?? { reasoning_tokens: 0 },
  };
}

/** One sentence about a failed model call, without internals (never a stack trace). */
function modelErrorMessage(err: unknown, deployment: string): string {
  // No token for the model call is this server's sign-in, not the deployment: the lab's az login sentence.
  if (credentialFailed(err)) return describeError(err).message;
  const e = err as { status?: number; message?: string };
  const detail = (e.message ?? String(err)).split("\n")[0]?.slice(0, 300);
  return `The model deployment "${deployment}" could not answer${e.status ? ` (${e.status})` : ""}: ${detail}`;
}
