/**
 * Full-text retrieval on SQLite FTS5, the full-text engine built into the SQLite that ships with Node.
 * Ranking is FTS5's BM25 (`bm25()`, k1 = 1.2, b = 0.75) with the porter stemmer, over two columns: the
 * section's heading path (weighted up: a question about "parental leave" should find the section titled
 * so) and the passage text. Questions are turned into an OR of their content words, as a search box does.
 * See emulator/README.md for why this and not embeddings, and for the measured hit rate.
 */
import type { DatabaseSync } from "node:sqlite";
import { blocksOf, rowSentence, sentencesOf } from "./blocks.ts";

/** Weight of the heading path against the passage text in BM25 (measured: see the README). */
export const SECTION_WEIGHT = 2;

export interface Hit {
  fileId: string;
  section: string;
  text: string;
  /** 0..1, higher is better (BM25 squashed; comparable within one search only). */
  score: number;
}

const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its " +
    "me my of on or our should so than that the their them then there these they this to us was we were what when " +
    "where which who whom why will with would you your yours am any about after before also just more most much " +
    "not no only other over same some such too very get got tell please need want know say says said lab"
  ).split(" "),
);

/** The content words of a question, lowercased and de-duplicated ("How many days of leave?" → days, leave). */
export function queryTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length > 1 && !STOPWORDS.has(w)))];
}

