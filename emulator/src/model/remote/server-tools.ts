/**
 * The agent's tools as the local model sees them, and the server-side ones run by the emulator itself.
 * Function tools pass through as they are (the client runs them). File search, web search, code
 * interpreter and each MCP server's tools become function tools too, but when the model calls one the
 * emulator runs it with its own runtimes (the vector stores' BM25 index, the offline web corpus, the
 * Python sandbox, the MCP client: mcp-tools.ts), records the same output item the lab model would
 * (`file_search_call`, `web_search_call`, `code_interpreter_call`, `mcp_call` or, when approval is
 * required, `mcp_approval_request`), and hands the model the result to answer from.
 */

import { badRequest, vectorStoreNotFound } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { runPython } from "../../sandbox/run.ts";
import type { ContainerFileObject } from "../../stores/containers.ts";
import { isObject, type Json } from "../../validate.ts";
import { requireAvailable } from "../skills/availability.ts";
import { containerFor } from "../skills/code-interpreter.ts";
import { fileSearchCall } from "../skills/file-search.ts";
import { searchCorpus } from "../skills/web-search.ts";
import type { ModelRequest } from "../types.ts";
import { pageTitle, pageUrl } from "../web/corpus.ts";
import type { ChatTool } from "./chat-client.ts";
import { mcpTools } from "./mcp-tools.ts";
import { BUILT_IN } from "./tool-names.ts";

/** What the answer may cite: numbered in the order the tools returned them, across the whole turn. */
export type Source =
  | { kind: "file"; fileId: string; filename: string }
  | { kind: "url"; url: string; title: string };

export interface ToolRun {
  /** The output item that records the call. */
  item: Json;
  /** What the model reads as the tool's result. */
  result: string;
  /** True when the response must end here (an MCP call waiting for approval). */
  awaitsApproval?: boolean;
  /** Files the code wrote, cited under the answer. */
  files?: ContainerFileObject[];
}

export interface TurnTools {
  /** Every tool, as Chat Completions function tools. */
  chat: ChatTool[];
  /** Names of the agent's own function tools: calls to them end the response for the client to run. */
  functions: Set<string>;
  /** The server-side tools by function name. */
  run: Map<string, (args: Json, sources: Source[]) => Promise<ToolRun>>;
  /** `mcp_list_tools` items for servers listed in this turn (the first in the thread), in order. */
  listings: Json[];
  /** The MCP servers of the agent, for approvals. */
  mcpServers: Json[];
}

/** Per passage or page: small models run with a context of a few thousand tokens (Ollama: 4k by default). */
const MAX_RESULT_CHARS = 1200;

export async function turnTools(request: ModelRequest): Promise<TurnTools> {
  const tools: TurnTools = { chat: [], functions: new Set(), run: new Map(), listings: [], mcpServers: [] };
  const builtIns = new Set<string>(Object.values(BUILT_IN));
  for (const tool of request.tools) {
    if (tool.type === "function" && typeof tool.name === "string") {
      if (
        builtIns.has(tool.name) &&
        request.tools.some((t) => String(t.type).startsWith(tool.name as string))
      ) {
        throw badRequest(
          "invalid_value",
          `The function tool '${tool.name}' has the name the emulator gives the built-in ${tool.name} tool for a local model; rename the function.`,
          "tools",
        );
      }
      tools.functions.add(tool.name);
      tools.chat.push({
        type: "function",
        function: {
          name: tool.name,
          ...(typeof tool.description === "string" ? { description: tool.description } : {}),
          parameters: isObject(tool.parameters) ? tool.parameters : { type: "object", properties: {} },
          ...(tool.strict === true ? { strict: true } : {}),
        },
      });
    } else if (tool.type === "file_search") fileSearch(request, tool, tools);
    else if (tool.type === "web_search" || tool.type === "web_search_preview")
      webSearch(request, tool, tools);
    else if (tool.type === "code_interpreter") codeInterpreter(request, tool, tools);
    else if (tool.type === "mcp" && typeof tool.server_label === "string") tools.mcpServers.push(tool);
  }
  if (tools.mcpServers.length > 0) await mcpTools(request, tools);
  return tools;
}

const query = (args: Json) => (typeof args.query === "string" ? args.query.trim() : "");

