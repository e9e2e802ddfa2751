/**
 * Demo 8 · the Responses contract, server side: reading a `POST /responses` body (every problem is an
 * OpenAI-style 400 naming the parameter), and the `response` object and item shapes a client expects.
 * The SDK's streaming helper is strict about them (ids that never change, `object: "response"`).
 */
import { randomBytes } from "node:crypto";
import type { ThreadMessage } from "./agent.ts";

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

/** A validated `POST /responses` body. */
export interface CreateRequest {
  input: ThreadMessage[];
  instructions: string | null;
  previousResponseId: string | null;
  conversationId: string | null;
  agentReference: AgentReference | null;
  sessionId: string | null;
  metadata: Record<string, string>;
  stream: boolean;
  store: boolean;
  background: boolean;
}

/**
 * Every parameter of OpenAI's CreateResponse is accepted (the SDK may send any of them); the ones this
 * agent does not use are ignored. Anything else is a typo or a wrong client, and gets a 400.
 */
const KNOWN = new Set([
  "input",
  "instructions",
  "previous_response_id",
  "conversation",
  "agent_reference",
  "agent_session_id",
  "metadata",
  "stream",
  "store",
  "background",
  "model",
  "include",
  "max_output_tokens",
  "max_tool_calls",
  "parallel_tool_calls",
  "prompt",
  "prompt_cache_key",
  "prompt_cache_retention",
  "reasoning",
  "safety_identifier",
  "service_tier",
  "stream_options",
  "temperature",
  "text",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "truncation",
  "user",
  "context_management",
]);

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
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) throw new ApiError(400, "unknown_parameter", `Unknown parameter: '${key}'.`, key);
  }
  const previousResponseId = optionalId(body, "previous_response_id");
  const conversationId = readConversation(body.conversation);
  if (previousResponseId && conversationId) {
    throw invalid(
      "previous_response_id",
      "Provide either 'conversation' or 'previous_response_id', not both.",
    );
  }
  const input = readInput(body.input);
  if (!input.some((m) => m.role === "user")) {
    throw invalid("input", "'input' must contain at least one user message.");
  }
  const instructions = optionalString(body, "instructions");
  return {
    input,
    instructions,
    previousResponseId,
    conversationId,
    agentReference: readAgentReference(body.agent_reference),
    sessionId: optionalId(body, "agent_session_id"),
    metadata: readMetadata(body.metadata),
    stream: optionalBoolean(body, "stream") ?? false,
    store: optionalBoolean(body, "store") ?? true,
    background: optionalBoolean(body, "background") ?? false,
  };
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

/** `input` as a string, or an array of message items with text content (this agent has no client tools). */
function readInput(value: unknown): ThreadMessage[] {
  if (typeof value === "string") return [{ role: "user", text: value }];
  if (!Array.isArray(value)) throw invalid("input", "'input' must be a string or an array of messages.");
  return value.map((item, i) => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw invalid(param, `'${param}' must be an object.`);
    if ((item.type ?? "message") !== "message") {
      throw invalid(`${param}.type`, `This agent accepts only message items, not '${String(item.type)}'.`);
    }
    if (typeof item.role !== "string" || !ROLES.has(item.role)) {
      throw invalid(`${param}.role`, `'${param}.role' must be one of user, assistant, system, developer.`);
    }
    return { role: item.role as ThreadMessage["role"], text: readText(item.content, `${param}.content`) };
  });
}

function readText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(param, `'${param}' must be a string or an array of parts.`);
  return content
    .map((part, i) => {
      const ok =
        isObject(part) &&
        (part.type === "input_text" || part.type === "output_text") &&
        typeof part.text === "string";
      if (!ok) throw invalid(`${param}[${i}]`, `'${param}[${i}]' must be an input_text part with a 'text'.`);
      return part.text as string;
    })
    .join("\n");
}

/** Ids in the agent server's format: `caresp_` and lowercase letters and digits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(25).toString("hex")}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Input items as `GET /responses/{id}/input_items` lists them. */
export function inputItem(message: ThreadMessage) {
  return {
    id: newId("msg"),
    type: "message" as const,
    role: message.role,
    status: "completed" as const,
    content: [{ type: "input_text" as const, text: message.text }],
  };
}

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
