/**
 * The one protocol every local model server speaks: OpenAI Chat Completions (`POST {url}/chat/completions`
 * with `tools`, streamed), plus `GET {url}/models` for the doctor. Each call is bounded in size and in how
 * long the server may stay silent, and every way it can go wrong (nothing listening, no answer in time, a
 * 429 or 500, bytes that are not a model's reply, a stream that breaks off or stalls) becomes a ModelError
 * with one sentence that names the server and what to do.
 */
import { ModelError } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { isObject, type Json } from "../../validate.ts";
import type { LocalModelSettings } from "./settings.ts";

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** A user message's parts when it holds more than text: images as (data) URLs, files as their text. */
export type ChatPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: string } };

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | ChatPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Json; strict?: boolean };
}

export type ChatToolChoice = "auto" | "required" | { type: "function"; function: { name: string } };

export interface ChatReply {
  content: string;
  toolCalls: ChatToolCall[];
  /** The server's token counts, when it sent them. */
  usage?: ChatUsage;
}

export interface ChatUsage {
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}

export interface ChatOptions {
  /** The answer's text so far, each time it grows (raw: thinking and tool calls written as text included). */
  onText?: (raw: string) => void;
  /** Aborted when the answer is no longer wanted (the client went away): the request to the server stops. */
  signal?: AbortSignal;
}

/** A model's reply is a few KB; anything near this is not one. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * One model step, streamed (`stream: true`, with the usage chunk asked for): the text is handed to
 * `onText` as it arrives and the tool calls are put together from their pieces. A server that ignores
 * `stream` and answers with one JSON body is read as that.
 */
export async function chatCompletion(
  settings: LocalModelSettings,
  messages: ChatMessage[],
  tools: ChatTool[],
  toolChoice: ChatToolChoice,
  options: ChatOptions = {},
): Promise<ChatReply> {
  const body: Json = {
    model: settings.name,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = toolChoice;
  }
  let exchange = await send(settings, "POST", "/chat/completions", body, options.signal);
  let refused: string | undefined;
  if (exchange.res.status === 400) {
    refused = await readText(exchange);
    // A server that knows `stream` but not `stream_options` may refuse it: ask once more without.
    if (/stream_options/i.test(serverMessage(refused))) {
      delete body.stream_options;
      exchange = await send(settings, "POST", "/chat/completions", body, options.signal);
      refused = undefined;
    }
  }
  if (exchange.res.status !== 200) {
    const urls = messages.flatMap((m) =>
      Array.isArray(m.content)
        ? m.content.flatMap((p) => (p.type === "image_url" ? [p.image_url.url] : []))
        : [],
    );
    // Which images went: only data URLs, or some web URL (which Ollama refuses whatever the model).
    const images =
      urls.length === 0 ? undefined : urls.some((url) => !url.startsWith("data:")) ? "web" : "data";
    const text = refused ?? (await readText(exchange));
    throw refusal(settings, exchange.res.status, text, { tools: tools.length > 0, images });
  }
  const streamed = /^text\/event-stream/i.test(exchange.res.headers.get("content-type") ?? "");
  const reply = streamed
    ? await readStream(exchange, options.onText ?? (() => {}))
    : parseReply(settings, await readText(exchange));
  if (!streamed) options.onText?.(reply.content);
  return reply.toolCalls.length > 0 ? reply : callsWrittenAsText(reply, tools);
}

/**
 * Some servers hand the model's tool call back as text in `content` instead of `tool_calls`: Foundry
 * Local does with `tool_choice: "auto"` (microsoft/foundry-local#874: `<tool_call>{"name":…,
 * "arguments":…}</tool_call>`), as do chat templates without tool support (a bare JSON object). Such a
 * text counts as a call only when it names a tool that was offered, so a real answer is never misread.
 */
function callsWrittenAsText(reply: ChatReply, tools: ChatTool[]): ChatReply {
  const offered = new Set(tools.map((tool) => tool.function.name));
  if (offered.size === 0) return reply;
  const tagged = [...reply.content.matchAll(/<(tool_call|function_call|tools)>\s*([\s\S]*?)\s*<\/\1>/g)];
  const blocks = tagged.length > 0 ? tagged.map((m) => m[2] ?? "") : [reply.content.trim()];
  const toolCalls: ChatToolCall[] = [];
  for (const block of blocks) {
    const parsed = parseJson(block.replace(/^```(?:json)?\s*|\s*```$/g, ""));
    for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!isObject(call) || typeof call.name !== "string" || !offered.has(call.name)) return reply;
      const args = call.arguments ?? call.parameters ?? {};
      toolCalls.push({
        id: newId("call"),
        type: "function",
        function: { name: call.name, arguments: typeof args === "string" ? args : JSON.stringify(args) },
      });
    }
  }
  const rest =
    tagged.length > 0
      ? reply.content.replace(/<(tool_call|function_call|tools)>[\s\S]*?<\/\1>/g, "").trim()
      : "";
  return { ...reply, content: rest, toolCalls };
}

