/**
 * What argument filling reads once per call: the schema (each parameter's type, kind and the cue word it
 * listens for) and the message (its dates, numbers, names, quotes, e-mails and URLs, found by the shared
 * parsing layer), with the spans already used so that no piece of the message fills two parameters.
 */
import { isObject, type Json } from "../../../validate.ts";
import { CUE_WORDS, type Cue, cueOf } from "../../parse/cues.ts";
import { type WhenSpan, whenIn } from "../../parse/dates.ts";
import { emails, properNames, quoted, urls } from "../../parse/entities.ts";
import { related } from "../../parse/lexicon.ts";
import { CURRENCIES, type NumberSpan, numbers, UNITS } from "../../parse/numbers.ts";
import { overlaps, type Span } from "../../parse/spans.ts";
import { comparativeBases, GENERIC, STOPWORDS, sameStem, stem, words } from "../../parse/words.ts";

/** Everyday words that are never a value by themselves ("next train", "best hotel"). */
const COMMON = new Set(
  (
    "next last good best new old big small cheap cheapest nearest first earliest latest morning evening " +
    "night weekend week month year day time now later soon please thanks right left here there want need " +
    "like show find book get set check tell give cost much many how what when where which who one ones " +
    "thing things stuff"
  ).split(" "),
);

export interface Filled {
  /** One arguments object per call (several when one parameter was given several values). */
  calls: Json[];
  /** Required parameters the message gave no value for, by name. */
  missing: string[];
}

export interface FillOptions {
  strict: boolean;
  now?: Date;
  /** Where the user said they live, for "here" / "where I live". */
  home?: string;
}

export type Kind =
  | "enum"
  | "boolean"
  | "number"
  | "date"
  | "time"
  | "datetime"
  | "email"
  | "url"
  | "phone"
  | "currency"
  | "unit"
  | "code"
  | "text"
  | "entity"
  | "array"
  | "object";

export interface Param {
  name: string;
  spec: Json;
  type: string;
  nullable: boolean;
  required: boolean;
  kind: Kind;
  cue: Cue | undefined;
  description: string;
}

/** The first non-null type of a schema (`["string","null"]`, `anyOf: [{type:"string"},{type:"null"}]`). */
export function typeOf(spec: Json): { type: string; nullable: boolean; spec: Json } {
  if (Array.isArray(spec.anyOf)) {
    const options = spec.anyOf.filter(isObject);
    const real = options.find((o) => o.type !== "null") ?? {};
    return {
      ...typeOf({ ...real, description: spec.description ?? real.description }),
      nullable: options.some((o) => o.type === "null"),
    };
  }
  const types = Array.isArray(spec.type) ? spec.type.map(String) : [String(spec.type ?? "string")];
  const type = types.find((t) => t !== "null") ?? "string";
  return { type, nullable: types.includes("null"), spec };
}

const TEXTY = new Set(
  "text message body content note notes title subject query q search keyword keywords question prompt description summary reminder task todo comment caption label phrase sentence topic request instructions".split(
    " ",
  ),
);
const CODEY = new Set(
  "id code symbol ticker sku reference ref number iata icao isbn tracking postcode zip zipcode postal".split(
    " ",
  ),
);

