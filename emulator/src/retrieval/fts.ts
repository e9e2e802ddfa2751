/**
 * Full-text retrieval on SQLite FTS5, the full-text engine built into the SQLite that ships with Node.
 * Ranking is FTS5's BM25 (`bm25()`, k1 = 1.2, b = 0.75) with the porter stemmer, over two columns: the
 * section's heading path (weighted up: a question about "parental leave" should find the section titled
 * so) and the passage text. Questions are turned into an OR of their content words, as a search box does.
 * See emulator/README.md for why this and not embeddings, and for the measured hit rate.
 */
import type { DatabaseSync } from "node:sqlite";

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

/** A crude stem for comparing words in sentences (the index itself uses the porter stemmer). */
export function stem(word: string): string {
  return word.toLowerCase().slice(0, 5);
}

/**
 * The sentences of `text` that share the most content words with the question, in document order:
 * what the lab model quotes from a passage. Markdown markup is removed from the quote.
 */
export function bestSentences(text: string, question: string, max = 2): string[] {
  const wanted = new Set(queryTerms(question).map(stem));
  // Paragraphs and list items, with their hard line wraps undone, then sentences.
  const blocks = text
    .split(/\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)|\n(?=\s*#)/)
    .map((block) => block.replace(/\s*\n\s*/g, " "));
  const sentences = blocks
    .filter((line) => !/^\s*#/.test(line) && !/^\s*\|?\s*-{3,}/.test(line))
    .map((line) =>
      line
        .replace(/^\s*(?:[-*+]|\d+\.)\s+/, "")
        .replace(/\*\*|__|`/g, "")
        .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
        .replace(/\s*\|\s*/g, " | ")
        .trim(),
    )
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])/u))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const scored = sentences.map((sentence, index) => {
    const words = new Set((sentence.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
    let overlap = 0;
    for (const w of wanted) if (words.has(w)) overlap++;
    return { sentence, index, overlap };
  });
  const best = scored
    .filter((s) => s.overlap > 0)
    .sort((a, b) => b.overlap - a.overlap || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
  const chosen = best.length > 0 ? best : scored.slice(0, 1);
  return chosen.map((s) => (s.sentence.length > 400 ? `${s.sentence.slice(0, 399).trimEnd()}…` : s.sentence));
}
