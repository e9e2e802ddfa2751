/**
 * File search, as the lab model does it. With a `file_search` tool it searches the tool's vector stores
 * for the user's question (the emulator's real BM25 index, see retrieval/fts.ts), emits a
 * `file_search_call` (with `results` only when `include` asks for `file_search_call.results`), and
 * answers by quoting the best sentences of the best passages, each followed by a `file_citation`.
 * It never writes an answer of its own: every sentence after the first line comes from the files.
 */
import { newId } from "../../ids.ts";
import { bestSentences } from "../../retrieval/fts.ts";
import { vectorStoreNotFound } from "../../routes/vector-stores.ts";
import type { Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { Skill } from "../types.ts";
import { requireAvailable } from "./availability.ts";

const SMALL_TALK = /^\s*(?:hi|hello|hey|thanks|thank you|ok|okay|bye)\b[\s!.,]*$/i;

export const fileSearch: Skill = (request, turn) => {
  const tool = request.tools.find((t) => t.type === "file_search");
  if (tool === undefined || request.toolChoice === "none") return undefined;
  if (turn.sinceUser.length > 0 || turn.current.trim() === "" || SMALL_TALK.test(turn.current))
    return undefined;
  requireAvailable("file_search");
  const ids = Array.isArray(tool.vector_store_ids) ? tool.vector_store_ids.map(String) : [];
  for (const id of ids) {
    if (!request.app.vectorStores.exists(id)) throw vectorStoreNotFound(id, "tools.vector_store_ids");
  }
  const max = typeof tool.max_num_results === "number" ? tool.max_num_results : 10;
  const query = turn.current.trim();
  const hits = ids
    .flatMap((id) => request.app.vectorStores.search(id, query, max).map((hit) => ({ ...hit, store: id })))
    .sort((a, b) => b.score - a.score)
    .slice(0, max);
  const call: Json = {
    id: newId("fs"),
    type: "file_search_call",
    status: "completed",
    queries: [query],
    results: request.include.includes("file_search_call.results")
      ? hits.map((hit) => ({
          file_id: hit.fileId,
          filename: hit.filename,
          score: hit.score,
          text: hit.text,
          attributes: request.app.vectorStores.getFile(hit.store, hit.fileId)?.attributes ?? {},
        }))
      : null,
  };
  const top = hits[0];
  if (top === undefined) {
    return [
      call,
      assistantMessage(
        `File search found nothing in the attached files that matches "${query}". I'm the offline lab model, so I can only quote the files: try the words the document itself uses.`,
        [],
      ),
    ];
  }
  // The passages close to the best one (at most three), each quoted by its best sentences.
  const quoted = hits.filter((hit) => hit.score >= top.score * 0.6).slice(0, 3);
  const names = [...new Set(quoted.map((hit) => hit.filename))].join(", ");
  let text = `From ${names} (the offline lab model quotes the passages file search found; it writes no answer of its own):\n`;
  const annotations: Json[] = [];
  for (const hit of quoted) {
    text += `\n- ${bestSentences(hit.text, query).join(" ")}`;
    annotations.push({
      type: "file_citation",
      file_id: hit.fileId,
      filename: hit.filename,
      index: text.length,
    });
  }
  return [call, assistantMessage(text, annotations)];
};
