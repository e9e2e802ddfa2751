/**
 * Web search, as the lab model does it offline. With a `web_search` (or `web_search_preview`) tool it
 * searches the emulator's own corpus (model/web/corpus.ts: pages at https://offline.lab.invalid/…, never
 * the live web) with the same BM25 index as file search, emits a `web_search_call`, and answers by
 * quoting the best sentence of each page found, each quote spanned by a `url_citation`. The answer and
 * every title say that the pages come from the offline corpus.
 */
import { DatabaseSync } from "node:sqlite";
import { newId } from "../../ids.ts";
import { textOf } from "../../items.ts";
import { addPassages, bestSentences, createIndex, search, sentencesIn } from "../../retrieval/fts.ts";
import type { Json } from "../../validate.ts";
import { join } from "../capabilities.ts";
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
  const { query, pages } = searchFor(turn.current.trim(), turn.earlier);
  const action: Json = { type: "search", query };
  if (request.include.includes("web_search_call.action.sources")) {
    action.sources = pages.map((page) => ({ type: "url", url: pageUrl(page) }));
  }
  const call: Json = { id: newId("ws"), type: "web_search_call", status: "completed", action };

  if (pages.length === 0) {
    const text = `Web search here is the emulator's offline corpus of ${PAGES.length} pages, not the live web, and none of them is about "${query}". ${whatItHas(query)} Point the lab at a Foundry project for real web results.`;
    return [call, assistantMessage(text, [])];
  }
  let text = `From the emulator's offline corpus (${PAGES.length} pages written for the lab, not the live web); the offline lab model quotes what it found:\n`;
  const annotations: Json[] = [];
  // "Tell me more", "what else?": a sentence of the page not quoted in an earlier answer, if there is one.
  const more = /\b(?:more|else|other|another|also)\b/i.test(turn.current);
  const quoted = request.items
    .filter((i) => i.type === "message" && i.role === "assistant")
    .map(textOf)
    .join("\n");
  for (const page of pages) {
    const best = bestSentences(page.text, query, 1).join(" ");
    const unsaid = sentencesIn(page.text).find(({ sentence }) => !quoted.includes(sentence))?.sentence;
    const quote = more && quoted.includes(best) && unsaid !== undefined ? unsaid : best;
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

/**
 * What a learner can ask instead: the pages nearest the question (sharing a word with it), or else a
 * spread of the corpus, by title. Without it, 32 unknown pages are a guessing game.
 */
function whatItHas(query: string): string {
  const near = search(index(), "web", query, 3)
    .map((hit) => PAGES.find((page) => page.slug === hit.fileId))
    .filter((page) => page !== undefined);
  const titles = (pages: WebPage[]) => join(pages.map((page) => `"${page.title}"`));
  return near.length > 0
    ? `The nearest pages it has: ${titles(near)}.`
    : `Its pages include ${titles(PAGES.filter((_, i) => i % 8 === 1).slice(0, 4))}.`;
}

/** The covered pages for a query: BM25's top hits that have most of the question's words. */
function pagesFor(query: string): WebPage[] {
  const hits = search(index(), "web", query, MAX_PAGES);
  const top = hits[0];
  const found = top === undefined ? [] : hits.filter((hit) => hit.score >= top.score * 0.5);
  return found
    .map((hit) => PAGES.find((page) => page.slug === hit.fileId))
    .filter((p) => p !== undefined)
    .filter((page) => coversQuestion(page.text, query));
}

/** "Tell me more about her", "when did he die?", "and what about it?": a question that leans on the last. */
const LEANS_ON_EARLIER =
  /\b(?:he|she|him|her|his|hers|it|its|they|them|their|this|that|these|those)\b|^\s*(?:and|what about|how about|tell me more|more)\b/i;
/** Words that point back or ask for more, and say nothing of the topic. */
const POINTERS = new Set(
  "he she him her his hers it its they them their this that these those more else also again other tell about".split(
    " ",
  ),
);

/**
 * The query, as a model writes it from the conversation: for a follow-up that points back ("Tell me more
 * about her" after "Who was Ada Lovelace?"), the earlier question's topic words with this one's, when
 * they find pages; else the question itself. The web_search_call shows the query actually searched.
 */
function searchFor(question: string, earlier: string[]): { query: string; pages: WebPage[] } {
  const own = () => ({ query: question, pages: pagesFor(question) });
  const previous = earlier.at(-1);
  if (previous === undefined || !LEANS_ON_EARLIER.test(question)) return own();
  const topic = (text: string) =>
    (text.match(/[\p{L}\p{N}'-]{3,}/gu) ?? []).filter((word) => {
      const lower = word.toLowerCase();
      return !POINTERS.has(lower) && !QUESTION_WORDS.has(lower.slice(0, 5));
    });
  const words = [...topic(previous), ...topic(question)];
  const query = words
    .filter((w, i) => words.findIndex((v) => v.toLowerCase() === w.toLowerCase()) === i)
    .join(" ");
  const pages = query === "" ? [] : pagesFor(query);
  return pages.length > 0 ? { query, pages } : own();
}

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