export function createIndex(db: DatabaseSync, table: string): void {
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING fts5(section, text, file_id UNINDEXED, tokenize = 'porter unicode61')`,
  );
}

export function dropIndex(db: DatabaseSync, table: string): void {
  db.exec(`DROP TABLE IF EXISTS ${table}`);
}

export function addPassages(
  db: DatabaseSync,
  table: string,
  fileId: string,
  passages: { section: string; text: string }[],
): void {
  const insert = db.prepare(`INSERT INTO ${table} (section, text, file_id) VALUES (?, ?, ?)`);
  for (const passage of passages) insert.run(passage.section, passage.text, fileId);
}

export function removeFile(db: DatabaseSync, table: string, fileId: string): void {
  db.prepare(`DELETE FROM ${table} WHERE file_id = ?`).run(fileId);
}

/** The best passages for `query`, best first; none when the question has no content words. */
export function search(db: DatabaseSync, table: string, query: string, limit: number): Hit[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const match = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(" OR ");
  const rows = db
    .prepare(
      `SELECT file_id, section, text, bm25(${table}, ${SECTION_WEIGHT}, 1.0) AS rank
       FROM ${table} WHERE ${table} MATCH ? ORDER BY rank LIMIT ?`,
    )
    .all(match, limit);
  return rows.map((row) => ({
    fileId: String(row.file_id),
    section: String(row.section),
    text: String(row.text),
    score: squash(-Number(row.rank)),
  }));
}

/** BM25 is unbounded; the API reports 0..1. Monotonic, so the order is BM25's. */
function squash(bm25: number): number {
  return Math.round((1 - Math.exp(-Math.max(0, bm25) / 8)) * 10_000) / 10_000;
}

/**
 * A light English stemmer for weighing and quoting the sentences of passages (the index itself ranks
 * with SQLite's porter tokenizer): plurals, -ing, -ed, -ly, -ment, -age, -er, -al, then the first seven
 * letters, so "shipping"/"shipped"/"ships", "refunds"/"refunded", "approval"/"approves",
 * "stored"/"storage" and "categories"/"category" meet.
 *
 * Why not the Porter stemmer the rest of the lab model reads words with (model/parse/words.ts):
 * measured on 2026-12-01, Porter here answers 59 of the 60 retrieval-corpus questions instead of 60
 * ("Where are bulky items stored?" no longer finds "storage": Porter keeps -age), while the handbook's
 * hit@3 (100 %) and MRR (0.933) do not move, since ranking is FTS5's own. Porter is the better
 * stemmer for names and columns (it keeps "store" and "storage", "message" and "mess" apart); for
 * deciding whether a passage covers a question, merging more is what works.
 */
export function stem(word: string): string {
  let cached = stems.get(word);
  if (cached === undefined) {
    cached = stemOf(word);
    if (stems.size > 50_000) stems.clear(); // a bound, not an LRU: the lab's vocabulary is small
    stems.set(word, cached);
  }
  return cached;
}

const stems = new Map<string, string>();
/** Tried in order after plurals; the first that fits is removed. */
const SUFFIXES = ["ments", "ment", "ingly", "ings", "ing", "edly", "ed", "ly", "age", "er", "al"];

function stemOf(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, "");
  if (w.length <= 3) return w;
  if (/ies$/.test(w) && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:sses|xes|zes|ches|shes)$/.test(w)) w = w.slice(0, -2);
  else if (/[^su]s$/.test(w) && !/(?:ss|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of SUFFIXES) {
    const rest = suffix.startsWith("e") || suffix.startsWith("a") ? 4 : 3;
    if (w.endsWith(suffix) && w.length - suffix.length >= rest) {
      w = w.slice(0, -suffix.length);
      if (/([bdfgklmnprt])\1$/.test(w))
        w = w.slice(0, -1); // shipp -> ship
      else if (suffix.startsWith("ing") || suffix.startsWith("ed")) {
        if (/[^aeiou][aeiou][cgkstvz]$/.test(w) && w.length <= 5) w = `${w}e`; // stor(ed) -> store
      }
      break;
    }
  }
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1); // store/storage meet at "stor"
  return w.slice(0, 7);
}

/** The stems of a text's words. */
export function stemsOf(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
}

export interface Quote {
  sentence: string;
  /** The question's terms (see termsOf) that the sentence contains. */
  matched: string[];
}

/**
 * Every sentence a reader would quote from a passage, in document order, with the block it belongs to:
 * paragraphs and list items cut into sentences, and each table row as "column: value; …". Headings and
 * code are not quoted.
 */
export function sentencesIn(text: string): { sentence: string; block: number; cells?: string }[] {
  return blocksOf(text).flatMap((block, i) => {
    if (block.kind === "paragraph" || block.kind === "item")
      return sentencesOf(block.text).map((sentence) => ({ sentence, block: i }));
    if (block.kind === "table")
      return block.rows.map((row) => ({
        sentence: rowSentence(block.header, row),
        block: i,
        cells: row.join(" "),
      }));
    return [];
  });
}

/** A question's terms: each stem with the stems that also count for it (see quotesFor). */
export type Terms = Map<string, Set<string>>;

export function termsOf(question: string): Terms {
  return new Map([...new Set(queryTerms(question).map(stem))].map((t) => [t, new Set([t])]));
}

/** A sentence that leans on the one before it ("Otherwise …", "This …") is quoted with it. */
const CONTINUES =
  /^(?:otherwise|however|but|this|that|these|those|it|they|then|also|if not|in that case|in this case|instead|after that|there)\b/i;

/**
 * The sentences of `text` that share the most of the question's terms (at most `max`, those with at
 * least half the best one's overlap, and a sentence right after one of them that continues it), in
 * document order, each with the terms it matched.
 */
export function quotesFor(text: string, question: string | Terms, max = 3): Quote[] {
  const terms = typeof question === "string" ? termsOf(question) : question;
  const all = sentencesIn(text);
  const holds = (words: Set<string>) =>
    [...terms].filter(([, alts]) => [...alts].some((a) => words.has(a))).map(([t]) => t);
  const scored = all.map(({ sentence, block, cells }, index) => {
    // A table row also says its column names; only its own cells tell it from the other rows.
    const own = cells === undefined ? undefined : holds(stemsOf(cells)).length;
    return { sentence, index, matched: holds(stemsOf(sentence)), block, own };
  });
  // In a table where some row's own cells match ("France"), the rows that match only by header go.
  const distinct = new Set(scored.filter((s) => (s.own ?? 0) > 0).map((s) => s.block));
  for (const s of scored) if (s.own === 0 && distinct.has(s.block)) s.matched = [];
  const top = Math.max(0, ...scored.map((s) => s.matched.length));
  if (top === 0) return [];
  const chosen = scored
    .filter((s) => s.matched.length > 0 && s.matched.length * 2 >= top)
    .sort((a, b) => b.matched.length - a.matched.length || a.index - b.index)
    .slice(0, max);
  for (const s of [...chosen]) {
    const next = scored[s.index + 1];
    if (
      next &&
      all[next.index]?.block === all[s.index]?.block &&
      CONTINUES.test(next.sentence) &&
      !chosen.includes(next)
    )
      chosen.push(next);
  }
  return chosen
    .sort((a, b) => a.index - b.index)
    .map(({ sentence, matched }) => ({ sentence: clip(sentence), matched }));
}

function clip(sentence: string): string {
  return sentence.length > 400 ? `${sentence.slice(0, 399).trimEnd()}…` : sentence;
}

/**
 * The sentences of `text` that share the most content words with the question, in document order:
 * what the lab model quotes from a passage (its first sentence when none shares a word).
 */
export function bestSentences(text: string, question: string, max = 2): string[] {
  const quotes = quotesFor(text, question, max).map((q) => q.sentence);
  if (quotes.length > 0) return quotes;
  const first = sentencesIn(text)[0];
  return first === undefined ? [] : [clip(first.sentence)];
}
