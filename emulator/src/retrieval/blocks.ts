/**
 * The structure of a text or Markdown document, as file search needs it: headings (ATX `#`, setext
 * `===`/`---` underlines, a line that is all bold, and in plain text a short title line), paragraphs, list
 * items, tables (Markdown pipes, or plain-text columns aligned with spaces) and code. A heading is always a block of its own, whether or not a blank line follows it.
 * Every block keeps its offsets, so passages cut from blocks are verbatim slices of the document.
 */

export type Block =
  | { kind: "heading"; level: number; title: string; start: number; end: number }
  | { kind: "paragraph" | "item" | "code"; text: string; start: number; end: number }
  | { kind: "table"; header: string[]; rows: string[][]; start: number; end: number };

interface Line {
  text: string;
  start: number;
  end: number;
}

const ATX = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const BOLD_LINE = /^ {0,3}(?:\*\*|__)([^*_\n]{1,80}?)(?:\*\*|__):?[ \t]*$/;
const ITEM = /^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+\S/;
const FENCE = /^[ \t]*(?:```|~~~)/;
const TABLE_RULE = /^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$/;
const NUMBERED_TITLE = /^\d+(?:\.\d+)*\.?[ \t]+\p{Lu}/u;

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (const part of text.split("\n")) {
    out.push({ text: part.replace(/\r$/, ""), start, end: start + part.replace(/\r$/, "").length });
    start += part.length + 1;
  }
  return out;
}

const blank = (line: Line | undefined) => line === undefined || line.text.trim() === "";
const isTableRow = (text: string) =>
  /^[ \t]*\|.*\|[ \t]*$/.test(text) || (text.match(/\|/g)?.length ?? 0) >= 2;

/** A short line that reads as a title in a plain-text document ("Returns", "2.1 Scope", "SHIPPING:"). */
function plainTitle(lines: Line[], i: number): boolean {
  const text = lines[i]?.text.trim() ?? "";
  if (text === "" || ITEM.test(text) || !blank(lines[i - 1])) return false;
  // Its text follows directly, or after one blank line.
  if (blank(lines[i + 1]) && blank(lines[i + 2])) return false;
  const words = text.split(/\s+/).length;
  if (words > 8 || text.length > 70) return false;
  // A title has no columns in it: "Country   Allowance" heads a space-aligned table.
  if (/[.!?,;]$/.test(text) || isTableRow(text) || /\S(?: {2,}|\t+)\S/.test(text)) return false;
  if (!/^[\p{Lu}\p{N}]/u.test(text)) return false;
  return /:$/.test(text) || NUMBERED_TITLE.test(text) || words <= 6;
}

export function blocksOf(document: string): Block[] {
  const lines = linesOf(document);
  const marked = lines.some(
    (line, i) =>
      ATX.test(line.text) ||
      (SETEXT.test(line.text) && !blank(lines[i - 1]) && !isTableRow(lines[i - 1]?.text ?? "")),
  );
  const blocks: Block[] = [];
  let i = 0;
  // YAML front matter (--- … --- at the very top) is metadata, not text to quote.
  if (/^---\s*$/.test(lines[0]?.text ?? "")) {
    const close = lines.findIndex((line, k) => k > 0 && k < 50 && /^(?:---|\.\.\.)\s*$/.test(line.text));
    if (close > 0) {
      const last = lines[close] as Line;
      blocks.push({ kind: "code", text: document.slice(0, last.end), start: 0, end: last.end });
      i = close + 1;
    }
  }
  while (i < lines.length) {
    const line = lines[i] as Line;
    const text = line.text;
    if (text.trim() === "") {
      i++;
      continue;
    }
    if (/^ {0,3}(?:[-*_][ \t]*){3,}$/.test(text) && blank(lines[i - 1])) {
      i++; // a thematic break (---, ***) separates, it says nothing
      continue;
    }
    if (FENCE.test(text)) {
      let j = i + 1;
      while (j < lines.length && !FENCE.test(lines[j]?.text ?? "")) j++;
      const last = lines[Math.min(j, lines.length - 1)] as Line;
      blocks.push({
        kind: "code",
        text: document.slice(line.start, last.end),
        start: line.start,
        end: last.end,
      });
      i = j + 1;
      continue;
    }
    const atx = ATX.exec(text);
    if (atx) {
      blocks.push(heading(atx[1]?.length ?? 1, atx[2] ?? "", line));
      i++;
      continue;
    }
    const bold = BOLD_LINE.exec(text);
    if (bold && (blank(lines[i - 1]) || i === 0)) {
      blocks.push(heading(6, bold[1] ?? "", line));
      i++;
      continue;
    }
    const next = lines[i + 1];
    if (next && SETEXT.test(next.text) && !ITEM.test(text) && !isTableRow(text)) {
      blocks.push(heading(next.text.includes("=") ? 1 : 2, text, { ...line, end: next.end }));
      i += 2;
      continue;
    }
    if (!marked && plainTitle(lines, i)) {
      blocks.push(heading(/:$/.test(text.trim()) ? 3 : 2, text.trim().replace(/:$/, ""), line));
      i++;
      continue;
    }
    // The lines from i on that `cellsOf` reads as rows (undefined: the table has ended) become one table.
    const table = (cellsOf: (row: string) => string[] | null | undefined) => {
      let j = i;
      const rows: string[][] = [];
      for (
        let row = cellsOf(text);
        j < lines.length && row !== undefined;
        row = cellsOf(lines[++j]?.text ?? "")
      ) {
        if (row !== null) rows.push(row);
      }
      const [header = [], ...body] = rows;
      blocks.push({ kind: "table", header, rows: body, start: line.start, end: (lines[j - 1] as Line).end });
      i = j;
    };
    if (isTableRow(text) && next && (TABLE_RULE.test(next.text) || isTableRow(next.text))) {
      // A rule line (|---|---|) is part of the table but no row of it.
      table((row) => (!isTableRow(row) ? undefined : TABLE_RULE.test(row) ? null : cells(row)));
      continue;
    }
    // A plain-text table: columns aligned with runs of spaces, the same number of cells on each line.
    const width = spacedCells(text).length;
    if (width >= 2 && next && spacedCells(next.text).length === width) {
      table((row) => (spacedCells(row).length === width ? spacedCells(row) : undefined));
      continue;
    }
    // A paragraph or a list item: the following lines that start nothing new belong to it.
    const kind = ITEM.test(text) ? "item" : "paragraph";
    let j = i + 1;
    while (j < lines.length) {
      const more = lines[j]?.text ?? "";
      if (more.trim() === "" || ATX.test(more) || FENCE.test(more) || ITEM.test(more)) break;
      if (kind === "paragraph" && isTableRow(more) && !isTableRow(text)) break;
      if (SETEXT.test(lines[j + 1]?.text ?? "") && !blank(lines[j])) break;
      if (BOLD_LINE.test(more)) break;
      j++;
    }
    const last = lines[j - 1] as Line;
    blocks.push({ kind, text: document.slice(line.start, last.end), start: line.start, end: last.end });
    i = j;
  }
  return blocks;
}

function heading(level: number, title: string, line: Line): Block {
  return {
    kind: "heading",
    level,
    title: title.replace(/[*_`]/g, "").trim(),
    start: line.start,
    end: line.end,
  };
}

