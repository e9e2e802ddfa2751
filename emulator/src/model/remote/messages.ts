/**
 * The Foundry history as Chat Completions messages: the agent's instructions as the system message, each
 * message item in its role, each tool call (the client's function calls, and the server-side tools the
 * emulator ran: file search, web search, code interpreter, MCP) as an assistant `tool_calls` entry
 * followed by its `tool` result. The protocol wants every tool call answered before the next message, so
 * calls the history left unanswered (an approval never given) get a short "not run" result. A user
 * message's images (`input_image`: a URL, a data URL, or a file the emulator stores) become `image_url`
 * parts, and its files (`input_file`) their text, where they are text.
 */

import { textOf } from "../../items.ts";
import type { FileStore } from "../../stores/files.ts";
import { decodeText } from "../../stores/vector-stores.ts";
import { isObject, type Json } from "../../validate.ts";
import type { ChatMessage, ChatPart } from "./chat-client.ts";
import { BUILT_IN, mcpFunctionName } from "./tool-names.ts";

/** Small models read a few thousand tokens: a file's text is cut here, saying so. */
const MAX_FILE_CHARS = 12_000;

export function toMessages(instructions: string | null, items: Json[], files?: FileStore): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions) messages.push({ role: "system", content: instructions });
  const call = (id: string, name: string, args: string) => {
    const last = messages[messages.length - 1];
    const entry = { id, type: "function" as const, function: { name, arguments: args } };
    // Parallel calls of one step share one assistant message.
    if (last?.role === "assistant" && last.tool_calls !== undefined && last.content === null) {
      last.tool_calls.push(entry);
    } else {
      messages.push({ role: "assistant", content: null, tool_calls: [entry] });
    }
  };
  const result = (id: string, content: string) => messages.push({ role: "tool", tool_call_id: id, content });

  for (const item of items) {
    const id = String(item.id);
    switch (item.type) {
      case "message": {
        const role = item.role === "assistant" ? "assistant" : item.role === "user" ? "user" : "system";
        messages.push({ role, content: role === "user" ? userContent(item, files) : textOf(item) });
        break;
      }
      case "function_call":
        call(String(item.call_id), String(item.name), String(item.arguments ?? "{}"));
        break;
      case "function_call_output":
        result(String(item.call_id), String(item.output));
        break;
      case "file_search_call": {
        const queries = Array.isArray(item.queries) ? item.queries.map(String) : [];
        call(id, BUILT_IN.file_search, JSON.stringify({ query: queries[0] ?? "" }));
        const results = Array.isArray(item.results) ? item.results.filter(isObject) : [];
        result(
          id,
          results.length > 0
            ? results.map((r) => `${String(r.filename)}: ${String(r.text)}`).join("\n\n")
            : "(the passages found are not kept in the history)",
        );
        break;
      }
      case "web_search_call": {
        const action = isObject(item.action) ? item.action : {};
        call(id, BUILT_IN.web_search, JSON.stringify({ query: String(action.query ?? "") }));
        const sources = Array.isArray(action.sources) ? action.sources.filter(isObject) : [];
        result(
          id,
          sources.length > 0
            ? `Pages found: ${sources.map((s) => String(s.url)).join(", ")}`
            : "(the pages found are not kept in the history)",
        );
        break;
      }
      case "code_interpreter_call": {
        call(id, BUILT_IN.code_interpreter, JSON.stringify({ code: String(item.code ?? "") }));
        const logs = Array.isArray(item.outputs)
          ? item.outputs.filter(isObject).map((o) => String(o.logs ?? ""))
          : [];
        result(id, `status: ${String(item.status)}${logs.length > 0 ? `\n${logs.join("\n")}` : ""}`);
        break;
      }
      case "mcp_approval_request":
        call(id, mcpFunctionName(String(item.server_label), String(item.name)), String(item.arguments));
        break;
      case "mcp_approval_response":
        if (item.approve !== true) {
          const reason = typeof item.reason === "string" ? item.reason.trim() : "";
          result(
            String(item.approval_request_id),
            reason ? `This call was not run: ${reason}` : "The user declined this call, so it was not run.",
          );
        }
        break;
      case "mcp_call": {
        const requestId = typeof item.approval_request_id === "string" ? item.approval_request_id : null;
        if (requestId === null) {
          call(id, mcpFunctionName(String(item.server_label), String(item.name)), String(item.arguments));
        }
        result(
          requestId ?? id,
          item.error === null || item.error === undefined
            ? String(item.output ?? "")
            : `error: ${String(item.error)}`,
        );
        break;
      }
      default:
        // mcp_list_tools, reasoning and other items carry nothing the model must answer.
        break;
    }
  }
  return answered(messages);
}

