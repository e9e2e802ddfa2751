/**
 * The parameters of `POST /responses` besides the conversation itself: every one the service knows is
 * type-checked the way OpenAI does (400 with `param`, `unknown_parameter` for a name it does not know),
 * and the sampling and bookkeeping ones come back on the response object, defaults filled in, as the
 * Open Responses schema requires (`temperature`, `presence_penalty`, `service_tier`, …).
 */
import { ApiError } from "./errors.ts";
import { isObject, type Json } from "./validate.ts";

type Rule =
  | { kind: "number" | "integer"; min: number; max: number }
  | { kind: "boolean" | "string" | "object" | "array" | "any" }
  | { kind: "enum"; values: string[] };

const number = (min: number, max: number): Rule => ({ kind: "number", min, max });
const integer = (min: number, max: number): Rule => ({ kind: "integer", min, max });
const string: Rule = { kind: "string" };
const boolean: Rule = { kind: "boolean" };
const object: Rule = { kind: "object" };
/** Checked where it is read (input, conversation, tools, agent_reference, …). */
const elsewhere: Rule = { kind: "any" };

/** OpenAI's CreateResponse body, plus Foundry's `agent_reference` and its hosted-agent session id. */
const PARAMETERS: Record<string, Rule> = {
  model: string,
  input: elsewhere,
  instructions: string,
  previous_response_id: string,
  conversation: elsewhere,
  agent_reference: elsewhere,
  agent: elsewhere,
  agent_session_id: string,
  structured_inputs: object,
  metadata: elsewhere,
  include: elsewhere,
  tools: elsewhere,
  tool_choice: elsewhere,
  parallel_tool_calls: boolean,
  max_tool_calls: integer(1, Number.MAX_SAFE_INTEGER),
  max_output_tokens: integer(16, Number.MAX_SAFE_INTEGER),
  temperature: number(0, 2),
  top_p: number(0, 1),
  presence_penalty: number(-2, 2),
  frequency_penalty: number(-2, 2),
  top_logprobs: integer(0, 20),
  text: object,
  reasoning: object,
  prompt: object,
  stream: boolean,
  stream_options: object,
  store: boolean,
  background: boolean,
  truncation: { kind: "enum", values: ["auto", "disabled"] },
  service_tier: { kind: "enum", values: ["auto", "default", "flex", "scale", "priority"] },
  prompt_cache_key: string,
  prompt_cache_retention: { kind: "enum", values: ["in-memory", "24h"] },
  safety_identifier: string,
  user: string,
  context_management: { kind: "array" },
};

/** What the response object echoes, each with the value the service reports when it was not sent. */
export interface Settings {
  temperature: number;
  top_p: number;
  presence_penalty: number;
  frequency_penalty: number;
  top_logprobs: number;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  parallel_tool_calls: boolean;
  service_tier: string;
  safety_identifier: string | null;
  prompt_cache_key: string | null;
  prompt_cache_retention: string | null;
  user: string | null;
  truncation: string;
  text: Json;
  reasoning: Json;
}

export function readSettings(body: Json): Settings {
  for (const [key, value] of Object.entries(body)) {
    const rule = PARAMETERS[key];
    if (rule === undefined) {
      throw new ApiError(400, "unknown_parameter", `Unknown parameter: '${key}'.`, { param: key });
    }
    if (value !== null && value !== undefined) check(key, value, rule);
  }
  const given = <T>(key: string, fallback: T): T => (body[key] ?? fallback) as T;
  const tier = given("service_tier", "auto");
  return {
    temperature: given("temperature", 1),
    top_p: given("top_p", 1),
    presence_penalty: given("presence_penalty", 0),
    frequency_penalty: given("frequency_penalty", 0),
    top_logprobs: given("top_logprobs", 0),
    max_output_tokens: given("max_output_tokens", null),
    max_tool_calls: given("max_tool_calls", null),
    parallel_tool_calls: given("parallel_tool_calls", true),
    // "auto" is a request; the response says which tier served it.
    service_tier: tier === "auto" ? "default" : tier,
    safety_identifier: given("safety_identifier", null),
    prompt_cache_key: given("prompt_cache_key", null),
    prompt_cache_retention: given("prompt_cache_retention", null),
    user: given("user", null),
    truncation: given("truncation", "disabled"),
    text: { format: { type: "text" }, verbosity: "medium", ...given<Json>("text", {}) },
    reasoning: { effort: null, summary: null, ...given<Json>("reasoning", {}) },
  };
}

const EXPECTED: Record<Rule["kind"], string> = {
  number: "a decimal",
  integer: "an integer",
  boolean: "a boolean",
  string: "a string",
  object: "an object",
  array: "an array",
  enum: "a string",
  any: "a value",
};

function check(key: string, value: unknown, rule: Rule): void {
  const ok =
    rule.kind === "any" ||
    (rule.kind === "number" && typeof value === "number" && Number.isFinite(value)) ||
    (rule.kind === "integer" && Number.isInteger(value)) ||
    (rule.kind === "boolean" && typeof value === "boolean") ||
    ((rule.kind === "string" || rule.kind === "enum") && typeof value === "string") ||
    (rule.kind === "object" && isObject(value)) ||
    (rule.kind === "array" && Array.isArray(value));
  if (!ok) {
    throw new ApiError(
      400,
      "invalid_type",
      `Invalid type for '${key}': expected ${EXPECTED[rule.kind]}, but got ${describe(value)} instead.`,
      { param: key },
    );
  }
  if (
    (rule.kind === "number" || rule.kind === "integer") &&
    ((value as number) < rule.min || (value as number) > rule.max)
  ) {
    const range =
      rule.max === Number.MAX_SAFE_INTEGER ? `at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    throw new ApiError(
      400,
      "invalid_value",
      `Invalid '${key}': expected a value ${range}, but got ${String(value)} instead.`,
      {
        param: key,
      },
    );
  }
  if (rule.kind === "enum" && !rule.values.includes(value as string)) {
    throw new ApiError(
      400,
      "invalid_value",
      `Invalid value for '${key}': '${String(value)}'. Supported values are: ${rule.values.map((v) => `'${v}'`).join(", ")}.`,
      { param: key },
    );
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "boolean") return "a boolean";
  return "an object";
}
