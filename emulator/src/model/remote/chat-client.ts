/**
 * The one protocol every local model server speaks: OpenAI Chat Completions (`POST {url}/chat/completions`
 * with `tools`), plus `GET {url}/models` for the doctor. Each call is bounded in time and size, and every
 * way it can go wrong (nothing listening, no answer in time, a 429 or 500, bytes that are not a model's
 * reply) becomes a ModelError with one sentence that names the server and what to do.
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

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
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
}

/** A model's reply is a few KB; anything near this is not one. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export async function chatCompletion(
  settings: LocalModelSettings,
  messages: ChatMessage[],
  tools: ChatTool[],
  toolChoice: ChatToolChoice,
): Promise<ChatReply> {
  const body: Json = { model: settings.name, messages, stream: false };
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = toolChoice;
  }
  const { status, text } = await exchange(settings, "POST", "/chat/completions", body);
  if (status !== 200) throw refusal(settings, status, text, tools.length > 0);
  const reply = parseReply(settings, text);
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
  return { content: rest, toolCalls };
}

/** The model ids the server offers (`GET /models`), for the doctor's check. */
export async function listModels(settings: LocalModelSettings): Promise<string[]> {
  const { status, text } = await exchange(settings, "GET", "/models");
  if (status !== 200) throw refusal(settings, status, text, false);
  const json = parseJson(text);
  const data = isObject(json) && Array.isArray(json.data) ? json.data : undefined;
  if (data === undefined) throw notAModel(settings, text, "a model list");
  return data.filter(isObject).map((model) => String(model.id));
}

/** Ollama answers a name without a tag as `<name>:latest`; every other server wants the exact id. */
export function hasModel(ids: string[], name: string): boolean {
  return ids.includes(name) || (!name.includes(":") && ids.includes(`${name}:latest`));
}

async function exchange(
  settings: LocalModelSettings,
  method: string,
  route: string,
  body?: Json,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (settings.key) headers.authorization = `Bearer ${settings.key}`;
  // One deadline for the whole exchange: connecting, waiting for the model and reading its reply.
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const res = await fetch(`${settings.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      redirect: "error",
    });
    return { status: res.status, text: await readCapped(res, settings) };
  } catch (err) {
    if (err instanceof ModelError) throw err;
    const name = (err as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError" || signal.aborted) {
      throw new ModelError(
        504,
        `The local model ${settings.name} at ${settings.url} did not answer within ${settings.timeoutMs / 1000} s: it may still be loading, or be too slow for this machine; try again, pick a smaller model, or raise EMULATOR_MODEL_TIMEOUT_MS.`,
        settings.name,
      );
    }
    const code = causeCode(err);
    throw new ModelError(
      502,
      `The local model server at ${settings.url} is not reachable${code ? ` (${code})` : ""}: start it (for example \`ollama serve\` or \`foundry service start\`) or fix EMULATOR_MODEL_URL.`,
      settings.name,
    );
  }
}

async function readCapped(res: Response, settings: LocalModelSettings): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REPLY_BYTES) {
      await reader.cancel();
      throw new ModelError(
        502,
        `The local model server answered with more than ${MAX_REPLY_BYTES / 1024 / 1024} MB, which is not a model's reply: check EMULATOR_MODEL_URL.`,
        settings.name,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
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
  return { content: withoutThinking(content), toolCalls };
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

function refusal(settings: LocalModelSettings, status: number, text: string, sentTools: boolean): ModelError {
  const detail = serverMessage(text);
  const what = `${status}${detail ? `: ${detail}` : ""}`;
  const at = `The local model server at ${settings.url}`;
  const fail = (code: number, message: string) => new ModelError(code, message, settings.name);
  if (status === 429) return fail(429, `${at} is busy (${what}); wait a moment and ask again.`);
  if (status === 404) {
    return fail(
      502,
      `${at} answered 404 (${detail || "not found"}): check that EMULATOR_MODEL_NAME ("${settings.name}") is a model it has and that EMULATOR_MODEL_URL is its base URL, usually ending in /v1.`,
    );
  }
  if (status >= 400 && status < 500) {
    const hint =
      sentTools && /tool/i.test(detail)
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
