/**
 * Reads a `POST /responses` body into a resolved turn: which agent and deployment serve it, the
 * instructions and tools, the history the model sees (conversation items or the previous-response chain)
 * and this turn's new input. Every problem becomes the 4xx the service would send, before any output.
 */

import type { App } from "./context.ts";
import { ApiError, invalidPayload, invalidValue, notFound } from "./errors.ts";
import { normalizeItem } from "./items.ts";
import { readSettings, type Settings } from "./response-settings.ts";
import { agentNotFound } from "./routes/agents.ts";
import { conversationNotFound } from "./routes/conversations.ts";
import type { AgentVersion } from "./stores/agents.ts";
import {
  isObject,
  type Json,
  optionalArray,
  optionalBoolean,
  optionalMetadata,
  optionalObject,
  optionalString,
} from "./validate.ts";

export interface Turn {
  agent: AgentVersion | undefined;
  agentReference: { type: "agent_reference"; name: string; version: string } | null;
  deployment: string;
  instructions: string | null;
  tools: Json[];
  input: Json[];
  history: Json[];
  conversationId: string | null;
  previousResponseId: string | null;
  metadata: Record<string, string>;
  store: boolean;
  stream: boolean;
  toolChoice: Json | string;
  include: string[];
  /** Run after the request is answered (`queued`, then `in_progress`, then done); needs `store`. */
  background: boolean;
  /** The sampling and bookkeeping parameters the response object echoes. */
  settings: Settings;
}

/** `pathAgent` is the agent named in `/agents/{name}/endpoint/protocols/openai/responses`. */
export function readTurn(app: App, body: Json, pathAgent: string | undefined): Turn {
  if (body.agent !== undefined) {
    throw invalidPayload("agent", "The 'agent' property is deprecated. Use 'agent_reference' instead.");
  }
  const settings = readSettings(body);
  const agent = resolveAgent(app, body, pathAgent);
  if (agent !== undefined) refuseAgentOwnedFields(body);
  checkTools(body);
  const definition = agent?.definition;
  const deployment =
    agent === undefined ? optionalString(body, "model") : optionalString(definition ?? {}, "model");
  if (deployment === undefined || deployment === "") {
    if (agent !== undefined)
      throw invalidValue("agent_reference", `Agent '${agent.name}' has no model deployment to run on.`);
    throw invalidPayload("model", "'model' is required when no 'agent_reference' is given.");
  }
  if (!app.deployments.includes(deployment)) {
    throw new ApiError(
      404,
      "DeploymentNotFound",
      `The API deployment '${deployment}' does not exist in this project. Deployments here: ${app.deployments.join(", ")}.`,
    );
  }
  const conversationId = readConversationId(body);
  const previousResponseId = optionalString(body, "previous_response_id") ?? null;
  if (conversationId !== null && previousResponseId !== null) {
    throw invalidPayload(
      "previous_response_id",
      "Provide either 'conversation' or 'previous_response_id', not both.",
    );
  }
  const include = optionalArray(body, "include");
  if (include?.some((value) => typeof value !== "string")) {
    throw invalidPayload("include", "'include' must be an array of strings.");
  }
  const toolChoice = body.tool_choice ?? "auto";
  if (
    !(typeof toolChoice === "string" && ["auto", "none", "required"].includes(toolChoice)) &&
    !isObject(toolChoice)
  ) {
    throw invalidValue("tool_choice", '\'tool_choice\' must be "auto", "none", "required" or a tool object.');
  }
  const store = optionalBoolean(body, "store") ?? true;
  const background = optionalBoolean(body, "background") ?? false;
  if (background && !store) {
    throw invalidValue("background", "A background response must be stored: drop 'store: false'.");
  }
  const history = readHistory(app, conversationId, previousResponseId);
  const input = resolveReferences(app, history, readInput(body));
  requireToolOutputs(history, input);
  return {
    agent,
    agentReference:
      agent === undefined ? null : { type: "agent_reference", name: agent.name, version: agent.version },
    deployment,
    instructions: joinInstructions(
      optionalString(definition ?? {}, "instructions"),
      optionalString(body, "instructions"),
    ),
    tools: [...toolsOf(definition), ...toolsOf(body)].map(echoTool),
    input,
    history,
    conversationId,
    previousResponseId,
    metadata: optionalMetadata(body) ?? {},
    store,
    stream: optionalBoolean(body, "stream") ?? false,
    toolChoice,
    include: (include ?? []) as string[],
    background,
    settings,
  };
}

