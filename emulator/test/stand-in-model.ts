/**
 * A stand-in for a local model server (Ollama, Foundry Local, LM Studio, llama.cpp) in tests: a small
 * OpenAI-compatible HTTP server on 127.0.0.1. It is not a language model, but it really reads each Chat
 * Completions request: it checks the messages as a strict server does (every tool call answered, no
 * result without its call), calls the offered tool whose name and description fit the user's words with
 * arguments taken from those words, answers from tool results when they come back, and otherwise
 * answers from the conversation. Asked to stream (`stream: true`), it sends its answer as a Chat
 * Completions SSE stream, a few words or a piece of a tool call's arguments per chunk, with the usage
 * chunk last when asked for it (`stream_options.include_usage`), as Ollama and Foundry Local do. `fault`
 * makes it slow, busy, broken, not a model server at all, or break off in the middle of a stream.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

// biome-ignore lint/suspicious/noExplicitAny: a server reads whatever JSON it is sent, field by field
type Json = Record<string, any>;
/**
 * slow, garbage, busy, broken: the server fails; repeats: the model calls its first tool whenever it has
 * one. In the middle of a stream, after its first chunk: cut (the connection closes), bad-line (a line
 * that is not JSON), stall (nothing more is sent), error-event (an `error` chunk, as OpenAI sends).
 */
export type Fault =
  | "slow"
  | "garbage"
  | "busy"
  | "broken"
  | "repeats"
  | "cut"
  | "bad-line"
  | "stall"
  | "error-event";

export interface StandIn {
  /** The OpenAI-compatible base URL, ending in /v1. */
  url: string;
  /** Every Chat Completions body received, oldest first. */
  requests: Json[];
  fault: Fault | undefined;
  /** Write tool calls as `<tool_call>` text in `content`, as Foundry Local does with tool_choice "auto". */
  callsAsText: boolean;
  /** Answer `stream: true` with one JSON body, as a server without streaming would (default: stream). */
  ignoresStream: boolean;
  /** Send no `usage` (a server that counts nothing). */
  countsNothing: boolean;
  /** Think first, in `<think>…</think>` before the answer, as qwen3 and deepseek-r1 do. */
  thinks: boolean;
  /** Refuse images, as a server does for a model without vision. */
  blind: boolean;
  /** Refuse `stream_options`, as a server that knows `stream` but not its options might. */
  refusesStreamOptions: boolean;
  /**
   * The next stream waits after its first chunk until `release()`: proof that words arrive before the
   * end. `waiting` resolves once it waits; `cutOff` if its connection closes before the stand-in finished.
   */
  holdAfterFirstChunk(): { release(): void; waiting: Promise<void>; cutOff: Promise<void> };
  close(): Promise<void>;
}

interface Hold {
  released: Promise<void>;
  waiting: () => void;
  cutOff: () => void;
}

/** The stand-in's own count: a token per word or punctuation mark, which is how far a real count differs. */
export function standInTokens(text: string): number {
  return (text.match(/\w+|[^\w\s]/g) ?? []).length;
}

