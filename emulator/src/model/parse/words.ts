/**
 * Words as the lab model compares them: lower-cased, snake_case and camelCase split, stop words dropped,
 * and reduced to a Porter stem (the `stemmer` package), so "departures" meets "departure" and "booking"
 * meets "book". Two stems also match when one begins with the other ("depart" and "departur"); the
 * few words Porter maps wrongly for tools are listed in OWN_STEMS ("conversion" → convert, while
 * "conversation" stays apart). The code interpreter reads column names and questions with the same
 * stems; file search keeps its own light stemmer (retrieval/fts.ts says why).
 */
import { stemmer } from "stemmer";

/** English function words: they say nothing about which tool a request is for. */
export const STOPWORDS = new Set(
  (
    "a an the and or but if then than so of to in on at by for from with without into onto over under " +
    "about as is are was were be been being am do does did done doing have has had having i me my mine " +
    "myself we us our you your yours he him his she her it its they them their this that these those " +
    "there here what which who whom whose when where why how all any some each every no not nor only " +
    "own same such too very can could will would shall should may might must just also please let lets " +
    "up down out off again once s t d ll re ve m o y ok okay hi hello hey thanks thank yes"
  ).split(" "),
);

/**
 * Words that appear in almost every tool description or request ("Get the current value for the given
 * name"): matching them would make every tool look relevant.
 */
export const GENERIC = new Set(
  (
    "get gets getting set find look looking fetch retrieve return returns returned tool function call " +
    "value values name names number type id ids string example e g eg optional required default format " +
    "given specified current user want wants like need needs tell show give know use using new make " +
    "one two item items info information data result results thing something"
  ).split(" "),
);

const STEMS = new Map<string, string>();

/** Words the Porter rules merge with unrelated ones ("conversation" and "conversion" → convers). */
const OWN_STEMS: Record<string, string> = {
  conversion: "convert",
  conversions: "convert",
  conversation: "conversation",
  conversations: "conversation",
  general: "general",
  generally: "general",
  news: "news",
};

/**
 * Irregular simple past tenses, stemmed as their verb ("I swam for 45 minutes" names a swim): Porter's
 * rules only strip regular endings. Past participles stay out: they name columns ("km_driven").
 */
const IRREGULAR: Record<string, string> = {
  swam: "swim",
  ran: "run",
  rode: "ride",
  drove: "drive",
  ate: "eat",
  sent: "send",
  bought: "buy",
  paid: "pay",
  wrote: "write",
  spent: "spend",
  took: "take",
  met: "meet",
  slept: "sleep",
  went: "go",
};

export function stem(word: string): string {
  const w = word.toLowerCase().replace(/['’]s$/, "");
  let s = STEMS.get(w);
  if (s === undefined) {
    const base = IRREGULAR[w] ?? w;
    s = OWN_STEMS[base] ?? (/^\d/.test(base) ? base : stemmer(base));
    STEMS.set(w, s);
  }
  return s;
}

/** The stems of a text's words. */
export function stemsOf(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
}

export function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  return Math.min(a.length, b.length) >= 5 && (a.startsWith(b) || b.startsWith(a));
}

/** Words of a text or identifier, lower-cased: `lookupTrainDeparture` and `book_table` split too. */
export function words(text: string): string[] {
  return (
    text
      .replace(/\bto-do\b/gi, "todo")
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .replace(/[_-]+/g, " ")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  ).map((w) => w.replace(/'s$/, ""));
}

/** The stems of the words that carry meaning (no stop words, no generic tool words). */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (STOPWORDS.has(w) || GENERIC.has(w) || /^\d+$/.test(w)) continue;
    const s = stem(w);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** Does the text contain a word with this stem? */
export function mentions(text: string, word: string): boolean {
  const target = stem(word);
  return words(text).some((w) => sameStem(stem(w), target));
}

/** The words that carry meaning, as written (lower-cased, no stop words or generic tool words). */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (STOPWORDS.has(w) || GENERIC.has(w) || /^\d+$/.test(w) || out.includes(w)) continue;
    out.push(w);
  }
  return out;
}

/**
 * Whether a word is a typing slip of another: at most one edit (a letter added, dropped, changed, or two
 * neighbours swapped: "tabel", "tranlsate"), two for words of eight letters or more ("tempature").
 */
export function isTypoOf(typed: string, known: string): boolean {
  if (typed.length < 5 || typed === known) return false;
  const max = typed.length >= 8 ? 2 : 1;
  if (Math.abs(typed.length - known.length) > max) return false;
  // Optimal string alignment distance, stopped as soon as it exceeds `max`.
  let before: number[] = [];
  let previous = Array.from({ length: known.length + 1 }, (_, j) => j);
  for (let i = 1; i <= typed.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= known.length; j++) {
      const cost = typed[i - 1] === known[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && typed[i - 1] === known[j - 2] && typed[i - 2] === known[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
      smallest = Math.min(smallest, d);
    }
    if (smallest > max) return false;
    before = previous;
    previous = row;
  }
  return (previous[known.length] ?? max + 1) <= max;
}

/**
 * The plain forms an adjective's comparative may come from ("colder" → cold, "hotter" → hot, "sunnier"
 * → sunny, "later" → late, "cheapest" → cheap): a comparison names the quality its tool reads.
 */
export function comparativeBases(word: string): string[] {
  const m = /^(\p{L}{2,}?)(ier|iest|er|est)$/u.exec(word.toLowerCase());
  if (m === null) return [];
  const [, base = "", ending = ""] = m;
  if (ending.startsWith("i")) return [`${base}y`];
  const out = [base, `${base}e`];
  // "hotter", "biggest": a doubled consonant before the ending.
  if (/([b-df-hj-np-tv-z])\1$/.test(base)) out.unshift(base.slice(0, -1));
  return out;
}
