/**
 * Splits a document into the passages file search indexes. Markdown is cut at headings, so a passage is
 * one section (its heading line included) and carries its heading path ("Leave > Annual leave") for
 * ranking; a section too long for one passage is cut between paragraphs, and a heading with almost no
 * text of its own joins the next section. Plain text is cut into overlapping windows of words.
 * Passages are verbatim slices of the document: what search returns is what the file says.
 */

export interface Chunk {
  /** Heading path of the section the passage belongs to ("" for plain text). */
  section: string;
  /** The passage, exactly as it appears in the document. */
  text: string;
}

/** About 400 tokens: long enough for a handbook section, short enough to cite precisely. */
export const MAX_WORDS = 300;
const MIN_WORDS = 25;
const WINDOW_OVERLAP = 40;

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

export function chunkDocument(text: string): Chunk[] {
  const normalized = text.replace(/\r\n?/g, "\n");
  const lines = normalized.split("\n");
  if (!lines.some((line) => HEADING.test(line))) return windows(normalized, "");

  const sections: Chunk[] = [];
  const path: string[] = [];
  let current: { section: string; lines: string[] } | undefined;
  let inFence = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (heading) {
      if (current) sections.push({ section: current.section, text: current.lines.join("\n").trim() });
      const level = heading[1]?.length ?? 1;
      path.length = level - 1;
      path[level - 1] = (heading[2] ?? "").replace(/[*_`]/g, "");
      current = { section: path.filter(Boolean).join(" > "), lines: [line] };
    } else {
      current ??= { section: "", lines: [] };
      current.lines.push(line);
    }
  }
  if (current) sections.push({ section: current.section, text: current.lines.join("\n").trim() });

  // A heading with (almost) no text of its own joins the next section, so no passage is just a title.
  const merged: Chunk[] = [];
  let carry: Chunk | undefined;
  for (const section of sections.filter((s) => s.text !== "")) {
    const joined: Chunk = carry
      ? { section: section.section, text: `${carry.text}\n\n${section.text}` }
      : section;
    carry = undefined;
    if (wordCount(joined.text) < MIN_WORDS) carry = joined;
    else merged.push(joined);
  }
  if (carry) merged.push(carry);
  return merged.flatMap((section) =>
    wordCount(section.text) <= MAX_WORDS ? [section] : splitParagraphs(section),
  );
}

/** A long section, cut between paragraphs (or, for one huge paragraph, into word windows). */
function splitParagraphs(section: Chunk): Chunk[] {
  const out: Chunk[] = [];
  let buffer: string[] = [];
  let words = 0;
  const flush = () => {
    if (buffer.length > 0) out.push({ section: section.section, text: buffer.join("\n\n") });
    buffer = [];
    words = 0;
  };
  for (const paragraph of section.text.split(/\n\s*\n/)) {
    const n = wordCount(paragraph);
    if (n > MAX_WORDS) {
      flush();
      out.push(...windows(paragraph, section.section));
      continue;
    }
    if (words + n > MAX_WORDS) flush();
    buffer.push(paragraph);
    words += n;
  }
  flush();
  return out;
}

/** Overlapping windows of words, cut at whitespace so each window is a verbatim slice. */
function windows(text: string, section: string): Chunk[] {
  const spans = [...text.matchAll(/\S+/g)];
  if (spans.length === 0) return [];
  const out: Chunk[] = [];
  for (let start = 0; start < spans.length; start += MAX_WORDS - WINDOW_OVERLAP) {
    const first = spans[start];
    const last = spans[Math.min(spans.length, start + MAX_WORDS) - 1];
    if (!first || !last) break;
    out.push({ section, text: text.slice(first.index, last.index + last[0].length) });
    if (start + MAX_WORDS >= spans.length) break;
  }
  return out;
}

export function wordCount(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}
