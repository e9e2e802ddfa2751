/**
 * Turns planned output items into their streaming events. Each item type has an emitter; a message
 * streams its text in small deltas, and any type without its own emitter is announced whole
 * (`output_item.added` then `output_item.done`). Later tool types (function_call, web_search_call,
 * mcp_call …) add an emitter here with their own events; nothing else changes.
 */
import type { SseWriter } from "./sse.ts";
import { emitCodeInterpreterCall } from "./stream-code-interpreter.ts";
import { isObject, type Json } from "./validate.ts";

/** Emits one item's events and returns the item as far as it was delivered (partial when aborted). */
export type ItemEmitter = (sse: SseWriter, item: Json, outputIndex: number) => Promise<Json>;

const EMITTERS: Record<string, ItemEmitter> = {
  message: emitMessage,
  function_call: emitFunctionCall,
  file_search_call: emitSearchCall("file_search_call"),
  web_search_call: emitSearchCall("web_search_call"),
  code_interpreter_call: emitCodeInterpreterCall,
  mcp_list_tools: emitMcpListTools,
  mcp_call: emitMcpCall,
};

export function emitItem(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const emitter = EMITTERS[String(item.type)] ?? emitWhole;
  return emitter(sse, item, outputIndex);
}

async function emitWhole(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const pending = "status" in item ? { ...item, status: "in_progress" } : item;
  sse.send({ type: "response.output_item.added", output_index: outputIndex, item: pending });
  await sse.pause();
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}

async function emitMessage(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const parts = Array.isArray(item.content) ? item.content.filter(isObject) : [];
  const base = { type: "response.output_item.added", output_index: outputIndex };
  sse.send({ ...base, item: { ...item, status: "in_progress", content: [] } });
  const delivered: Json[] = [];
  for (const [contentIndex, part] of parts.entries()) {
    const where = { item_id: item.id, output_index: outputIndex, content_index: contentIndex };
    if (part.type !== "output_text" || typeof part.text !== "string") {
      sse.send({ type: "response.content_part.added", ...where, part });
      sse.send({ type: "response.content_part.done", ...where, part });
      delivered.push(part);
      continue;
    }
    sse.send({ type: "response.content_part.added", ...where, part: { ...part, text: "", annotations: [] } });
    // Citations go out as `annotation.added` once the text they point at has been sent.
    const annotations = Array.isArray(part.annotations) ? part.annotations.filter(isObject) : [];
    let announced = 0;
    const announce = (upTo: number) => {
      for (; announced < annotations.length && citedPosition(annotations[announced]) <= upTo; announced++) {
        const annotation = annotations[announced];
        sse.send({
          type: "response.output_text.annotation.added",
          ...where,
          annotation_index: announced,
          annotation,
        });
      }
    };
    let sent = "";
    for (const chunk of chunks(part.text, annotations.map(citedPosition))) {
      if (sse.aborted) break;
      sse.send({ type: "response.output_text.delta", ...where, delta: chunk, logprobs: [] });
      sent += chunk;
      announce(sent.length);
      await sse.pause();
    }
    if (!sse.aborted) announce(Number.POSITIVE_INFINITY);
    if (sse.aborted) {
      delivered.push({ ...part, text: sent });
      return { ...item, status: "incomplete", content: delivered };
    }
    sse.send({ type: "response.output_text.done", ...where, text: part.text, logprobs: [] });
    sse.send({ type: "response.content_part.done", ...where, part });
    delivered.push(part);
  }
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}

/** A word or two per delta, whitespace kept, so the deltas join back to the exact text. */
export function chunks(text: string, cutAt: number[] = []): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 2) out.push(words.slice(i, i + 2).join(""));
  if (cutAt.length === 0) return out;
  // A citation's position also ends a delta, so its marker can follow the exact text it cites.
  const cut: string[] = [];
  let offset = 0;
  for (const chunk of out) {
    let start = 0;
    for (const at of [...new Set(cutAt)].sort((a, b) => a - b)) {
      if (at > offset + start && at < offset + chunk.length) {
        cut.push(chunk.slice(start, at - offset));
        start = at - offset;
      }
    }
    cut.push(chunk.slice(start));
    offset += chunk.length;
  }
  return cut;
}

/** A function call streams its JSON arguments, then announces them whole. */
async function emitFunctionCall(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const args = typeof item.arguments === "string" ? item.arguments : "";
  sse.send({
    type: "response.output_item.added",
    output_index: outputIndex,
    item: { ...item, status: "in_progress", arguments: "" },
  });
  const where = { item_id: item.id, output_index: outputIndex };
  for (const piece of args.match(/[\s\S]{1,24}/g) ?? []) {
    if (sse.aborted) return { ...item, status: "incomplete" };
    sse.send({ type: "response.function_call_arguments.delta", ...where, delta: piece });
    await sse.pause();
  }
  sse.send({ type: "response.function_call_arguments.done", ...where, name: item.name, arguments: args });
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}

/** Where an annotation points in its text: the end of a url_citation's span, a file_citation's index. */
function citedPosition(annotation: Json | undefined): number {
  const at = annotation?.end_index ?? annotation?.index;
  return typeof at === "number" ? at : 0;
}

/** A server-side search (file search, web search): in_progress → searching → completed, then the item. */
function emitSearchCall(kind: "file_search_call" | "web_search_call"): ItemEmitter {
  return async (sse, item, outputIndex) => {
    sse.send({
      type: "response.output_item.added",
      output_index: outputIndex,
      item: { ...item, status: "in_progress", ...(kind === "file_search_call" ? { results: null } : {}) },
    });
    const where = { output_index: outputIndex, item_id: item.id };
    for (const phase of ["in_progress", "searching", "completed"]) {
      if (sse.aborted) return { ...item, status: "incomplete" };
      sse.send({ type: `response.${kind}.${phase}`, ...where });
      await sse.pause();
    }
    sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
    return item;
  };
}

/** Listing an MCP server's tools: in_progress, then completed or failed. */
async function emitMcpListTools(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const where = { item_id: item.id, output_index: outputIndex };
  sse.send({ type: "response.output_item.added", output_index: outputIndex, item: { ...item, tools: [] } });
  sse.send({ type: "response.mcp_list_tools.in_progress", ...where });
  await sse.pause();
  sse.send({
    type: item.error ? "response.mcp_list_tools.failed" : "response.mcp_list_tools.completed",
    ...where,
  });
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}

/** An MCP call: its arguments, then completed or failed with the server's output or error. */
async function emitMcpCall(sse: SseWriter, item: Json, outputIndex: number): Promise<Json> {
  const where = { item_id: item.id, output_index: outputIndex };
  const args = typeof item.arguments === "string" ? item.arguments : "";
  sse.send({
    type: "response.output_item.added",
    output_index: outputIndex,
    item: { ...item, status: "in_progress", arguments: "", output: null, error: null },
  });
  sse.send({ type: "response.mcp_call.in_progress", ...where });
  sse.send({ type: "response.mcp_call_arguments.delta", ...where, delta: args });
  sse.send({ type: "response.mcp_call_arguments.done", ...where, arguments: args });
  await sse.pause();
  sse.send({
    type: item.status === "failed" ? "response.mcp_call.failed" : "response.mcp_call.completed",
    ...where,
  });
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}
