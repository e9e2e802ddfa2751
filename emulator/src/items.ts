/**
 * Conversation and response items. Callers may send the short forms the SDKs allow (`{role, content:"hi"}`,
 * a bare string input); they are stored in the long form the service returns, so every reader (the lab
 * model, item lists, input_items) sees one shape. Unknown item types are kept as sent: later features
 * (tool calls and their outputs) travel through here untouched.
 */
import { invalidPayload, invalidValue } from "./errors.ts";
import { newId } from "./ids.ts";
import { isObject, type Json } from "./validate.ts";

const ROLES = new Set(["user", "assistant", "system", "developer"]);

/** Id prefixes the service uses per item type; anything else gets a generic one. */
const PREFIX: Record<string, string> = {
  message: "msg",
  function_call: "fc",
  function_call_output: "fco",
  mcp_approval_response: "mcpr",
};

export function normalizeItem(raw: unknown, param: string): Json {
  if (!isObject(raw)) throw invalidPayload(param, `'${param}' must be an object.`);
  const type = raw.type ?? (raw.role !== undefined ? "message" : undefined);
  if (typeof type !== "string" || type === "") {
    throw invalidPayload(`${param}.type`, `'${param}.type' is required.`);
  }
  if (type !== "message")
    return { ...raw, type, id: typeof raw.id === "string" ? raw.id : newId(prefixOf(type)) };
  const role = raw.role;
  if (typeof role !== "string" || !ROLES.has(role)) {
    throw invalidValue(`${param}.role`, `'${param}.role' must be one of user, assistant, system, developer.`);
  }
  return {
    type: "message",
    id: typeof raw.id === "string" ? raw.id : newId("msg"),
    status: typeof raw.status === "string" ? raw.status : "completed",
    role,
    content: normalizeContent(raw.content, role, `${param}.content`),
  };
}

export function prefixOf(type: string): string {
  return PREFIX[type] ?? "item";
}

function normalizeContent(content: unknown, role: string, param: string): Json[] {
  if (typeof content === "string") {
    return role === "assistant"
      ? [{ type: "output_text", text: content, annotations: [] }]
      : [{ type: "input_text", text: content }];
  }
  if (!Array.isArray(content)) {
    throw invalidPayload(param, `'${param}' must be a string or an array of content parts.`);
  }
  return content.map((part, i) => {
    if (!isObject(part) || typeof part.type !== "string") {
      throw invalidPayload(`${param}[${i}]`, `'${param}[${i}]' must be a content part with a 'type'.`);
    }
    if ((part.type === "input_text" || part.type === "output_text") && typeof part.text !== "string") {
      throw invalidPayload(`${param}[${i}].text`, `'${param}[${i}].text' must be a string.`);
    }
    return part;
  });
}

/** The plain text of a message item (its text parts joined); "" for other items. */
export function textOf(item: Json): string {
  if (item.type !== "message" || !Array.isArray(item.content)) return "";
  return item.content
    .map((part: unknown) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
    .filter((text: string) => text !== "")
    .join("\n");
}
