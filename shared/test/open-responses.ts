/**
 * Open Responses compliance checks, written for this lab from the specification (repository
 * `openresponses/openresponses`: `ResponseResource`, the item and streaming-event schemas, and the cases
 * of its compliance suite: basic, streaming, system prompt, tool calling plain and streamed, image
 * input, multi-turn). Raw HTTP, so nothing an SDK would smooth over is hidden. Each check returns the
 * problems it found, as sentences naming the field; none means compliant.
 */

export interface Target {
  /** The base URL the client would use, e.g. `https://…/openai/v1` or `http://127.0.0.1:8088`. */
  baseUrl: string;
  headers: Record<string, string>;
  /** Extra body fields every request carries (`model`, or an `agent_reference`). */
  extra: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown) => Number.isInteger(v);
const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const isStr = (v: unknown) => typeof v === "string";
const orNull = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);

/** ResponseResource's required fields and the type each must have. */
const RESPONSE_FIELDS: Record<string, (v: unknown) => boolean> = {
  id: isStr,
  object: (v) => v === "response",
  created_at: isInt,
  completed_at: orNull(isInt),
  status: isStr,
  incomplete_details: orNull(isObject),
  model: isStr,
  previous_response_id: orNull(isStr),
  instructions: orNull((v) => isStr(v) || Array.isArray(v)),
  output: Array.isArray,
  error: orNull(isObject),
  tools: Array.isArray,
  tool_choice: (v) => isStr(v) || isObject(v),
  truncation: (v) => v === "auto" || v === "disabled",
  parallel_tool_calls: (v) => typeof v === "boolean",
  text: isObject,
  top_p: isNum,
  presence_penalty: isNum,
  frequency_penalty: isNum,
  top_logprobs: isInt,
  temperature: isNum,
  reasoning: orNull(isObject),
  user: orNull(isStr),
  usage: orNull(isObject),
  max_output_tokens: orNull(isInt),
  max_tool_calls: orNull(isInt),
  store: (v) => typeof v === "boolean",
  background: (v) => typeof v === "boolean",
  service_tier: isStr,
  metadata: isObject,
  safety_identifier: orNull(isStr),
  prompt_cache_key: orNull(isStr),
};

export function responseProblems(response: unknown): string[] {
  if (!isObject(response)) return ["the body is not a response object"];
  const problems: string[] = [];
  for (const [field, ok] of Object.entries(RESPONSE_FIELDS)) {
    if (!(field in response)) problems.push(`${field}: required, missing`);
    else if (!ok(response[field])) problems.push(`${field}: wrong type (${JSON.stringify(response[field])})`);
  }
  const usage = response.usage;
  if (isObject(usage)) {
    for (const key of ["input_tokens", "output_tokens", "total_tokens"]) {
      if (!isInt(usage[key])) problems.push(`usage.${key}: must be an integer`);
    }
    if (!isObject(usage.input_tokens_details) || !isInt(usage.input_tokens_details.cached_tokens)) {
      problems.push("usage.input_tokens_details.cached_tokens: required");
    }
    if (!isObject(usage.output_tokens_details) || !isInt(usage.output_tokens_details.reasoning_tokens)) {
      problems.push("usage.output_tokens_details.reasoning_tokens: required");
    }
  }
  for (const [i, tool] of (Array.isArray(response.tools) ? response.tools : []).entries()) {
    if (isObject(tool) && tool.type === "function" && typeof tool.strict !== "boolean") {
      problems.push(`tools[${i}].strict: a function tool says whether it is strict`);
    }
  }
  for (const [i, item] of (Array.isArray(response.output) ? response.output : []).entries()) {
    problems.push(...itemProblems(item, `output[${i}]`));
  }
  return problems;
}

