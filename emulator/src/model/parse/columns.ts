/**
 * A CSV as the lab model sees it before writing code (what a model learns from `df.head()`): its
 * columns, which hold numbers and which hold labels, and the labels themselves; and where a question
 * names a column ("units sold" → `units`, "temperature" → `temp_c`, "unit price" → `UnitPrice`) or one
 * of its labels ("in the West" → region = West). Matching is by word stems, so plurals, spaces,
 * underscores and camelCase do not matter. The numbers are never computed here: the Python does that.
 */
import { stem } from "./words.ts";

export interface Column {
  name: string;
  /** The stems of the words of its name, unit words left out ("revenue_eur" → ["revenu"]). */
  words: string[];
  /** Unit words of its name ("kwh" of "kWh Consumed", "km" of "km_driven"): a weaker way to name it. */
  units: string[];
  numeric: boolean;
  /** Distinct values of a label column (up to 200), in order of first appearance. */
  labels: string[];
}

export interface CsvProfile {
  columns: Column[];
  /** Data rows seen (the profile reads at most the first MB). */
  rows: number;
  /** The delimiter its header splits best at: , ; tab or |. */
  delimiter: string;
  /** Numbers are written with a decimal comma ("3,5" with ; as the delimiter). */
  decimalComma: boolean;
  /** The file is not text (NUL bytes, or mostly undecodable). */
  binary: boolean;
}

/** Where a question names a column: token positions [start, end) in `questionTokens`. */
export interface Mention {
  column: Column;
  start: number;
  end: number;
  /** Every word of the column's name is there (not just "salary" for "Annual Salary"). */
  complete: boolean;
}

/** Where a question names a label of a column ("West", "S-3", "open"). */
export interface LabelMention {
  column: Column;
  value: string;
  start: number;
  end: number;
}

export interface Token {
  word: string;
  stem: string;
  index: number;
}

/** Unit and currency words that a column name carries but a question leaves out. */
const UNIT_WORDS = new Set(
  "eur usd gbp chf sek nok dkk jpy eur kg g lb lbs c f k pct percent ms sec secs s min mins h hrs km mi m cm mm l ml kwh wh v mv w kw qty_unit"
    .split(" ")
    .map(stem),
);

/** Labels too ordinary to be a filter when a question happens to use the word ("no", "all", "other"). */
const ORDINARY = new Set(
  "yes no y n true false none null na n/a nan all any other others unknown total misc the a an of in on at to for and or is it".split(
    " ",
  ),
);

/** Abbreviations column names use, spelled out (both spellings then match). */
const ABBREVIATIONS: Record<string, string> = {
  qty: "quantity",
  temp: "temperature",
  amt: "amount",
  avg: "average",
  num: "number",
  no: "number",
  pct: "percent",
  rev: "revenue",
  hum: "humidity",
  desc: "description",
  cat: "category",
  dept: "department",
  loc: "location",
  wh: "warehouse",
  cust: "customer",
  prod: "product",
  dur: "duration",
  mins: "minutes",
  hrs: "hours",
  dt: "date",
  ts: "timestamp",
};

/** Words for money in general, and what columns of money are called or carry. */
const MONEY_WORDS = new Set("money cash takings".split(" ").map(stem));
const CURRENCY_UNITS = new Set("eur usd gbp chf sek nok dkk jpy".split(" ").map(stem));
const MONEY_NAMES = new Set(
  "price cost fare fee revenue amount sales spend spent paid total".split(" ").map(stem),
);

/** Words a question uses for what a column is called otherwise. A small, documented lexicon. */
const RELATED: string[][] = [
  ["revenue", "sales", "turnover", "income"],
  ["quantity", "units", "qty", "volume", "stock"],
  ["stock", "inventory", "on hand"],
  ["price", "cost"],
  ["temperature", "temp", "warm", "warmest", "hot", "hottest", "cold", "coldest", "coolest"],
  ["duration", "time", "minutes", "hours"],
  ["amount", "value", "total"],
  ["customer", "client"],
  ["salary", "earn", "earns", "earning", "earnings", "wage", "wages", "pay", "paid"],
  ["employee", "staff", "person"],
  ["consumption", "consumed", "usage", "used", "energy", "electricity", "power"],
  ["distance", "km", "kilometres", "kilometers", "miles", "driven"],
];

