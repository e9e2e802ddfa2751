/**
 * Demo 8 · the Responses contract, server side: reading a `POST /responses` body (every problem is an
 * OpenAI-style 400 naming the parameter), and the `response` object and item shapes a client expects.
 * The SDK's streaming helper is strict about them (ids that never change, `object: "response"`).
 */
import { randomBytes } from "node:crypto";

/** An error the client caused or asked about, sent as `{"error":{type, code, message, param}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly param: string | null;
  constructor(status: number, code: string, message: string, param: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }

  get body() {
    const type = this.status === 404 ? "not_found_error" : "invalid_request_error";
    return { error: { type, code: this.code, message: this.message, param: this.param } };
  }
}

const invalid = (param: string, message: string) => new ApiError(400, "invalid_value", message, param);

export interface AgentReference {
  type: "agent_reference";
  name: string;
  version?: string;
}

/** An item of the thread as this server keeps it: Responses input items, in their long form. */
export type Item = Record<string, unknown> & { type: string; id?: string };

/** A validated `POST /responses` body. */
export interface CreateRequest {
  input: Item[];
  instructions: string | null;
  previousResponseId: string | null;
  conversationId: string | null;
  agentReference: AgentReference | null;
  sessionId: string | null;
  metadata: Record<string, string>;
  stream: boolean;
  store: boolean;
  background: boolean;
  /** The client's own function tools: the agent passes them to the model with its own logic. */
  tools: Item[];
  toolChoice: string | Record<string, unknown>;
  /** Echoed on the response object. */
  settings: Settings;
  /**
   * The sampling parameters the caller sent, passed to the model as sent and only then (a reasoning model
   * behind model-router refuses `temperature`, so a default must never be invented on the way).
   */
  sampling: { temperature?: number; top_p?: number; max_output_tokens?: number };
}

/** The response object's echo of the request, with the values the service reports when not sent. */
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
  user: string | null;
  truncation: string;
  text: Record<string, unknown>;
  reasoning: Record<string, unknown>;
}

type Rule =
  | "string"
  | "boolean"
  | "object"
  | "array"
  | "other"
  | [min: number, max: number, integer?: "integer"];

/**
 * Every parameter of OpenAI's CreateResponse (the SDKs may send any of them), plus Foundry's
 * `agent_reference` and `agent_session_id`, each with the type OpenAI checks. Anything else is a typo or
 * a wrong client, and gets a 400 naming it.
 */
const PARAMETERS: Record<string, Rule> = {
  input: "other",
  instructions: "string",
  previous_response_id: "other",
  conversation: "other",
  agent_reference: "other",
  agent_session_id: "other",
  metadata: "other",
  stream: "boolean",
  store: "boolean",
  background: "boolean",
  model: "string",
  include: "array",
  max_output_tokens: [16, Number.MAX_SAFE_INTEGER, "integer"],
  max_tool_calls: [1, Number.MAX_SAFE_INTEGER, "integer"],
  parallel_tool_calls: "boolean",
  prompt: "object",
  prompt_cache_key: "string",
  prompt_cache_retention: "string",
  reasoning: "object",
  safety_identifier: "string",
  service_tier: "string",
  stream_options: "object",
  temperature: [0, 2],
  presence_penalty: [-2, 2],
  frequency_penalty: [-2, 2],
  text: "object",
  tool_choice: "other",
  tools: "array",
  top_logprobs: [0, 20, "integer"],
  top_p: [0, 1],
  truncation: "string",
  user: "string",
  context_management: "array",
};

const ID = /^[A-Za-z0-9_-]{1,128}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readCreateRequest(body: unknown): CreateRequest {
  if (!isObject(body)) throw invalid("body", "The request body must be a JSON object.");
  if (body.agent !== undefined) {
    throw new ApiError(
      400,
      "invalid_payload",
      "The 'agent' property is deprecated. Use 'agent_reference' instead.",
      "agent",
    );
  }
  for (const [key, value] of Object.entries(body)) {
    const rule = PARAMETERS[key];
    if (rule === undefined) throw new ApiError(400, "unknown_parameter", `Unknown parameter: '${key}'.`, key);
    if (value !== null && value !== undefined) checkType(key, value, rule);
  }
  const previousResponseId = optionalId(body, "previous_response_id");
  const conversationId = readConversation(body.conversation);
  if (previousResponseId && conversationId) {
    throw invalid(
      "previous_response_id",
      "Provide either 'conversation' or 'previous_response_id', not both.",
    );
  }
  const store = optionalBoolean(body, "store") ?? true;
  const background = optionalBoolean(body, "background") ?? false;
  if (background && !store) {
    throw invalid("background", "A background response must be stored: drop 'store: false'.");
  }
  return {
    input: readInput(body.input),
    instructions: optionalString(body, "instructions"),
    previousResponseId,
    conversationId,
    agentReference: readAgentReference(body.agent_reference),
    sessionId: optionalId(body, "agent_session_id"),
    metadata: readMetadata(body.metadata),
    stream: optionalBoolean(body, "stream") ?? false,
    store,
    background,
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.tool_choice),
    settings: readSettings(body),
    sampling: Object.fromEntries(
      ["temperature", "top_p", "max_output_tokens"]
        .filter((k) => typeof body[k] === "number")
        .map((k) => [k, body[k]]),
    ),
  };
}