/** The model ids the server offers (`GET /models`), for the doctor's check. */
export async function listModels(settings: LocalModelSettings): Promise<string[]> {
  const exchange = await send(settings, "GET", "/models");
  const text = await readText(exchange);
  const status = exchange.res.status;
  if (status !== 200) throw refusal(settings, status, text);
  const json = parseJson(text);
  const data = isObject(json) && Array.isArray(json.data) ? json.data : undefined;
  if (data === undefined) throw notAModel(settings, text, "a model list");
  return data.filter(isObject).map((model) => String(model.id));
}

/** Ollama answers a name without a tag as `<name>:latest`; every other server wants the exact id. */
export function hasModel(ids: string[], name: string): boolean {
  return ids.includes(name) || (!name.includes(":") && ids.includes(`${name}:latest`));
}

/**
 * The server has `timeoutMs` to send each next piece: the headers, then every chunk of the body. A model
 * that streams steadily may take as long as it needs; one that stalls, before or in the middle of its
 * answer, fails with a sentence saying which.
 */
class Watch {
  readonly controller = new AbortController();
  /** Some of the body arrived: a failure now is one in the middle of the answer. */
  answering = false;
  fired = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly ms: number;

  constructor(ms: number) {
    this.ms = ms;
    this.arm();
  }

  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

interface Exchange {
  settings: LocalModelSettings;
  res: Response;
  watch: Watch;
  /** The caller's signal: aborted when the answer is no longer wanted. */
  wanted: AbortSignal | undefined;
}

async function send(
  settings: LocalModelSettings,
  method: string,
  route: string,
  body?: Json,
  wanted?: AbortSignal,
): Promise<Exchange> {
  const headers: Record<string, string> = { accept: "application/json, text/event-stream" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (settings.key) headers.authorization = `Bearer ${settings.key}`;
  const watch = new Watch(settings.timeoutMs);
  const signal = wanted ? AbortSignal.any([watch.controller.signal, wanted]) : watch.controller.signal;
  try {
    const res = await fetch(`${settings.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      redirect: "error",
    });
    watch.arm();
    return { settings, res, watch, wanted };
  } catch (err) {
    watch.stop();
    throw failure({ settings, watch, wanted }, err);
  }
}

/** The body's chunks, each one resetting the watch, at most MAX_REPLY_BYTES in all. */
async function* chunksOf(exchange: Exchange): AsyncGenerator<Uint8Array> {
  const { res, watch, settings } = exchange;
  const reader = res.body?.getReader();
  if (reader === undefined) return watch.stop();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      watch.arm();
      watch.answering = true;
      size += value.byteLength;
      if (size > MAX_REPLY_BYTES) {
        throw new ModelError(
          502,
          `The local model server answered with more than ${MAX_REPLY_BYTES / 1024 / 1024} MB, which is not a model's reply: check EMULATOR_MODEL_URL.`,
          settings.name,
        );
      }
      yield value;
    }
  } catch (err) {
    throw failure(exchange, err);
  } finally {
    watch.stop();
    // Stops the download when the reader stopped early (a fault, or the end of the stream it wanted).
    reader.cancel().catch(() => {});
  }
}