function itemProblems(item: unknown, where: string): string[] {
  if (!isObject(item)) return [`${where}: not an item`];
  const problems: string[] = [];
  const need = (keys: string[]) => {
    for (const key of keys) if (!(key in item)) problems.push(`${where}.${key}: required, missing`);
  };
  if (item.type === "message") {
    need(["id", "status", "role", "content"]);
    for (const [j, part] of (Array.isArray(item.content) ? item.content : []).entries()) {
      if (!isObject(part)) continue;
      if (part.type === "output_text") {
        if (!isStr(part.text)) problems.push(`${where}.content[${j}].text: must be a string`);
        if (!Array.isArray(part.annotations)) problems.push(`${where}.content[${j}].annotations: required`);
        if (!Array.isArray(part.logprobs)) problems.push(`${where}.content[${j}].logprobs: required`);
      }
    }
  } else if (item.type === "function_call") {
    need(["id", "call_id", "name", "arguments", "status"]);
    if (!isStr(item.arguments)) problems.push(`${where}.arguments: must be a JSON string`);
  }
  return problems;
}

export interface SseEvent {
  event: string | undefined;
  data: Json;
}

/** Reads an SSE body into events, exactly as framed on the wire (`event:` and `data:` lines). */
export async function readSse(res: Response): Promise<{ events: SseEvent[]; problems: string[] }> {
  const problems: string[] = [];
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    problems.push(`content-type is ${res.headers.get("content-type")}, not text/event-stream`);
  }
  const events: SseEvent[] = [];
  for (const block of (await res.text()).split(/\n\n/)) {
    const lines = block.split("\n").filter((line) => line !== "" && !line.startsWith(":"));
    if (lines.length === 0) continue;
    const event = lines
      .find((l) => l.startsWith("event:"))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (data === "[DONE]") continue; // allowed by the spec; OpenAI does not send it
    try {
      events.push({ event, data: JSON.parse(data) as Json });
    } catch {
      problems.push(`an event's data is not JSON: ${data.slice(0, 80)}`);
    }
  }
  return { events, problems };
}

/** The streaming rules: order, sequence numbers, required fields, and agreement with the final response. */
export function streamProblems(events: SseEvent[]): { problems: string[]; final: Json | undefined } {
  const problems: string[] = [];
  const types = events.map((e) => String(e.data.type));
  if (types[0] !== "response.created") problems.push(`the first event is ${types[0]}, not response.created`);
  for (const [i, { event, data }] of events.entries()) {
    if (event !== undefined && event !== data.type)
      problems.push(`event ${i}: 'event: ${event}' but type ${String(data.type)}`);
    if (data.sequence_number !== i)
      problems.push(`event ${i}: sequence_number ${String(data.sequence_number)}, expected ${i}`);
  }
  const lifecycle = events.filter((e) =>
    /^response\.(created|queued|in_progress|completed|failed|incomplete)$/.test(String(e.data.type)),
  );
  const ids = new Set(lifecycle.map((e) => (isObject(e.data.response) ? e.data.response.id : undefined)));
  if (ids.size !== 1 || ids.has(undefined))
    problems.push("lifecycle events must all carry the same response id");
  const models = new Set(
    lifecycle.map((e) => (isObject(e.data.response) ? e.data.response.model : undefined)),
  );
  if (models.size !== 1) problems.push(`response.model changes across the stream: ${[...models].join(", ")}`);
  const added = new Set<number>();
  const texts = new Map<string, string>();
  for (const { data } of events) {
    const type = String(data.type);
    const key = `${String(data.item_id)}:${String(data.content_index)}`;
    if (type === "response.output_item.added") added.add(Number(data.output_index));
    if (
      /^response\.(output_text|function_call_arguments|content_part)\./.test(type) &&
      !added.has(Number(data.output_index))
    ) {
      problems.push(`${type} for output_index ${String(data.output_index)} before its output_item.added`);
    }
    if (type === "response.output_text.delta") {
      for (const field of ["item_id", "output_index", "content_index", "delta", "logprobs"]) {
        if (!(field in data)) problems.push(`response.output_text.delta: ${field} required`);
      }
      texts.set(key, (texts.get(key) ?? "") + String(data.delta));
    }
    if (type === "response.output_text.done" && data.text !== (texts.get(key) ?? "")) {
      problems.push("response.output_text.done's text is not the deltas joined");
    }
  }
  const last = events.at(-1)?.data;
  const final = last?.type === "response.completed" && isObject(last.response) ? last.response : undefined;
  if (final === undefined) problems.push(`the last event is ${String(last?.type)}, not response.completed`);
  else {
    problems.push(...responseProblems(final).map((p) => `response.completed: ${p}`));
    for (const { data } of events) {
      if (data.type !== "response.output_item.done") continue;
      const index = Number(data.output_index);
      const item = Array.isArray(final.output) ? final.output[index] : undefined;
      if (JSON.stringify(item) !== JSON.stringify(data.item)) {
        problems.push(`output_item.done for output_index ${index} differs from the final response's item`);
      }
    }
  }
  return { problems, final };
}

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "Get the current weather for a location",
  parameters: {
    type: "object",
    properties: { location: { type: "string", description: "The city and state, e.g. San Francisco, CA" } },
    required: ["location"],
  },
};