export function kindOf(name: string, type: string, spec: Json, description: string): Kind {
  const nameWords = words(name);
  const all = [...nameWords, ...words(description)];
  const has = (list: string[], w: string) => list.includes(w);
  if (Array.isArray(spec.enum)) return "enum";
  if (type === "boolean") return "boolean";
  if (type === "number" || type === "integer") return "number";
  if (type === "array") return "array";
  if (type === "object") return "object";
  const format = typeof spec.format === "string" ? spec.format : "";
  if (format === "date") return "date";
  if (format === "time") return "time";
  if (format === "date-time") return "datetime";
  if (format === "email" || has(nameWords, "email") || /\be-?mail address/i.test(description)) return "email";
  if (
    format === "uri" ||
    format === "url" ||
    nameWords.some((w) => ["url", "link", "website", "uri"].includes(w))
  )
    return "url";
  if (nameWords.some((w) => ["phone", "mobile", "telephone"].includes(w))) return "phone";
  if (has(all, "currency") || has(all, "4217")) return "currency";
  if (nameWords.includes("unit") || nameWords.includes("units")) return "unit";
  const dated = nameWords.some((w) => ["date", "day", "when", "datetime", "deadline"].includes(w));
  const timed = nameWords.some((w) => ["time", "hour", "at", "datetime", "when"].includes(w));
  if (dated && timed) return "datetime";
  if (dated) return /\btime\b/i.test(description) ? "datetime" : "date";
  if (timed) return /\bdate\b/i.test(description) ? "datetime" : "time";
  if (nameWords.some((w) => TEXTY.has(w))) return "text";
  if (nameWords.some((w) => CODEY.has(w)) && !cueOf(name, "")) return "code";
  if (/\b(?:ISO 8601|YYYY-MM-DD)\b/i.test(description))
    return /\btime|hh:mm/i.test(description) ? "datetime" : "date";
  if (/\bHH:MM\b/i.test(description)) return "time";
  return "entity";
}

/** Which parameters are handled first: the ones whose values are easiest to recognize. */
export const ORDER: Kind[] = [
  "email",
  "url",
  "phone",
  "datetime",
  "date",
  "time",
  "currency",
  "unit",
  "enum",
  "number",
  "boolean",
  "code",
  "entity",
  "array",
  "object",
  "text",
];

const TIME_UNIT = /^(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)$/;

export class Reading {
  readonly used: Span[] = [];
  readonly quotes: Span[];
  readonly whens: WhenSpan[];
  readonly numbers: NumberSpan[];
  /** Numbers with a unit of time inside a relative moment ("in 28 minutes"). */
  readonly durations: NumberSpan[];
  readonly names: Span[];
  readonly emails: Span[];
  readonly urls: Span[];

  readonly text: string;
  readonly toolStems: string[];
  /** The tool's own words as written (for typing slips of them). */
  toolWords: string[] = [];
  /** The words of the tool's name ("scale_recipe" → scale, recipe). */
  nameWords: string[] = [];
  /** The cues the tool's parameters listen for: a name in another's slot is that one's. */
  cues = new Set<Cue>();
  /** The tool has a free-text parameter: quoted text is for it, not for a name. */
  hasText = false;

  constructor(message: string, now: Date, toolStems: string[]) {
    // "oslo -> bergen" reads as "oslo to bergen" (same length, so every span still points into it).
    const text = message.replace(/->/g, "to");
    this.text = text;
    this.toolStems = toolStems;
    this.quotes = quoted(text);
    this.emails = emails(text);
    this.urls = urls(text);
    this.whens = whenIn(text, now).filter((w) => !this.quotes.some((q) => overlaps(q, w)));
    const taken = [...this.quotes, ...this.emails, ...this.urls];
    const all = numbers(text);
    this.numbers = all.filter(
      (n) => ![...taken, ...this.whens].some((s) => overlaps(s, { index: n.index, end: n.valueEnd })),
    );
    // "5km in 28 minutes": chrono reads "in 28 minutes" as a moment, but a parameter that takes a
    // length of time in minutes wants the 28; these are offered to such parameters only.
    this.durations = all.filter(
      (n) =>
        n.unit !== undefined &&
        TIME_UNIT.test(n.unit) &&
        this.whens.some((w) => overlaps(w, { index: n.index, end: n.valueEnd }) && /^in\b/i.test(w.text)),
    );
    const ordinary = (w: string) => toolStems.some((s) => sameStem(s, stem(w)) || related(s, stem(w)));
    this.names = properNames(text, ordinary).filter(
      (n) =>
        ![...taken, ...this.whens].some((s) => overlaps(s, n)) &&
        CURRENCIES[n.text.toLowerCase()] === undefined,
    );
  }