/** The cells of a line aligned with runs of two or more spaces (or tabs); one cell when it is not. */
function spacedCells(line: string): string[] {
  const text = line.trim();
  if (text === "" || ITEM.test(line) || !/\S(?: {2,}|\t+)\S/.test(text)) return [text];
  return text.split(/ {2,}|\t+/);
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** Inline Markdown removed, line wraps undone: the words a reader sees. */
export function plain(text: string): string {
  return text
    .replace(/^[ \t]*>[ \t]?/gm, "")
    .replace(/^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+/, "")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\*\*|__|`/g, "")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

const ABBREVIATIONS =
  /\b(?:e\.g|i\.e|etc|vs|approx|incl|excl|no|nr|dr|mr|mrs|ms|st|fig|min|max|dept|ca|cf|resp|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.$/i;

/** Sentences of one paragraph or item, split after . ! ? when a capital, digit or quote follows. */
export function sentencesOf(text: string): string[] {
  const flat = plain(text);
  const out: string[] = [];
  let current = "";
  for (const piece of flat.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(“])/u)) {
    current = current ? `${current} ${piece}` : piece;
    if (!ABBREVIATIONS.test(current)) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/** A table row as a sentence a reader can take on its own: "Warehouse: Oslo; Stock: 120". */
export function rowSentence(header: string[], row: string[]): string {
  return row
    .map((cell, i) => {
      const name = plain(header[i] ?? "");
      const value = plain(cell);
      return name && value ? `${name}: ${value}` : value;
    })
    .filter((part) => part !== "")
    .join("; ");
}