async function readText(exchange: Exchange): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunksOf(exchange)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** A Chat Completions stream: `data:` events of `chat.completion.chunk`s, then `data: [DONE]`. */
async function readStream(exchange: Exchange, onText: (raw: string) => void): Promise<ChatReply> {
  const { settings } = exchange;
  const decoder = new TextDecoder();
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let content = "";
  let usage: ChatUsage | undefined;
  let finished = false;
  let done = false;
  let pending = "";
  let data: string[] = [];

  const dispatch = (payload: string) => {
    if (payload.trim() === "[DONE]") {
      done = true;
      return;
    }
    const chunk = parseJson(payload);
    if (!isObject(chunk)) throw notAModel(settings, payload, "a Chat Completions stream");
    if (chunk.error !== undefined && chunk.error !== null) {
      const detail = serverMessage(JSON.stringify(chunk));
      throw new ModelError(
        502,
        `The local model server at ${settings.url} failed in the middle of its answer (${detail || "no reason given"}); try again, or restart it.`,
        settings.name,
      );
    }
    if (isObject(chunk.usage)) usage = usageFrom(chunk.usage);
    if (!Array.isArray(chunk.choices)) {
      // vLLM ends with a usage chunk whose choices are null; a chunk with neither is not of this protocol.
      if (chunk.choices === null || isObject(chunk.usage)) return;
      throw notAModel(settings, payload, "a Chat Completions stream");
    }
    const choice = chunk.choices.find((c) => isObject(c) && (c.index ?? 0) === 0);
    if (!isObject(choice)) return;
    if (typeof choice.finish_reason === "string") finished = true;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : {};
    if (typeof delta.content === "string" && delta.content !== "") {
      content += delta.content;
      onText(content);
    }
    for (const piece of Array.isArray(delta.tool_calls) ? delta.tool_calls.filter(isObject) : []) {
      addCallPiece(calls, piece);
    }
  };

  for await (const bytes of chunksOf(exchange)) {
    pending += decoder.decode(bytes, { stream: true });
    for (let nl = pending.indexOf("\n"); nl >= 0 && !done; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl).replace(/\r$/, "");
      pending = pending.slice(nl + 1);
      if (line === "") {
        if (data.length > 0) dispatch(data.join("\n"));
        data = [];
      } else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      // Comments (`: ping`) and the other SSE fields (event, id, retry) carry nothing this protocol needs.
    }
    if (done) break;
  }
  if (!done && data.length > 0) dispatch(data.join("\n"));
  if (!done && !finished) {
    throw new ModelError(
      502,
      `The local model server at ${settings.url} closed the connection in the middle of its answer; try again, or restart it.`,
      settings.name,
    );
  }
  const toolCalls: ChatToolCall[] = [];
  for (const [, call] of [...calls].sort(([a], [b]) => a - b)) {
    if (call.name === "") {
      throw notAModel(settings, "", "a Chat Completions stream (a tool call without a name)");
    }
    toolCalls.push({
      id: call.id || newId("call"),
      type: "function",
      function: { name: call.name, arguments: call.args },
    });
  }
  return { content: withoutThinking(content), toolCalls, ...(usage ? { usage } : {}) };
}

/**
 * A tool call arrives in pieces: the first names it (`index`, `id`, `function.name`), the rest add to
 * `function.arguments`. Some servers (Ollama) send each call whole, some without an index.
 */
function addCallPiece(calls: Map<number, { id: string; name: string; args: string }>, piece: Json): void {
  const fn = isObject(piece.function) ? piece.function : {};
  const last = Math.max(-1, ...calls.keys());
  const id = typeof piece.id === "string" ? piece.id : "";
  const index =
    typeof piece.index === "number"
      ? piece.index
      : id !== "" && calls.get(last)?.id !== id
        ? last + 1
        : Math.max(last, 0);
  const call = calls.get(index) ?? { id: "", name: "", args: "" };
  calls.set(index, call);
  if (id !== "") call.id = id;
  if (typeof fn.name === "string" && fn.name !== "") call.name = fn.name;
  if (typeof fn.arguments === "string") call.args += fn.arguments;
  else if (isObject(fn.arguments)) call.args = JSON.stringify(fn.arguments);
}

function usageFrom(raw: Json): ChatUsage {
  const count = (value: unknown) => (typeof value === "number" && value >= 0 ? value : 0);
  const prompt = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {};
  const completion = isObject(raw.completion_tokens_details) ? raw.completion_tokens_details : {};
  return {
    input: count(raw.prompt_tokens),
    output: count(raw.completion_tokens),
    cached: count(prompt.cached_tokens),
    reasoning: count(completion.reasoning_tokens),
  };
}

/** Why an exchange failed, in one sentence: the caller left, the server stalled, or it could not be reached. */
function failure(exchange: Pick<Exchange, "settings" | "watch" | "wanted">, err: unknown): ModelError {
  if (err instanceof ModelError) return err;
  const { settings, watch, wanted } = exchange;
  const seconds = settings.timeoutMs / 1000;
  if (wanted?.aborted && !watch.fired) {
    return new ModelError(
      502,
      `The answer of the local model ${settings.name} was no longer wanted (the client went away or the response was stopped), so it was cut off.`,
      settings.name,
    );
  }
  if (watch.fired && watch.answering) {
    return new ModelError(
      504,
      `The local model ${settings.name} at ${settings.url} stopped in the middle of its answer: nothing came for ${seconds} s; try again, pick a smaller model, or raise EMULATOR_MODEL_TIMEOUT_MS.`,
      settings.name,
    );
  }
  if (watch.fired) {
    return new ModelError(
      504,
      `The local model ${settings.name} at ${settings.url} did not answer within ${seconds} s: it may still be loading, or be too slow for this machine; try again, pick a smaller model, or raise EMULATOR_MODEL_TIMEOUT_MS.`,
      settings.name,
    );
  }
  if (watch.answering) {
    return new ModelError(
      502,
      `The local model server at ${settings.url} closed the connection in the middle of its answer; try again, or restart it.`,
      settings.name,
    );
  }
  const code = causeCode(err);
  return new ModelError(
    502,
    `The local model server at ${settings.url} is not reachable${code ? ` (${code})` : ""}: start it (for example \`ollama serve\` or \`foundry service start\`) or fix EMULATOR_MODEL_URL.`,
    settings.name,
  );
}