  /** Values picked by position (enum options, currencies, units), which may sit inside another span. */
  readonly picked = new Set<string>();
  /** What free text leaves out besides the used spans: the picked words. */
  readonly removed: Span[] = [];

  pick(kind: string, span: Span): void {
    this.picked.add(`${kind}:${span.index}`);
    this.removed.push(span);
  }

  isPicked(kind: string, index: number): boolean {
    return this.picked.has(`${kind}:${index}`);
  }

  free(span: { index: number; end: number }): boolean {
    return !this.used.some((u) => overlaps(u, span));
  }

  use(...spans: Span[]): void {
    this.used.push(...spans);
  }

  private terseWords: Span[] | undefined;

  /**
   * A message typed all in lower case and short ("weather berlin", "hotel paris 2 nights"): its words
   * that are no common word, no word of the tool, no number, unit, currency or date, in order. They
   * stand in for the proper names such a message does not capitalize.
   */
  terse(): Span[] {
    if (this.terseWords !== undefined) return this.terseWords;
    this.terseWords = [];
    if (/\p{Lu}/u.test(this.text) || words(this.text).length > 8) return this.terseWords;
    const taken = [...this.whens, ...this.numbers, ...this.emails, ...this.urls, ...this.quotes];
    for (const m of this.text.matchAll(/[\p{Ll}][\p{L}'-]{2,}/gu)) {
      const word = m[0];
      const span = { text: word, index: m.index, end: m.index + word.length };
      const s = stem(word);
      if (STOPWORDS.has(word) || GENERIC.has(word) || COMMON.has(word) || UNITS.has(word)) continue;
      if (CURRENCIES[word] !== undefined || taken.some((t) => overlaps(t, span))) continue;
      if (this.toolStems.some((t) => sameStem(t, s) || related(t, s))) continue;
      // "which is warmer, madrid or lisbon": a comparative of the tool's quality is no name.
      const bases = comparativeBases(word).map(stem);
      if (bases.some((b) => this.toolStems.some((t) => sameStem(t, b) || related(t, b)))) continue;
      this.terseWords.push(span);
    }
    return this.terseWords;
  }

  /** The words just before a position, lower-cased ("… from " → "from"). */
  before(index: number, count = 2): string {
    return words(this.text.slice(Math.max(0, index - 40), index))
      .slice(-count)
      .join(" ");
  }
}

export function paramsOf(schema: Json): Param[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  return Object.entries(properties)
    .filter(([, spec]) => isObject(spec))
    .map(([name, raw]) => {
      const { type, nullable, spec } = typeOf(raw as Json);
      const description = typeof spec.description === "string" ? spec.description : "";
      return {
        name,
        spec,
        type,
        nullable,
        // A strict schema lists every property in `required` (OpenAI's rule for strict mode), so
        // `required` alone decides; `strict` is true by default on the service, even for schemas
        // written with optional parameters, so it cannot by itself make every parameter required.
        required: required.includes(name),
        kind: kindOf(name, type, spec, description),
        cue: cueOf(name, description),
        description,
      };
    })
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

export function take<T extends Span>(reading: Reading, spans: T[]): T | undefined {
  const span = spans.find((s) => reading.free(s));
  if (span !== undefined) reading.use(span);
  return span;
}

export function roleFits(reading: Reading, index: number, cue: Cue | undefined): boolean {
  if (cue === undefined) return true;
  const before = reading.before(index, 2);
  return CUE_WORDS[cue].some((w) => before === w || before.endsWith(` ${w}`));
}

/** Free text: quoted text first, else what the message says once the other values are taken out. */
export function isTitle(param: Param): boolean {
  return words(param.name).some((w) =>
    ["title", "subject", "name", "topic", "caption", "summary", "label"].includes(w),
  );
}
