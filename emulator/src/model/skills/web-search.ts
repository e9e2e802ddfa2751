/**
 * Web search, as the lab model does it offline. With a `web_search` (or `web_search_preview`) tool it
 * searches the emulator's own corpus (model/web/corpus.ts: pages at https://offline.lab.invalid/…, never
 * the live web) with the same BM25 index as file search, emits a `web_search_call`, and answers by
 * quoting the best sentence of each page found, each quote spanned by a `url_citation`. The answer and
 * every title say that the pages come from the offline corpus.
 */
import { DatabaseSync } from "node:sqlite";
import { newId } from "../../ids.ts";
import { addPassages, bestSentences, createIndex, search } from "../../retrieval/fts.ts";
import type { Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { Skill } from "../types.ts";
import { PAGES, pageTitle, pageUrl, type WebPage } from "../web/corpus.ts";
import { requireAvailable } from "./availability.ts";

const SMALL_TALK = /^\s*(?:hi|hello|hey|thanks|thank you|ok|okay|bye)\b[\s!.,]*$/i;
const MAX_PAGES = 3;

let corpus: DatabaseSync | undefined;

/** The corpus is part of the emulator's code, not its state: indexed once per process, in memory. */
function index(): DatabaseSync {
  if (corpus) return corpus;
  const db = new DatabaseSync(":memory:");
  createIndex(db, "web");
  for (const page of PAGES) addPassages(db, "web", page.slug, [{ section: page.title, text: page.text }]);
  corpus = db;
  return db;
}

export const webSearch: Skill = (request, turn) => {
  const tool = request.tools.find((t) => t.type === "web_search" || t.type === "web_search_preview");
  if (tool === undefined || request.toolChoice === "none") return undefined;
  if (turn.sinceUser.length > 0 || turn.current.trim() === "" || SMALL_TALK.test(turn.current))
    return undefined;
  requireAvailable(String(tool.type));
  const query = turn.current.trim();
  const hits = search(index(), "web", query, MAX_PAGES);
  const top = hits[0];
  const found = top === undefined ? [] : hits.filter((hit) => hit.score >= top.score * 0.5);
  const pages = found
    .map((hit) => PAGES.find((page) => page.slug === hit.fileId))
    .filter((p) => p !== undefined)
    .filter((page) => coversQuestion(page.text, query));
  const action: Json = { type: "search", query };
  if (request.include.includes("web_search_call.action.sources")) {
    action.sources = pages.map((page) => ({ type: "url", url: pageUrl(page) }));
  }
  const call: Json = { id: newId("ws"), type: "web_search_call", status: "completed", action };

  if (pages.length === 0) {
    const text = `Web search here is the emulator's offline corpus of ${PAGES.length} pages, not the live web, and none of them is about "${query}". Point the lab at a Foundry project for real web results.`;
    return [call, assistantMessage(text, [])];
  }
  let text = `From the emulator's offline corpus (${PAGES.length} pages written for the lab, not the live web); the offline lab model quotes what it found:\n`;
  const annotations: Json[] = [];
  for (const page of pages) {
    const quote = bestSentences(page.text, query, 1).join(" ");
    text += "\n- ";
    const start = text.length;
    text += quote;
    annotations.push({
      type: "url_citation",
      url: pageUrl(page),
      title: pageTitle(page),
      start_index: start,
      end_index: text.length,
    });
  }
  return [call, assistantMessage(text, annotations)];
};

const QUESTION_WORDS = new Set(
  "what which who whom whose when where why how does did do is are was were the and for with about tell please can you your our from into that this there their have has its"
    .split(" ")
    .map((word) => word.slice(0, 5)),
);

/**
 * BM25 ranks any page sharing one word with the question ("capital" of Peru finds the Paris page). A page
 * counts only if it has most of the question's words: all of them for a question of one or two words.
 */
function coversQuestion(pageText: string, question: string): boolean {
  const stem = (word: string) => word.toLowerCase().slice(0, 5);
  const words = [...new Set((question.match(/[\p{L}\p{N}]{3,}/gu) ?? []).map(stem))].filter(
    (w) => !QUESTION_WORDS.has(w),
  );
  if (words.length === 0) return true;
  const page = new Set((pageText.match(/[\p{L}\p{N}]{3,}/gu) ?? []).map(stem));
  const present = words.filter((w) => page.has(w)).length;
  return words.length <= 2 ? present === words.length : present / words.length >= 2 / 3;
}

/** The corpus search alone, for a model that writes its own answer from the pages (model/remote). */
export function searchCorpus(query: string, max = MAX_PAGES): WebPage[] {
  const hits = search(index(), "web", query, max);
  const top = hits[0];
  return hits
    .filter((hit) => top !== undefined && hit.score >= top.score * 0.5)
    .map((hit) => PAGES.find((page) => page.slug === hit.fileId))
    .filter((page) => page !== undefined);
}