/** The suite's cases, as request bodies and what the answer must contain. */
export const CASES: { id: string; stream: boolean; body: Json; expectType?: string; tools?: boolean }[] = [
  {
    id: "basic-response",
    stream: false,
    body: { input: [{ type: "message", role: "user", content: "Say hello in exactly 3 words." }] },
  },
  {
    id: "streaming-response",
    stream: true,
    body: { input: [{ type: "message", role: "user", content: "Count from 1 to 5." }] },
  },
  {
    id: "system-prompt",
    stream: false,
    body: {
      input: [
        { type: "message", role: "system", content: "You are a pirate. Always respond in pirate speak." },
        { type: "message", role: "user", content: "Say hello." },
      ],
    },
  },
  {
    id: "tool-calling",
    stream: false,
    tools: true,
    expectType: "function_call",
    body: {
      input: [{ type: "message", role: "user", content: "What's the weather like in San Francisco?" }],
      tools: [weatherTool],
    },
  },
  {
    id: "tool-calling-streaming",
    stream: true,
    tools: true,
    expectType: "function_call",
    body: {
      input: [{ type: "message", role: "user", content: "What's the weather like in San Francisco?" }],
      tools: [weatherTool],
    },
  },
  {
    id: "image-input",
    stream: false,
    body: {
      input: [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "What do you see in this image? Answer in one sentence." },
            {
              type: "input_image",
              image_url:
                "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            },
          ],
        },
      ],
    },
  },
  {
    id: "multi-turn",
    stream: false,
    body: {
      input: [
        { type: "message", role: "user", content: "My name is Alice." },
        {
          type: "message",
          role: "assistant",
          content: "Hello Alice! Nice to meet you. How can I help you today?",
        },
        { type: "message", role: "user", content: "What is my name?" },
      ],
    },
  },
];

/** Runs one case against a target; returns its problems (empty: passed). */
export async function runCase(target: Target, c: (typeof CASES)[number]): Promise<string[]> {
  const res = await fetch(`${target.baseUrl}/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", ...target.headers },
    body: JSON.stringify({ ...c.body, ...target.extra, stream: c.stream }),
  });
  if (!res.ok) return [`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`];
  let response: Json | undefined;
  const problems: string[] = [];
  if (c.stream) {
    const read = await readSse(res);
    const checked = streamProblems(read.events);
    problems.push(...read.problems, ...checked.problems);
    response = checked.final;
    if (c.expectType === "function_call") {
      const types = read.events.map((e) => String(e.data.type));
      for (const type of [
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
      ]) {
        if (!types.includes(type)) problems.push(`missing ${type}`);
      }
    }
  } else {
    if (!(res.headers.get("content-type") ?? "").startsWith("application/json"))
      problems.push("content-type is not JSON");
    response = (await res.json()) as Json;
    problems.push(...responseProblems(response));
  }
  if (response === undefined) return problems;
  const output = Array.isArray(response.output) ? (response.output as Json[]) : [];
  if (output.length === 0) problems.push("the response has no output items");
  if (c.expectType !== undefined && !output.some((item) => item.type === c.expectType)) {
    problems.push(`no output item of type ${c.expectType}`);
  }
  if (c.expectType === undefined && response.status !== "completed")
    problems.push(`status is ${String(response.status)}`);
  return problems;
}