/** The text alone (as most servers like it best), or the parts when the message holds an image or a file. */
function userContent(item: Json, files: FileStore | undefined): string | ChatPart[] {
  const parts = Array.isArray(item.content) ? item.content.filter(isObject) : [];
  if (!parts.some((p) => p.type === "input_image" || p.type === "input_file")) return textOf(item);
  return parts.flatMap((part): ChatPart[] => {
    if (typeof part.text === "string") return [{ type: "text", text: part.text }];
    if (part.type === "input_image") return [imagePart(part, files)];
    if (part.type === "input_file") return [filePart(part, files)];
    return [];
  });
}

function imagePart(part: Json, files: FileStore | undefined): ChatPart {
  const detail = typeof part.detail === "string" && part.detail !== "auto" ? { detail: part.detail } : {};
  if (typeof part.image_url === "string")
    return { type: "image_url", image_url: { url: part.image_url, ...detail } };
  const stored = storedFile(part, files);
  if (typeof stored === "string") return { type: "text", text: stored };
  const url = imageUrl(stored.bytes);
  return url === undefined
    ? {
        type: "text",
        text: `(The file ${stored.name} is not an image the model can see: PNG, JPEG, GIF or WebP.)`,
      }
    : { type: "image_url", image_url: { url, ...detail } };
}

function filePart(part: Json, files: FileStore | undefined): ChatPart {
  let file: { name: string; bytes: Uint8Array } | string;
  if (typeof part.file_data === "string") {
    const base64 = part.file_data.replace(/^data:[^,]*;base64,/, "");
    file = {
      name: typeof part.filename === "string" ? part.filename : "the file",
      bytes: Buffer.from(base64, "base64"),
    };
  } else if (typeof part.file_url === "string") {
    return { type: "text", text: `(A file at ${part.file_url}, which the emulator does not download.)` };
  } else file = storedFile(part, files);
  if (typeof file === "string") return { type: "text", text: file };
  const url = imageUrl(file.bytes);
  if (url !== undefined) return { type: "image_url", image_url: { url } };
  const text = decodeText(file.bytes);
  if (text === undefined) {
    return {
      type: "text",
      text: `(The file ${file.name} is not text, and the emulator gives a local model only text files and images.)`,
    };
  }
  const cut =
    text.length > MAX_FILE_CHARS ? `${text.slice(0, MAX_FILE_CHARS)}\n(… the rest of the file is cut)` : text;
  return { type: "text", text: `The file ${file.name}:\n${cut}` };
}

/** A part's `file_id` as the emulator stores it, or a note for the model when it is not there (any more). */
function storedFile(part: Json, files: FileStore | undefined): { name: string; bytes: Uint8Array } | string {
  const id = String(part.file_id ?? "");
  const bytes = files?.content(id);
  const meta = files?.get(id);
  if (bytes === undefined || meta === undefined)
    return `(The file ${id || "(no id)"} is not stored any more.)`;
  return { name: meta.filename, bytes };
}

/** The image types vision models take, by their first bytes (a file's name may lie). */
const IMAGE_TYPES: Array<[string, (head: Buffer) => boolean]> = [
  ["image/png", (head) => head.subarray(0, 8).equals(Buffer.from("\x89PNG\r\n\x1a\n", "latin1"))],
  ["image/jpeg", (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff],
  ["image/gif", (head) => head.subarray(0, 4).toString("latin1") === "GIF8"],
  [
    "image/webp",
    (head) =>
      head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP",
  ],
];

/** A data URL for image bytes, or undefined when they are no image a model takes. */
function imageUrl(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 12));
  const type = IMAGE_TYPES.find(([, matches]) => matches(head))?.[0];
  return type === undefined ? undefined : `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;
}

/** Every assistant tool call followed by exactly one result, and no result without its call. */
function answered(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: string[] = [];
  const close = () => {
    for (const id of pending) out.push({ role: "tool", tool_call_id: id, content: "(not run)" });
    pending = [];
  };
  for (const message of messages) {
    if (message.role === "tool") {
      const at = pending.indexOf(String(message.tool_call_id));
      if (at < 0) continue;
      pending.splice(at, 1);
      out.push(message);
      continue;
    }
    close();
    out.push(message);
    if (message.tool_calls !== undefined) pending = message.tool_calls.map((c) => c.id);
  }
  close();
  return out;
}