function resolveAgent(app: App, body: Json, pathAgent: string | undefined): AgentVersion | undefined {
  const ref = optionalObject(body, "agent_reference");
  if (ref === undefined && pathAgent === undefined) return undefined;
  const name = ref === undefined ? pathAgent : optionalString(ref, "name", "agent_reference.name");
  if (name === undefined || name === "") {
    throw invalidPayload("agent_reference.name", "'agent_reference.name' is required.");
  }
  if (ref !== undefined && ref.type !== undefined && ref.type !== "agent_reference") {
    throw invalidValue("agent_reference.type", "'agent_reference.type' must be 'agent_reference'.");
  }
  const version = ref === undefined ? undefined : optionalString(ref, "version", "agent_reference.version");
  if (version === undefined) {
    const latest = app.agents.latest(name);
    if (latest === undefined) throw agentNotFound(name);
    return latest;
  }
  const found = app.agents.getVersion(name, version);
  if (found !== undefined) return found;
  if (app.agents.latest(name) === undefined) throw agentNotFound(name);
  throw notFound(`Agent '${name}' has no version '${version}'.`, "agent_reference.version");
}

/**
 * Foundry: the agent's definition owns its tools, so a request that names an agent may not add or
 * steer them (400 "Not allowed when agent is specified.", microsoft/agent-framework #5087).
 */
export const AGENT_OWNED_FIELDS = ["tools", "tool_choice", "parallel_tool_calls"] as const;

function refuseAgentOwnedFields(body: Json): void {
  for (const field of AGENT_OWNED_FIELDS) {
    if (body[field] !== undefined) throw invalidPayload(field, "Not allowed when agent is specified.");
  }
}

/**
 * Items only the service makes (its own tools' calls, reasoning). Foundry refuses them as input with a
 * schema error (microsoft/agent-framework #5338): the history they belong to stays on the server, reached
 * through `conversation` or `previous_response_id`.
 */
export const SERVER_OUTPUT_ITEMS = new Set([
  "reasoning",
  "web_search_call",
  "file_search_call",
  "code_interpreter_call",
  "image_generation_call",
  "mcp_list_tools",
  "mcp_call",
  "mcp_approval_request",
]);

function readConversationId(body: Json): string | null {
  const value = body.conversation;
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && value !== "") return value;
  if (isObject(value) && typeof value.id === "string" && value.id !== "") return value.id;
  throw invalidPayload("conversation", "'conversation' must be a conversation id or an object with an 'id'.");
}

function readInput(body: Json): Json[] {
  const input = body.input;
  if (input === undefined || input === null) return [];
  if (typeof input === "string")
    return [normalizeItem({ type: "message", role: "user", content: input }, "input")];
  if (!Array.isArray(input)) throw invalidPayload("input", "'input' must be a string or an array of items.");
  return input.map((item, i) => {
    if (isObject(item) && SERVER_OUTPUT_ITEMS.has(String(item.type))) {
      throw invalidPayload(
        "/",
        `The provided data does not match the expected schema: input[${i}] is a ${String(item.type)} item, which only the service makes; let 'conversation' or 'previous_response_id' carry it.`,
      );
    }
    return normalizeItem(item, `input[${i}]`);
  });
}