function fileSearch(request: ModelRequest, tool: Json, tools: TurnTools): void {
  requireAvailable("file_search");
  const ids = Array.isArray(tool.vector_store_ids) ? tool.vector_store_ids.map(String) : [];
  for (const id of ids) {
    if (!request.app.vectorStores.exists(id)) throw vectorStoreNotFound(id, "tools.vector_store_ids");
  }
  const max = typeof tool.max_num_results === "number" ? tool.max_num_results : 10;
  tools.chat.push(
    functionTool(
      BUILT_IN.file_search,
      "Search the documents attached to this agent. Returns numbered passages; cite the ones you use by their number in square brackets, like [1].",
      { query: "what to look for, in the documents' own words" },
    ),
  );
  tools.run.set(BUILT_IN.file_search, async (args, sources) => {
    const q = query(args);
    const hits = ids
      .flatMap((id) => request.app.vectorStores.search(id, q, max).map((hit) => ({ ...hit, store: id })))
      .sort((a, b) => b.score - a.score)
      .slice(0, max);
    const item = fileSearchCall(request, [q], hits);
    const lines = hits.slice(0, 4).map((hit) => {
      sources.push({ kind: "file", fileId: hit.fileId, filename: hit.filename });
      return `[${sources.length}] ${hit.filename}: ${clip(hit.text)}`;
    });
    return { item, result: lines.length > 0 ? lines.join("\n\n") : `No passage matches "${q}".` };
  });
}

function webSearch(request: ModelRequest, tool: Json, tools: TurnTools): void {
  requireAvailable(String(tool.type));
  tools.chat.push(
    functionTool(
      BUILT_IN.web_search,
      "Search the web (here: the emulator's offline corpus of pages). Returns numbered pages; cite the ones you use by their number in square brackets, like [1].",
      { query: "the search query" },
    ),
  );
  tools.run.set(BUILT_IN.web_search, async (args, sources) => {
    const q = query(args);
    const pages = searchCorpus(q);
    const action: Json = { type: "search", query: q };
    if (request.include.includes("web_search_call.action.sources")) {
      action.sources = pages.map((page) => ({ type: "url", url: pageUrl(page) }));
    }
    const lines = pages.map((page) => {
      sources.push({ kind: "url", url: pageUrl(page), title: pageTitle(page) });
      return `[${sources.length}] ${pageTitle(page)} (${pageUrl(page)}): ${clip(page.text)}`;
    });
    return {
      item: { id: newId("ws"), type: "web_search_call", status: "completed", action },
      result: lines.length > 0 ? lines.join("\n\n") : `No page matches "${q}".`,
    };
  });
}

function codeInterpreter(request: ModelRequest, tool: Json, tools: TurnTools): void {
  requireAvailable("code_interpreter");
  const spec = isObject(tool.container) ? tool.container : {};
  const inputs = (Array.isArray(spec.file_ids) ? spec.file_ids : [])
    .map((id) => request.app.files.get(String(id))?.filename)
    .filter((name) => name !== undefined);
  const attached = inputs.length > 0 ? ` The folder holds the user's files: ${inputs.join(", ")}.` : "";
  tools.chat.push(
    functionTool(
      BUILT_IN.code_interpreter,
      `Run Python 3 in a sandbox (no network) whose working folder is /mnt/data.${attached} Print what you need to see; files you write in the folder are given to the user.`,
      { code: "the Python code to run" },
    ),
  );
  tools.run.set(BUILT_IN.code_interpreter, async (args) => {
    const code = typeof args.code === "string" ? args.code : "";
    const container = containerFor(request.app, tool, request.items);
    const result = await runPython(code, request.app.containers.folder(container.id));
    const files = request.app.containers.collect(container.id);
    const logs = result.ok ? result.logs : `${result.logs}\nStopped: ${result.failure}.`;
    const item: Json = {
      id: newId("ci"),
      type: "code_interpreter_call",
      status: result.ok ? "completed" : "failed",
      container_id: container.id,
      code,
      outputs: request.include.includes("code_interpreter_call.outputs") ? [{ type: "logs", logs }] : null,
    };
    const wrote = files.length > 0 ? `\nFiles written: ${files.map((f) => f.path).join(", ")}` : "";
    return { item, result: `${clip(logs.trim() || "(nothing printed)", 4000)}${wrote}`, files };
  });
}

function functionTool(name: string, description: string, params: Record<string, string>): ChatTool {
  const properties = Object.fromEntries(
    Object.entries(params).map(([key, text]) => [key, { type: "string", description: text }]),
  );
  return {
    type: "function",
    function: {
      name,
      description,
      parameters: { type: "object", properties, required: Object.keys(params) },
    },
  };
}

function clip(text: string, max = MAX_RESULT_CHARS): string {
  const flat = text.trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
