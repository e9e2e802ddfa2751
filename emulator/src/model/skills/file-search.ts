/**
 * File search, as the lab model does it. With a `file_search` tool it searches the tool's vector stores
 * for the user's question (the emulator's real BM25 index, see retrieval/fts.ts), emits a
 * `file_search_call` (with `results` only when `include` asks for `file_search_call.results`), and
 * answers by quoting the sentences of the best passages that cover the question, each passage followed
 * by a `file_citation`. When no passage holds the question's key words it says the documents do not
 * cover it and quotes nothing. It never writes an answer of its own: every quoted sentence (a table row
 * as "column: value; …") comes from the files.
 */

import { vectorStoreNotFound } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { stem } from "../../retrieval/fts.ts";
import type { Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import { type Assessment, assess, type Hit, POOL, rewrite, widen } from "../parse/passages.ts";
import type { ModelRequest, Skill, TurnView } from "../types.ts";
import { requireAvailable } from "./availability.ts";

const SMALL_TALK = /^\s*(?:hi|hello|hey|thanks|thank you|ok|okay|bye)\b[\s!.,]*$/i;

interface Search {
  queries: string[];
  pool: Hit[];
  found: Assessment;
  max: number;
}

/** One search per request: `match` and the skill itself both read it. */
const searches = new WeakMap<ModelRequest, Search | undefined>();

function searchFor(request: ModelRequest, turn: TurnView): Search | undefined {
  if (searches.has(request)) return searches.get(request);
  const search = runSearch(request, turn);
  searches.set(request, search);
  return search;
}

function runSearch(request: ModelRequest, turn: TurnView): Search | undefined {
  const tool = request.tools.find((t) => t.type === "file_search");
  if (tool === undefined || request.toolChoice === "none") return undefined;
  if (turn.sinceUser.length > 0 || turn.current.trim() === "" || SMALL_TALK.test(turn.current))
    return undefined;
  const ids = Array.isArray(tool.vector_store_ids) ? tool.vector_store_ids.map(String) : [];
  for (const id of ids) {
    if (!request.app.vectorStores.exists(id)) throw vectorStoreNotFound(id, "tools.vector_store_ids");
  }
  const max = typeof tool.max_num_results === "number" ? tool.max_num_results : 10;
  const query = asTyped(turn.current);
  // One search serves both the results (the best `max`) and the pool the key words are weighed in.
  const search = (q: string): Hit[] =>
    ids
      .flatMap((id) =>
        request.app.vectorStores.search(id, q, Math.max(max, POOL)).map((hit) => ({ ...hit, store: id })),
      )
      .sort((a, b) => b.score - a.score);
  const queries = [query];
  let pool = search(query);
  let found = assess(query, pool, max);
  // Not covered, and a key word no passage has is one the lexicon relates to others ("fly" → flights):
  // search again with those words added, as a model rewrites its query; the call lists both queries.
  // So is a place the documents do not name ("from Spain" → abroad, another country).
  const rewritten = found.most < 0.5 ? rewrite(query, found.unknown, found.places) : undefined;
  if (rewritten !== undefined) {
    queries.push(rewritten);
    const again = search(rewritten);
    const second = assess(query, again, max);
    if (second.most >= 0.5) [pool, found] = [again, second];
  }
  // Half answered ("days of holiday" finds the public holidays, not annual leave): search again with the
  // lexicon's words for every key word, and keep what answers more of the question.
  // A question nothing covers stays uncovered: the wider words would find things it did not ask.
  const widened = found.most >= 0.5 && found.most < 1 ? widen(query) : undefined;
  if (widened !== undefined && !queries.includes(widened)) {
    const again = search(widened);
    const second = assess(query, again, max);
    if (second.most > found.most && second.most >= 0.5) {
      queries.push(widened);
      [pool, found] = [again, second];
    }
  }
  return { queries, pool, found, max };
}

/**
 * The question as it was meant when typed without apostrophes: "whats" is "what's", "dont" and "isn't"
 * are "do not" and "is not", so that no slip of a contraction counts as a word the documents lack.
 */
function asTyped(text: string): string {
  return text
    .trim()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\b(what|where|who|how|that|it|there)s\b/gi, "$1's")
    .replace(/\b(do|does|did|is|are|was|were|has|have|had|could|would|should)n'?t\b/gi, "$1 not")
    .replace(/\b(ca|wo)n'?t\b/gi, (_, w: string) => (w.toLowerCase() === "ca" ? "can not" : "will not"));
}

export const fileSearch: Skill = (request, turn) => {
  const search = searchFor(request, turn);
  if (search === undefined) return undefined;
  requireAvailable("file_search");
  const { queries, pool, found, max } = search;
  const query = asTyped(turn.current);
  const hits = pool.slice(0, max);
  const call = fileSearchCall(request, queries, hits);
  const { quoted, most, unknown } = found;
  // Covered: some passage's sentence (with its heading) holds at least half of the question's key
  // words, weighted by specificity ("dress code" when only "code" occurs is not covered).
  if (most < 0.5) return [call, assistantMessage(notCovered(query, unknown, pool.length), [])];
  const chosen = quoted.filter((q) => q.share >= Math.max(0.5, most * 0.75)).slice(0, 3);
  const names = [...new Set(chosen.map((q) => q.hit.filename))].join(", ");
  let text = `From ${names} (the offline lab model quotes the passages file search found; it writes no answer of its own):\n`;
  const annotations: Json[] = [];
  for (const { hit, quotes } of chosen) {
    text += `\n- ${quotes.map((q) => q.sentence).join(" ")}`;
    annotations.push({
      type: "file_citation",
      file_id: hit.fileId,
      filename: hit.filename,
      index: text.length,
    });
  }
  return [call, assistantMessage(text, annotations)];
};

/** How much of the question the best passage covers: its share of the key words (0.5 or more covers it). */
fileSearch.match = (request, turn) => searchFor(request, turn)?.found.most ?? 0;

function notCovered(query: string, unknown: string[], found: number): string {
  const about =
    unknown.length > 0 && found > 0
      ? ` No passage mentions ${unknown.map((t) => `"${wordOf(query, t)}"`).join(" or ")}.`
      : "";
  return (
    `The attached documents do not cover "${query.replace(/\s+/g, " ").slice(0, 200)}": file search found no passage that answers it.${about} ` +
    "I'm the offline lab model, so I answer only by quoting the documents, and there is nothing to quote for this. Try the words the documents themselves use."
  );
}

/** The word of the question a stem came from, for the message. */
function wordOf(question: string, term: string): string {
  return (question.match(/[\p{L}\p{N}]+/gu) ?? []).find((w) => stem(w) === term) ?? term;
}

/** The `file_search_call` item: its `results` only when the request's `include` asks for them, as on the service. */
export function fileSearchCall(
  request: ModelRequest,
  queries: string[],
  hits: { fileId: string; filename: string; score: number; text: string; store: string }[],
): Json {
  return {
    id: newId("fs"),
    type: "file_search_call",
    status: "completed",
    queries,
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
}