/** What the model sees before this turn's input: the conversation so far, or the previous chain. */
function readHistory(app: App, conversationId: string | null, previousResponseId: string | null): Json[] {
  if (conversationId !== null) {
    if (app.conversations.get(conversationId) === undefined)
      throw conversationNotFound(conversationId, "conversation");
    return app.conversations.listItems(conversationId);
  }
  if (previousResponseId !== null) {
    const thread = app.responses.thread(previousResponseId);
    if (thread === undefined) {
      throw notFound(`Previous response with id '${previousResponseId}' not found.`, "previous_response_id");
    }
    return thread;
  }
  return [];
}

function toolsOf(source: Json | undefined): Json[] {
  const tools = source?.tools;
  return Array.isArray(tools) ? tools.filter(isObject) : [];
}

/** Request tools (allowed without an agent): objects with a `type`; a function tool needs its `name`. */
function checkTools(body: Json): void {
  const tools = optionalArray(body, "tools") ?? [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.type !== "string") {
      throw invalidPayload(`tools[${i}].type`, `'tools[${i}]' must be a tool object with a 'type'.`);
    }
    if (tool.type === "function" && (typeof tool.name !== "string" || !/^[\w-]{1,64}$/.test(tool.name))) {
      throw invalidPayload(
        `tools[${i}].name`,
        `'tools[${i}].name' must be 1-64 letters, digits, '_' or '-'.`,
      );
    }
  }
}

/** Function tools are echoed whole, as the service does: `strict` defaults to true in Responses. */
function echoTool(tool: Json): Json {
  if (tool.type !== "function") return tool;
  return { description: null, parameters: null, ...tool, strict: tool.strict ?? true };
}

/**
 * `item_reference` points at an item the service already has (the AI SDK sends one for each earlier
 * assistant message instead of its text): it is replaced by that item, from this thread or any stored
 * response, so the model sees the real thing.
 */
function resolveReferences(app: App, history: Json[], input: Json[]): Json[] {
  return input.map((item, i) => {
    if (item.type !== "item_reference") return item;
    if (typeof item.id !== "string" || item.id === "") {
      throw invalidPayload(`input[${i}].id`, `'input[${i}].id' must name the item referenced.`);
    }
    const found = history.find((earlier) => earlier.id === item.id) ?? app.responses.findOutputItem(item.id);
    if (found === undefined) {
      throw notFound(`Item with id '${item.id}' not found.`, `input[${i}].id`);
    }
    return found;
  });
}

function joinInstructions(agent: string | undefined, request: string | undefined): string | null {
  const parts = [agent, request].filter((part): part is string => part !== undefined && part !== "");
  return parts.length === 0 ? null : parts.join("\n\n");
}

/**
 * Like the service: once a response asked for function calls, the next request in that thread must carry
 * an output for every call before anything else, or the model would see a question it never answered.
 */
function requireToolOutputs(history: Json[], input: Json[]): void {
  for (const [i, item] of input.entries()) {
    if (
      item.type === "function_call_output" &&
      (typeof item.call_id !== "string" || !(typeof item.output === "string" || Array.isArray(item.output)))
    ) {
      throw invalidPayload(
        `input[${i}]`,
        `'input[${i}]' needs a string 'call_id' and an 'output' (a string or content parts).`,
      );
    }
  }
  const thread = [...history, ...input];
  const calls = new Set(thread.filter((i) => i.type === "function_call").map((i) => String(i.call_id)));
  for (const [i, item] of input.entries()) {
    if (item.type === "function_call_output" && !calls.has(String(item.call_id))) {
      throw invalidValue(
        `input[${i}].call_id`,
        `No tool call found for function call output with call_id ${String(item.call_id)}.`,
      );
    }
  }
  const answered = new Set(
    thread.filter((i) => i.type === "function_call_output").map((i) => String(i.call_id)),
  );
  const pending = history.filter((i) => i.type === "function_call" && !answered.has(String(i.call_id)));
  const first = pending[0];
  if (first !== undefined) {
    throw invalidValue("input", `No tool output found for function call ${String(first.call_id)}.`);
  }
}