/** The words of a column name, split at _, -, spaces, dots and camelCase humps. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z]{2,}|[0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function tokensOf(text: string): Token[] {
  return [...text.matchAll(/[\p{L}\p{N}]+(?:[-'.][\p{L}\p{N}]+)*/gu)].map((m) => ({
    word: m[0],
    stem: stem(m[0]),
    index: m.index,
  }));
}

/** One CSV row split into cells, with "quoted, cells" and "" escapes. */
export function splitCsvLine(line: string, delimiter = ","): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells.map((v) => v.trim());
}

/** A cell as a number the way the written Python reads it: 1,234.5, €12, 45 % all count. */
export function cellNumber(cell: string): number | undefined {
  const cleaned = cell
    .trim()
    .replace(/^[$€£]/, "")
    .replace(/%$/, "")
    .replace(/,/g, "")
    .trim();
  if (cleaned === "") return undefined;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : undefined;
}

/** The delimiter a CSV uses: the one of , ; tab | that splits its header most. */
export function delimiterOf(header: string): string {
  let best = ",";
  let most = 0;
  for (const d of [",", ";", "\t", "|"]) {
    const n = splitCsvLine(header, d).length;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

export function profileCsv(text: string): CsvProfile {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const [head = "", ...data] = lines;
  const delimiter = delimiterOf(head);
  const names = splitCsvLine(head, delimiter);
  const rows = data.map((line) => splitCsvLine(line, delimiter));
  const columns = names.map((name, i): Column => {
    const cells = rows.map((r) => r[i] ?? "").filter((c) => c !== "");
    const numbers = cells.filter((c) => cellNumber(c) !== undefined).length;
    const numeric = cells.length > 0 && numbers >= cells.length * 0.9;
    const labels = numeric ? [] : [...new Set(cells)].slice(0, 200);
    const spelled = nameWords(name).flatMap((w) => (ABBREVIATIONS[w] ? [ABBREVIATIONS[w]] : [w]));
    const core = spelled.map(stem).filter((w) => !UNIT_WORDS.has(w));
    const units = spelled.map(stem).filter((w) => UNIT_WORDS.has(w));
    return {
      name,
      words: core.length > 0 ? core : spelled.map(stem),
      units: core.length > 0 ? units : [],
      numeric,
      labels,
    };
  });
  const cells = rows.flat();
  const decimalComma =
    delimiter !== "," &&
    cells.some((c) => /^-?\d+,\d+$/.test(c)) &&
    !cells.some((c) => /^-?\d+\.\d+$/.test(c));
  const odd = text.split("\uFFFD").length - 1;
  const binary = text.includes("\u0000") || odd > text.length * 0.05;
  return { columns, rows: rows.length, delimiter, decimalComma, binary };
}

/**
 * The columns a question names, longest match first, without overlaps: "unit price" is `unit_price`
 * when there is one, else the words may name `units` and `price` apart. A related word (lexicon)
 * counts when no column's own word is there.
 */
export function columnMentions(question: string, columns: Column[]): Mention[] {
  const tokens = tokensOf(question);
  const candidates: (Mention & { score: number })[] = [];
  const n0 = (column: Column) => column.words.length;
  for (const column of columns) {
    const n = column.words.length;
    // The whole name written as in the header ("revenue_eur").
    const literal = tokens.findIndex((t) => t.word.toLowerCase() === column.name.toLowerCase());
    if (literal >= 0)
      candidates.push({ column, start: literal, end: literal + 1, score: n + 2, complete: true });
    for (let i = 0; i < tokens.length; i++) {
      if (!column.words.includes(tokens[i]?.stem ?? "")) continue;
      // The name's words within a window as long as the name (plus one word in between).
      const window = tokens.slice(i, i + n + 1);
      const found = column.words.filter((w) => window.some((t) => t.stem === w));
      let end = i + 1;
      for (let j = i; j < i + window.length; j++) if (found.includes(tokens[j]?.stem ?? "")) end = j + 1;
      const complete = found.length === n;
      candidates.push({
        column,
        start: i,
        end,
        score: found.length + (complete ? 1 : 0) - n * 0.01,
        complete,
      });
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]?.stem ?? "";
    for (const column of columns) {
      if (column.units.includes(word))
        candidates.push({ column, start: i, end: i + 1, score: 0.4, complete: false });
    }
    // A related word only where no column is named by its own word ("stock" is `stock`, not `units`).
    if (columns.some((c) => c.words.includes(word))) continue;
    // "brings in the most money": a column of money, by its currency ("fare_eur") or its name.
    if (MONEY_WORDS.has(word)) {
      for (const column of columns) {
        if (
          column.numeric &&
          (column.units.some((u) => CURRENCY_UNITS.has(u)) || column.words.some((w) => MONEY_NAMES.has(w)))
        )
          candidates.push({ column, start: i, end: i + 1, score: 0.45 / n0(column), complete: false });
      }
    }
    for (const group of RELATED) {
      const stems = group.map(stem);
      if (!stems.includes(word)) continue;
      for (const column of columns) {
        if (column.words.some((w) => w !== word && stems.includes(w)))
          candidates.push({ column, start: i, end: i + 1, score: 0.5 / n0(column), complete: false });
      }
    }
  }
  const chosen: Mention[] = [];
  for (const c of candidates.sort((a, b) => b.score - a.score || a.start - b.start)) {
    if (chosen.some((m) => m.start < c.end && c.start < m.end)) continue;
    chosen.push({ column: c.column, start: c.start, end: c.end, complete: c.complete });
  }
  return chosen.sort((a, b) => a.start - b.start);
}

/**
 * The columns and labels a question names. A label written exactly ("open") wins over a column its
 * word only stems to ("opened"); a column named by its own words wins over a label.
 */
export function readQuestion(
  question: string,
  columns: Column[],
): { mentions: Mention[]; labels: LabelMention[] } {
  const tokens = tokensOf(question);
  const all = columnMentions(question, columns);
  const exact = all.filter((m) => {
    const own = new Set(nameWords(m.column.name).map((w) => ABBREVIATIONS[w] ?? w));
    for (const w of nameWords(m.column.name)) own.add(w);
    return tokens
      .slice(m.start, m.end)
      .every((t) => own.has(t.word.toLowerCase()) || !columnWord(m.column, t));
  });
  // A label longer than the column word inside it ("Server room" over `room`) is the label.
  const labels = labelMentions(question, columns, exact).filter(
    (l) => !exact.some((m) => m.start < l.end && l.start < m.end && l.end - l.start <= m.end - m.start),
  );
  const mentions = all.filter((m) => !labels.some((l) => l.start < m.end && m.start < l.end));
  return { mentions, labels };
}

/** Whether a token is one of the words that made it a mention of the column. */
function columnWord(column: Column, token: Token): boolean {
  return column.words.includes(token.stem);
}

/**
 * The labels of label columns that a question names as whole words ("in the West", "for S-3",
 * "open tickets"), longest first; a word already naming a column is not a label.
 */
export function labelMentions(question: string, columns: Column[], taken: Mention[]): LabelMention[] {
  const tokens = tokensOf(question);
  const lowered = tokens.map((t) => t.word.toLowerCase());
  const stems = tokens.map((t) => t.stem);
  const found: LabelMention[] = [];
  // A column word may sit inside a longer label ("Server room"); a label may not overlap another.
  const free = (start: number, end: number) =>
    !found.some((m) => m.start < end && start < m.end) &&
    !taken.some((m) => m.start < end && start < m.end && end - start <= m.end - m.start);
  const all = columns
    .filter((c) => !c.numeric)
    .flatMap((column) =>
      column.labels.map((value) => ({
        column,
        value,
        words: tokensOf(value).map((t) => t.word.toLowerCase()),
      })),
    )
    .filter((l) => l.words.length > 0 && l.value.length >= 2 && !ORDINARY.has(l.value.toLowerCase()))
    .sort((a, b) => b.words.length - a.words.length || b.value.length - a.value.length);
  for (const label of all) {
    for (let i = 0; i + label.words.length <= lowered.length; i++) {
      // Word for word, a plural allowed ("trucks" for the label "truck").
      if (
        !label.words.every(
          (w, k) => lowered[i + k] === w || (/\p{L}{3,}/u.test(w) && stems[i + k] === stem(w)),
        )
      )
        continue;
      if (!free(i, i + label.words.length)) continue;
      found.push({ column: label.column, value: label.value, start: i, end: i + label.words.length });
    }
  }
  // "e-bike rides" for a bike_type of "electric": "e-" and the column's own word is the electric one.
  for (const label of all) {
    if (label.value.toLowerCase() !== "electric") continue;
    for (const [i, word] of lowered.entries()) {
      const rest = /^e-?(\p{L}{3,})$/u.exec(word)?.[1];
      if (rest === undefined || !label.column.words.includes(stem(rest)) || !free(i, i + 1)) continue;
      found.push({ column: label.column, value: label.value, start: i, end: i + 1 });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