function checkType(key: string, value: unknown, rule: Rule): void {
  const expected = Array.isArray(rule) ? (rule[2] ? "an integer" : "a decimal") : `a ${rule}`;
  const ok =
    rule === "other" ||
    (rule === "string" && typeof value === "string") ||
    (rule === "boolean" && typeof value === "boolean") ||
    (rule === "object" && isObject(value)) ||
    (rule === "array" && Array.isArray(value)) ||
    (Array.isArray(rule) &&
      (rule[2] ? Number.isInteger(value) : typeof value === "number" && Number.isFinite(value)));
  if (!ok) {
    throw new ApiError(400, "invalid_type", `Invalid type for '${key}': expected ${expected}.`, key);
  }
  if (Array.isArray(rule) && ((value as number) < rule[0] || (value as number) > rule[1])) {
    throw invalid(
      key,
      `Invalid '${key}': expected a value from ${rule[0]} to ${rule[1]}, but got ${String(value)}.`,
    );
  }
}

function readSettings(body: Record<string, unknown>): Settings {
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
    service_tier: tier === "auto" ? "default" : tier,
    safety_identifier: given("safety_identifier", null),
    prompt_cache_key: given("prompt_cache_key", null),
    user: given("user", null),
    truncation: given("truncation", "disabled"),
    text: { format: { type: "text" }, ...given<Record<string, unknown>>("text", {}) },
    reasoning: { effort: null, summary: null, ...given<Record<string, unknown>>("reasoning", {}) },
  };
}

/** Client tools: function tools only (a hosted agent runs no service-side tools for its caller). */
function readTools(value: unknown): Item[] {
  if (value === undefined || value === null) return [];
  return (value as unknown[]).map((tool, i) => {
    if (!isObject(tool) || tool.type !== "function") {
      throw invalid(
        `tools[${i}].type`,
        `This agent takes only function tools from its caller, not '${String(isObject(tool) ? tool.type : tool)}'.`,
      );
    }
    if (typeof tool.name !== "string" || !/^[\w-]{1,64}$/.test(tool.name)) {
      throw invalid(`tools[${i}].name`, `'tools[${i}].name' must be 1-64 letters, digits, '_' or '-'.`);
    }
    if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters)) {
      throw invalid(`tools[${i}].parameters`, `'tools[${i}].parameters' must be a JSON schema object.`);
    }
    return { description: null, parameters: null, ...tool, type: "function", strict: tool.strict ?? true };
  });
}

function readToolChoice(value: unknown): string | Record<string, unknown> {
  if (value === undefined || value === null) return "auto";
  if ((typeof value === "string" && ["auto", "none", "required"].includes(value)) || isObject(value))
    return value;
  throw invalid("tool_choice", '\'tool_choice\' must be "auto", "none", "required" or a tool object.');
}

function optionalString(body: Record<string, unknown>, key: string): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(key, `'${key}' must be a string.`);
  return value;
}

function optionalId(body: Record<string, unknown>, key: string): string | null {
  const value = optionalString(body, key);
  if (value !== null && !ID.test(value)) {
    throw invalid(key, `'${key}' must be 1-128 letters, digits, '_' or '-'.`);
  }
  return value;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") throw invalid(key, `'${key}' must be a boolean.`);
  return value;
}

function readConversation(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const id = isObject(value) ? value.id : value;
  if (typeof id !== "string" || !ID.test(id)) {
    throw invalid("conversation", "'conversation' must be a conversation id or an object with an 'id'.");
  }
  return id;
}

/** Validated like the platform's agent server: `type` must be "agent_reference" and `name` non-empty. */
function readAgentReference(value: unknown): AgentReference | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalid("agent_reference", "'agent_reference' must be an object.");
  if (value.type !== "agent_reference") {
    throw invalid("agent_reference.type", "'agent_reference.type' must be 'agent_reference'.");
  }
  if (typeof value.name !== "string" || value.name.trim() === "") {
    throw invalid("agent_reference.name", "'agent_reference.name' must be a non-empty string.");
  }
  if (value.version !== undefined && typeof value.version !== "string") {
    throw invalid("agent_reference.version", "'agent_reference.version' must be a string.");
  }
  return {
    type: "agent_reference",
    name: value.name,
    ...(value.version === undefined ? {} : { version: value.version }),
  };
}

function readMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.keys(value).length > 16) {
    throw invalid("metadata", "'metadata' must be an object with at most 16 string values.");
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string" || key.length > 64 || v.length > 512) {
      throw invalid(`metadata.${key}`, "Metadata keys are at most 64 and values at most 512 characters.");
    }
  }
  return value as Record<string, string>;
}

const ROLES = new Set(["user", "assistant", "system", "developer"]);
const PARTS = new Set(["input_text", "output_text", "input_image", "input_file", "refusal"]);

/**
 * `input` as a string, or an array of items: messages (text, images, files), the client's own
 * function calls with their outputs (a replayed tool loop), and `item_reference`s to items this server
 * already has. Items only a service's own tools make are refused: this agent never made them.
 */
function readInput(value: unknown): Item[] {
  if (typeof value === "string") return [message("user", [{ type: "input_text", text: value }])];
  if (!Array.isArray(value)) throw invalid("input", "'input' must be a string or an array of items.");
  if (value.length === 0) throw invalid("input", "'input' must hold at least one item.");
  return value.map((item, i) => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw invalid(param, `'${param}' must be an object.`);
    const type = item.type ?? "message";
    if (type === "message") return readMessage(item, param);
    if (type === "function_call") {
      for (const key of ["call_id", "name", "arguments"]) {
        if (typeof item[key] !== "string")
          throw invalid(`${param}.${key}`, `'${param}.${key}' must be a string.`);
      }
      return {
        type,
        id: typeof item.id === "string" ? item.id : newId("fc"),
        status: "completed",
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
      };
    }
    if (type === "function_call_output") {
      if (typeof item.call_id !== "string")
        throw invalid(`${param}.call_id`, `'${param}.call_id' must be a string.`);
      if (typeof item.output !== "string" && !Array.isArray(item.output)) {
        throw invalid(`${param}.output`, `'${param}.output' must be a string or content parts.`);
      }
      return {
        type,
        id: typeof item.id === "string" ? item.id : newId("fco"),
        call_id: item.call_id,
        output: item.output,
      };
    }
    if (type === "item_reference") {
      if (typeof item.id !== "string")
        throw invalid(`${param}.id`, `'${param}.id' must name the item referenced.`);
      return { type, id: item.id };
    }
    throw invalid(
      `${param}.type`,
      `This agent accepts messages, function_call, function_call_output and item_reference items, not '${String(type)}'.`,
    );
  });
}

function readMessage(item: Record<string, unknown>, param: string): Item {
  if (typeof item.role !== "string" || !ROLES.has(item.role)) {
    throw invalid(`${param}.role`, `'${param}.role' must be one of user, assistant, system, developer.`);
  }
  const content = item.content;
  if (typeof content === "string") {
    return message(item.role, [
      item.role === "assistant" ? outputText(content) : { type: "input_text", text: content },
    ]);
  }
  if (!Array.isArray(content)) {
    throw invalid(`${param}.content`, `'${param}.content' must be a string or an array of parts.`);
  }
  const parts = content.map((part, j) => {
    const where = `${param}.content[${j}]`;
    if (!isObject(part) || !PARTS.has(String(part.type))) {
      throw invalid(where, `'${where}' must be an input_text, input_image or input_file part.`);
    }
    if ((part.type === "input_text" || part.type === "output_text") && typeof part.text !== "string") {
      throw invalid(`${where}.text`, `'${where}.text' must be a string.`);
    }
    if (
      part.type === "input_image" &&
      typeof part.image_url !== "string" &&
      typeof part.file_id !== "string"
    ) {
      throw invalid(where, `'${where}' needs an 'image_url' or a 'file_id'.`);
    }
    return part;
  });
  return message(item.role, parts, typeof item.id === "string" ? item.id : undefined);
}

function message(role: string, content: unknown[], id = newId("msg")): Item {
  return { type: "message", id, role, status: "completed", content };
}

/** The text of a message item (its text parts joined); "" for anything else. */
export function textOf(item: Item): string {
  if (item.type !== "message" || !Array.isArray(item.content)) return "";
  return item.content
    .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** Ids in the agent server's format: `caresp_` and lowercase letters and digits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(25).toString("hex")}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function outputMessage(id: string, text: string, status: "in_progress" | "completed" | "incomplete") {
  return {
    id,
    type: "message" as const,
    role: "assistant" as const,
    status,
    content: status === "in_progress" ? [] : [outputText(text)],
  };
}

export const outputText = (text: string) => ({
  type: "output_text" as const,
  text,
  annotations: [],
  logprobs: [],
});