export async function startStandIn(models: string[]): Promise<StandIn> {
  const requests: Json[] = [];
  let hold: Hold | undefined;
  // The switches the tests flip are the returned object's own fields; the server reads them per request.
  const state: StandIn = {
    url: "",
    requests,
    fault: undefined,
    callsAsText: false,
    ignoresStream: false,
    countsNothing: false,
    thinks: false,
    blind: false,
    refusesStreamOptions: false,
    holdAfterFirstChunk() {
      const released = Promise.withResolvers<void>();
      const waiting = Promise.withResolvers<void>();
      const cutOff = Promise.withResolvers<void>();
      hold = { released: released.promise, waiting: waiting.resolve, cutOff: cutOff.resolve };
      return { release: released.resolve, waiting: waiting.promise, cutOff: cutOff.promise };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    let raw = "";
    for await (const chunk of req) raw += chunk;
    if (req.method === "GET" && req.url === "/v1/models") {
      return send(200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", owned_by: "stand-in" })),
      });
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions")
      return send(404, "404 page not found", "text/plain");
    const body = JSON.parse(raw) as Json;
    requests.push(body);
    const answer = (said: string | null, calls: Json[]) => {
      const content =
        state.thinks && said
          ? `<think>\nThe user wrote to me; I answer [2] kindly.\n</think>\n\n${said}`
          : said;
      const whole = reply(content, calls, body.model, body.messages, !state.countsNothing);
      if (body.stream !== true || state.ignoresStream) return send(200, whole);
      const held = hold;
      hold = undefined;
      return streamReply(res, whole, body.stream_options?.include_usage === true, state.fault, held);
    };
    if (state.fault === "slow") {
      // A hold here means: say when the request is waiting, and when its connection closes unanswered.
      const held = hold;
      hold = undefined;
      res.on("close", () => held?.cutOff());
      held?.waiting();
      return void setTimeout(
        () => send(200, reply("late", [], body.model, body.messages, true)),
        30_000,
      ).unref();
    }
    if (state.fault === "garbage") return send(200, "<html><body>It works!</body></html>", "text/html");
    if (state.fault === "busy") return send(429, { error: { message: "server busy, please try again" } });
    if (state.fault === "broken")
      return send(500, { error: { message: "llama runner process has terminated" } });
    if (!models.includes(body.model) && !models.includes(`${body.model}:latest`)) {
      return send(404, { error: { message: `model "${body.model}" not found, try pulling it first` } });
    }
    const images = body.messages.flatMap((m: Json) =>
      Array.isArray(m.content) ? m.content.filter((p: Json) => p.type === "image_url") : [],
    );
    if (state.refusesStreamOptions && body.stream_options !== undefined) {
      return send(400, { error: { message: 'json: unknown field "stream_options"' } });
    }
    if (state.blind && images.length > 0) {
      return send(400, {
        error: { message: "image input is not supported by this model", type: "invalid_request_error" },
      });
    }
    const problem = protocolProblem(body.messages);
    if (problem) return send(400, { error: { message: problem, type: "invalid_request_error" } });
    if (state.fault === "repeats") {
      const first = body.tools?.[0]?.function;
      const call = first && {
        id: `call_${requests.length}`,
        type: "function",
        function: { name: first.name, arguments: '{"query":"again"}' },
      };
      return answer(call ? null : "No tools left, so this is my answer.", call ? [call] : []);
    }
    const { content, calls } = think(body);
    if (state.callsAsText && calls.length > 0 && body.tool_choice !== "required") {
      const text = calls.map(
        (c) =>
          `<tool_call>\n{"name": "${c.function.name}", "arguments": ${c.function.arguments}}\n</tool_call>`,
      );
      return answer(text.join("\n"), []);
    }
    return answer(content, calls);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/v1`;
  return state;
}

function reply(content: string | null, calls: Json[], model: string, messages: Json[], counts: boolean) {
  const prompt = standInTokens(messages.map(textOf).join(" "));
  const completion = standInTokens(
    `${content ?? ""} ${calls.map((c) => `${c.function.name} ${c.function.arguments}`).join(" ")}`,
  );
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        finish_reason: calls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    ...(counts
      ? {
          usage: {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
            prompt_tokens_details: { cached_tokens: Math.floor(prompt / 2) },
          },
        }
      : {}),
  };
}

/**
 * The reply as a stream of `chat.completion.chunk`s: the role, the text a few words at a time, each tool
 * call as its name then its arguments in pieces, the finish reason, the usage chunk, `[DONE]`. The
 * chunks are a tick apart, so they reach the emulator as separate reads.
 */
async function streamReply(
  res: http.ServerResponse,
  whole: ReturnType<typeof reply>,
  includeUsage: boolean,
  fault: Fault | undefined,
  hold: Hold | undefined,
) {
  const message = whole.choices[0]?.message as Json;
  const base = { id: whole.id, object: "chat.completion.chunk", created: whole.created, model: whole.model };
  const chunk = (delta: Json, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const events: unknown[] = [chunk({ role: "assistant", content: "" })];
  for (const words of String(message.content ?? "").match(/\s*\S+(?:\s+\S+)?/g) ?? []) {
    events.push(chunk({ content: words }));
  }
  for (const [index, call] of (message.tool_calls ?? []).entries()) {
    const { name, arguments: args } = call.function;
    events.push(
      chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name, arguments: "" } }] }),
    );
    for (const piece of String(args).match(/[\s\S]{1,7}/g) ?? []) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  events.push(chunk({}, whole.choices[0]?.finish_reason ?? "stop"));
  if (includeUsage && whole.usage) events.push({ ...base, choices: [], usage: whole.usage });
  events.push("[DONE]");

  let finished = false;
  res.on("close", () => {
    if (!finished) hold?.cutOff();
  });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(": the stand-in streams\n\n");
  for (const [n, event] of events.entries()) {
    if (res.destroyed) return;
    res.write(`data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
    // The first chunk with words (or the first piece of a call) is out: now the faults and the hold.
    if (n === 1) {
      // Once the chunk is on its way, the connection breaks (no finish reason, no [DONE]).
      if (fault === "cut") return void res.write("", () => res.socket?.destroy());
      if (fault === "bad-line") res.write("data: {this is not json\n\n");
      if (fault === "error-event") {
        res.write(`data: ${JSON.stringify({ error: { message: "the model ran out of memory" } })}\n\n`);
      }
      if (fault === "stall") return;
      if (hold) {
        hold.waiting();
        await hold.released;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  finished = true;
  res.end();
}

/** What a strict server (OpenAI, llama.cpp) refuses: a tool result without its call, a call left unanswered. */
function protocolProblem(messages: Json[]): string | undefined {
  let pending: string[] = [];
  for (const m of messages) {
    if (m.role === "tool") {
      if (!pending.includes(m.tool_call_id)) return `tool message ${m.tool_call_id} answers no tool call`;
      pending = pending.filter((id) => id !== m.tool_call_id);
      continue;
    }
    if (pending.length > 0) return `tool calls ${pending.join(", ")} have no tool message`;
    pending = (m.tool_calls ?? []).map((c: Json) => c.id);
  }
  return undefined;
}

/** A message's text: its content, or the text of its parts (images and files come as parts). */
export function textOf(message: Json): string {
  if (!Array.isArray(message.content)) return String(message.content ?? "");
  return message.content
    .filter((p: Json) => p.type === "text")
    .map((p: Json) => p.text)
    .join(" ");
}

/** What the stand-in "sees" in a message's images: their type and size, from the data URL. */
function imagesIn(message: Json | undefined): string[] {
  if (!Array.isArray(message?.content)) return [];
  return message.content
    .filter((p: Json) => p.type === "image_url")
    .map((p: Json) => {
      const [, type, data] = /^data:([^;]+);base64,(.*)$/.exec(p.image_url.url) ?? [];
      return type ? `${type}, ${Buffer.from(data ?? "", "base64").length} bytes` : p.image_url.url;
    });
}

const words = (text: string) =>
  new Set((text.toLowerCase().match(/[a-z]{3,}/g) ?? []).map((w) => w.slice(0, 5)));

function think(body: Json): { content: string | null; calls: Json[] } {
  const messages: Json[] = body.messages;
  const last = messages[messages.length - 1];
  if (last?.role === "tool") return { content: fromResults(messages), calls: [] };
  const userMessages = messages.filter((m) => m.role === "user");
  const users = userMessages.map(textOf);
  const said = users[users.length - 1] ?? "";
  const tool = pickTool(body.tools ?? [], body.tool_choice, said);
  if (tool) {
    const args = argumentsFor(tool.function, said);
    const missing = (tool.function.parameters?.required ?? []).filter((p: string) => args[p] === undefined);
    if (missing.length > 0)
      return { content: `To use ${tool.function.name} I need: ${missing.join(", ")}.`, calls: [] };
    const id = `call_${Math.random().toString(36).slice(2, 10)}`;
    return {
      content: null,
      calls: [
        { id, type: "function", function: { name: tool.function.name, arguments: JSON.stringify(args) } },
      ],
    };
  }
  if (/\bwhat did i (?:say|ask) first\b/i.test(said))
    return { content: `First you said: "${users[0]}"`, calls: [] };
  const system = messages.find((m) => m.role === "system");
  const seen = imagesIn(userMessages.at(-1));
  return {
    content: `You said "${said}". That is message ${users.length} from you${system ? `; my instructions begin "${String(system.content).slice(0, 30)}"` : ""}.${seen.length > 0 ? ` I see ${seen.length} image${seen.length > 1 ? "s" : ""} (${seen.join("; ")}).` : ""}`,
    calls: [],
  };
}

/** The offered tool sharing most words with the message (its name counts double), or the one tool_choice names. */
function pickTool(tools: Json[], choice: unknown, said: string): Json | undefined {
  if (typeof choice === "object" && choice !== null) {
    return tools.find((t) => t.function.name === (choice as Json).function?.name);
  }
  const heard = words(said);
  let best: { tool: Json; score: number } | undefined;
  for (const tool of tools) {
    const fn = tool.function;
    const name = [...words(fn.name.replace(/_/g, " "))].filter((w) => heard.has(w)).length * 2;
    const described = [
      ...words(`${fn.description ?? ""} ${Object.keys(fn.parameters?.properties ?? {}).join(" ")}`),
    ];
    const score = name + described.filter((w) => heard.has(w)).length;
    if (score > 0 && (best === undefined || score > best.score)) best = { tool, score };
  }
  if (best === undefined && choice === "required") return tools[0];
  return best?.tool;
}

function argumentsFor(fn: Json, said: string): Json {
  const args: Json = {};
  for (const [name, spec] of Object.entries<Json>(fn.parameters?.properties ?? {})) {
    if (name === "code") {
      const code = /```(?:python)?\n([\s\S]*?)```/.exec(said)?.[1];
      if (code) args.code = code;
    } else if (name === "query")
      args.query = said.replace(/^(?:please\s+)?(?:search|look up|find)\s+(?:for\s+)?/i, "");
    else if (spec.enum)
      args[name] = spec.enum.find((v: string) => said.toLowerCase().includes(String(v).toLowerCase()));
    else if (spec.type === "number" || spec.type === "integer") {
      const n = /\d+(?:\.\d+)?/.exec(said)?.[0];
      if (n) args[name] = Number(n);
    } else {
      const proper = /\b(?:in|for|at|to|from|about)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)/.exec(said)?.[1];
      const quoted = /["“']([^"”']+)["”']/.exec(said)?.[1];
      if (quoted ?? proper) args[name] = quoted ?? proper;
    }
  }
  return args;
}

/** An answer from the tool results of the last step: numbered passages are quoted and cited as [n]. */
function fromResults(messages: Json[]): string {
  const start = messages.findLastIndex((m) => m.role === "assistant");
  const calls: Json[] = messages[start]?.tool_calls ?? [];
  const parts = messages.slice(start + 1).map((m) => {
    const name = calls.find((c) => c.id === m.tool_call_id)?.function.name ?? "a tool";
    const content = String(m.content);
    const numbered = /^\[(\d+)\] .+?: ([\s\S]*?)(?=\n\n\[\d+\] |$)/.exec(content);
    if (numbered) {
      // The first sentence of the passage's prose (headings skipped), with the source's number.
      const prose = (numbered[2] ?? "")
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .join(" ");
      const flat = prose.replace(/\s+/g, " ").trim();
      return `${/^.+?[.!?](?=\s|$)/.exec(flat)?.[0] ?? flat} [${numbered[1]}]`;
    }
    return `${name} returned: ${content.replace(/\s+/g, " ").slice(0, 300)}`;
  });
  return parts.join(" ");
}
