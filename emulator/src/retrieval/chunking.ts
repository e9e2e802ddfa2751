/**
 * Splits a document into the passages file search indexes. A document is cut at its headings (see
 * blocks.ts for what counts as one, Markdown or plain text), so a passage is one section (its heading
 * line included) and carries its heading path ("Leave > Annual leave") for ranking; a section too long
 * for one passage is cut between paragraphs, list items and tables, and a heading with almost no text of
 * its own joins the next section. Text without headings is cut the same way between its paragraphs.
 * Passages are verbatim slices of the document: what search returns is what the file says.
 */
import { type Block, blocksOf } from "./blocks.ts";

export interface Chunk {
  /** Heading path of the section the passage belongs to ("" for plain text). */
  section: string;
  /** The passage, exactly as it appears in the document. */
  text: string;
}

/** About 400 tokens: long enough for a handbook section, short enough to cite precisely. */
export const MAX_WORDS = 300;
const MIN_WORDS = 12;
const WINDOW_OVERLAP = 40;

export function chunkDocument(text: string): Chunk[] {
  const normalized = text.replace(/\r\n?/g, "\n");
  const blocks = blocksOf(normalized);
  if (!blocks.some((b) => b.kind === "heading")) {
    return splitBlocks({ section: "", blocks }, normalized);
  }

  interface Section {
    section: string;
    blocks: Block[];
  }
  const sections: Section[] = [];
  const path: string[] = [];
  for (const block of blocks) {
    if (block.kind === "heading") {
      path.length = block.level - 1;
      path[block.level - 1] = block.title;
      sections.push({ section: path.filter(Boolean).join(" > "), blocks: [block] });
    } else {
      if (sections.length === 0) sections.push({ section: "", blocks: [] });
      sections[sections.length - 1]?.blocks.push(block);
    }
  }

  // A heading with (almost) no text of its own joins the next section, so no passage is just a title.
  const merged: Section[] = [];
  let carry: Section | undefined;
  for (const section of sections) {
    const joined: Section = carry
      ? { section: section.section, blocks: [...carry.blocks, ...section.blocks] }
      : section;
    carry = undefined;
    if (wordCount(sliceOf(normalized, joined.blocks)) < MIN_WORDS) carry = joined;
    else merged.push(joined);
  }
  if (carry) merged.push(carry);
  return merged.flatMap((section) => splitBlocks(section, normalized));
}

function sliceOf(text: string, blocks: Block[]): string {
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  return first && last ? text.slice(first.start, last.end) : "";
}

/** A section as one passage, or, when it is too long, cut between blocks (a huge block into word windows). */
function splitBlocks(section: { section: string; blocks: Block[] }, text: string): Chunk[] {
  const whole = sliceOf(text, section.blocks);
  if (whole.trim() === "") return [];
  if (wordCount(whole) <= MAX_WORDS) return [{ section: section.section, text: whole }];
  const out: Chunk[] = [];
  let buffer: Block[] = [];
  let words = 0;
  const flush = () => {
    if (buffer.length > 0) out.push({ section: section.section, text: sliceOf(text, buffer) });
    buffer = [];
    words = 0;
  };
  for (const block of section.blocks) {
    const n = wordCount(text.slice(block.start, block.end));
    if (n > MAX_WORDS) {
      flush();
      out.push(...windows(text.slice(block.start, block.end), section.section));
      continue;
    }
    // A heading stays with the text after it.
    if (words + n > MAX_WORDS && buffer.some((b) => b.kind !== "heading")) flush();
    buffer.push(block);
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