function parseReply(settings: LocalModelSettings, text: string): ChatReply {
  const json = parseJson(text);
  const choice = isObject(json) && Array.isArray(json.choices) ? json.choices[0] : undefined;
  const message = isObject(choice) && isObject(choice.message) ? choice.message : undefined;
  if (message === undefined) throw notAModel(settings, text, "a Chat Completions response");
  const content = typeof message.content === "string" ? message.content : "";
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  const toolCalls: ChatToolCall[] = [];
  for (const call of calls) {
    const fn = isObject(call.function) ? call.function : undefined;
    if (fn === undefined || typeof fn.name !== "string" || fn.name === "") {
      throw notAModel(settings, text, "a Chat Completions response (a tool call without a name)");
    }
    // Some servers send the arguments as an object rather than the JSON text the protocol specifies.
    const args = typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    const id = typeof call.id === "string" && call.id !== "" ? call.id : newId("call");
    toolCalls.push({ id, type: "function", function: { name: fn.name, arguments: args } });
  }
  const usage = isObject(json) && isObject(json.usage) ? usageFrom(json.usage) : undefined;
  return { content: withoutThinking(content), toolCalls, ...(usage ? { usage } : {}) };
}

/** Reasoning models (qwen3, deepseek-r1) put their thinking in <think>…</think>: not part of the answer. */
function withoutThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>\s*/g, "").trim();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function notAModel(settings: LocalModelSettings, text: string, expected: string): ModelError {
  const start = text.trim().slice(0, 40).replace(/\s+/g, " ");
  return new ModelError(
    502,
    `The local model server at ${settings.url} answered with something that is not ${expected} (${start ? `it began "${start}"` : "an empty body"}): check that EMULATOR_MODEL_URL is its OpenAI-compatible base URL, usually ending in /v1.`,
    settings.name,
  );
}

function refusal(
  settings: LocalModelSettings,
  status: number,
  text: string,
  sent: { tools?: boolean; images?: "data" | "web" | undefined } = {},
): ModelError {
  const detail = serverMessage(text);
  const what = `${status}${detail ? `: ${detail}` : ""}`;
  const at = `The local model server at ${settings.url}`;
  const fail = (code: number, message: string) => new ModelError(code, message, settings.name);
  // A model without vision is refused by some servers with a 400, by others (llama.cpp) with a 500.
  if (sent.images && /image|vision|multimodal|mmproj/i.test(detail)) {
    const web =
      sent.images === "web"
        ? "send it as a data URL or an uploaded file (Ollama takes no web URLs), or "
        : "";
    return fail(
      502,
      `${at} refused the image (${what}): ${web}${settings.name} may not see images; pick a vision model (e.g. gemma3, qwen2.5vl, llama3.2-vision) or send text only.`,
    );
  }
  if (status === 429) return fail(429, `${at} is busy (${what}); wait a moment and ask again.`);
  if (status === 404) {
    return fail(
      502,
      `${at} answered 404 (${detail || "not found"}): check that EMULATOR_MODEL_NAME ("${settings.name}") is a model it has and that EMULATOR_MODEL_URL is its base URL, usually ending in /v1.`,
    );
  }
  if (status >= 400 && status < 500) {
    const hint =
      sent.tools && /tool/i.test(detail)
        ? "; this model may not support tool calling, pick one that does (e.g. qwen2.5)"
        : "";
    return fail(502, `${at} refused the request (${what})${hint}.`);
  }
  return fail(502, `${at} failed (${what}); try again, or restart it.`);
}

/** The error text a server put in its body: OpenAI's `{error:{message}}`, `{error:"…"}`, or plain text. */
function serverMessage(text: string): string {
  const json = parseJson(text);
  const error = isObject(json) ? json.error : undefined;
  const message = isObject(error) ? error.message : error;
  const raw = typeof message === "string" ? message : json === undefined ? text : "";
  const flat = raw.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

function causeCode(err: unknown): string | undefined {
  let current = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === "string") return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}
