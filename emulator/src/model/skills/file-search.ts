/**
 * File search, as the lab model does it. With a `file_search` tool it searches the tool's vector stores
 * for the user's question (the emulator's real BM25 index, see retrieval/fts.ts), emits a
 * `file_search_call` (with `results` only when `include` asks for `file_search_call.results`), and
 * answers by quoting the sentences of the best passages that cover the question, each passage followed
 * by a `file_citation`. When no passage holds the question's key words it says the documents do not
 * cover it and quotes nothing. It never writes an answer of its own: every quoted sentence (a table row
 * as "column: value; …") comes from the files.
 */
import { newId } from "../../ids.ts";
import { queryTerms, quotesFor, stem, stemsOf, type Terms } from "../../retrieval/fts.ts";
import { vectorStoreNotFound } from "../../routes/vector-stores.ts";
import type { Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { Skill } from "../types.ts";
import { requireAvailable } from "./availability.ts";

/** Passages (per store) that the question's key words are weighed in. */
const POOL = 30;
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
  // One search serves both the results (the best `max`) and the pool the key words are weighed in.
  const pool = ids
    .flatMap((id) =>
      request.app.vectorStores.search(id, query, Math.max(max, POOL)).map((hit) => ({ ...hit, store: id })),
    )
    .sort((a, b) => b.score - a.score);
  const hits = pool.slice(0, max);
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
  const terms = keyTerms(query);
  // How specific each key word is among the passages that share any word with the question (its IDF
  // there); a word no passage contains weighs most: it is what the documents do not speak about.
  const poolWords = pool.map((hit) => stemsOf(`${hit.section} ${hit.text}`));
  const has = (words: Set<string>, alts: Set<string>) => [...alts].some((a) => words.has(a));
  // A number and its unit ("a 90 minutes trip") are the user's own value: weighed only if a passage has them.
  for (const t of measuresIn(query)) {
    const alts = terms.get(t);
    if (alts && !poolWords.some((words) => has(words, alts))) terms.delete(t);
  }
  const weight = new Map(
    [...terms].map(([t, alts]) => {
      const df = poolWords.filter((words) => has(words, alts)).length;
      return [t, Math.log(1 + (pool.length + 1) / (df + 0.5))];
    }),
  );
  const total = [...weight.values()].reduce((sum, w) => sum + w, 0);
  // A name or code the question gives ("TH-200", "P2", "Leipzig") and the documents know: the answer
  // must come from a passage about it, not from one that merely shares the question's other words.
  const anchors = anchorsIn(query).filter((t) => poolWords.some((words) => words.has(t)));
  const about = (hit: { section: string; text: string }) =>
    anchors.length === 0 || anchors.some((t) => stemsOf(`${hit.section} ${hit.text}`).has(t));
  // Each passage near the best one, quoted by the sentences that speak about the question.
  const best = hits[0]?.score ?? 0;
  const quoted = hits
    .filter((hit) => hit.score >= best * 0.5 && about(hit))
    .slice(0, 5)
    .map((hit) => {
      const quotes = quotesFor(hit.text, terms);
      const heading = stemsOf(hit.section.split(" > ").pop() ?? "");
      // The best single sentence with the section's heading: words scattered over unrelated
      // sentences ("arrived" in one, "refund" in another) do not answer a question together.
      const titled = [...terms].filter(([, alts]) => has(heading, alts)).map(([t]) => t);
      const share = Math.max(
        0,
        ...quotes.map((q) => {
          let sum = 0;
          for (const t of new Set([...q.matched, ...titled])) sum += (weight.get(t) ?? 0) / total;
          return sum;
        }),
      );
      return { hit, quotes, share };
    })
    .filter((q) => q.quotes.length > 0);
  const most = Math.max(0, ...quoted.map((q) => q.share));
  // Covered: some passage's sentences (and its heading) hold at least half of the question's key words,
  // weighted by specificity ("dress code" when only "code" occurs is not covered).
  if (terms.size === 0 || most < 0.5) {
    const unknown = [...terms]
      .filter(([, alts]) => !poolWords.some((words) => has(words, alts)))
      .map(([t]) => t);
    return [call, assistantMessage(notCovered(query, unknown, pool.length), [])];
  }
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

/** Question words that say what kind of answer is wanted, not what it is about. */
const GENERIC = new Set(
  (
    "policy policies rule rules allowed allow document documents file files information info detail details " +
    "explain describe find give list show anything something thing things way many long high often soon far ever " +
    "still each every exactly currently usually possible able okay ok happen happens mean means must shall " +
    "may might few several couple lot lots big large small huge tiny"
  )
    .split(" ")
    .map(stem),
);

/**
 * Words a document often uses for what a question asks with another word. A small, documented lexicon
 * (the lab model has no word vectors): each line is a group whose words count for one another when a
 * passage is checked for the question's key words. The search itself (BM25) still sees only the
 * question's own words.
 */
const RELATED = [
  "limit maximum max exceed cap most",
  "speed fast slow km mph",
  "cost price costs fee charge charged pay pays paid",
  "refund refunds money reimburse reimbursed",
  "vacation holiday holidays leave",
  "salary pay wage wages",
  "sick ill illness",
  "broken damaged faulty defect defective",
  "buy purchase purchased order",
  "begin start starts",
  "end finish ends",
  "delivery shipping ship shipped",
  "boss manager",
  "laptop computer notebook",
  "phone mobile",
  "meeting standup stand",
  "often frequency every",
  "before ahead advance prior",
  "fly flight flights plane",
  "rent rental hire",
  "late later delayed overdue",
  "father mother parent parents partner spouse child children relative",
  "die dies died death passed bereavement",
].map((line) => new Set(line.split(" ").map(stem)));

/** Stems of the question's names and codes: capitalized words past its first, and words with digits. */
function anchorsIn(question: string): string[] {
  const words = [...question.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);
  return words
    .filter((w, i) => w.length >= 2 && ((i > 0 && /^\p{Lu}/u.test(w)) || (/\d/.test(w) && /\p{L}/u.test(w))))
    .map(stem);
}

const UNITS =
  /^(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|km|miles?|kg|euros?|eur|dollars?|usd|gbp|percent)$/i;

/** The stems of the numbers of a question and the units right after them. */
function measuresIn(question: string): string[] {
  return [...question.matchAll(/\b(\d[\d.,]*)(?:\s+(\p{L}+))?/gu)].flatMap((m) => [
    stem(m[1] ?? ""),
    ...(m[2] && UNITS.test(m[2]) ? [stem(m[2])] : []),
  ]);
}

/** The question's content words, stemmed, each with its related words: what a passage must speak about. */
function keyTerms(question: string): Terms {
  const terms: Terms = new Map();
  for (const t of [...new Set(queryTerms(question).map(stem))].filter((t) => !GENERIC.has(t))) {
    terms.set(t, new Set([t, ...RELATED.filter((group) => group.has(t)).flatMap((group) => [...group])]));
  }
  return terms;
}

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
