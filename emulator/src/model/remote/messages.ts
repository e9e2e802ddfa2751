/**
 * The Foundry history as Chat Completions messages: the agent's instructions as the system message, each
 * message item in its role, each tool call (the client's function calls, and the server-side tools the
 * emulator ran: file search, web search, code interpreter, MCP) as an assistant `tool_calls` entry
 * followed by its `tool` result. The protocol wants every tool call answered before the next message, so
 * calls the history left unanswered (an approval never given) get a short "not run" result.
 */
import { textOf } from "../../items.ts";
import { isObject, type Json } from "../../validate.ts";
import type { ChatMessage } from "./chat-client.ts";
import { BUILT_IN, mcpFunctionName } from "./tool-names.ts";

export function toMessages(instructions: string | null, items: Json[]): ChatMessage[] {
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
        messages.push({ role, content: textOf(item) });
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
