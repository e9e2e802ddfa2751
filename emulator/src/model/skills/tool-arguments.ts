/**
 * A function call's arguments, read from the user's words for any parameter of the tool's JSON schema:
 * dates and times ("tomorrow at 7pm" → "2026-12-02" / "19:00"), numbers next to the unit or currency the
 * parameter implies ("for 4 people", "$20"), enums, booleans, currencies and units by role ("100 dollars
 * to euros"), e-mail addresses, URLs, names after the cue word the parameter's name or description
 * implies (from/to/at/in/with), quoted text, and free text (what is left of the request). Every piece of
 * the message is used at most once. A list of names in one slot ("Oslo and Paris") gives one call each.
 * With `strict`, every property is present (null where the schema allows it and nothing was said), so the
 * arguments validate; a required value that is not there is reported as missing instead of invented.
 */
import { isObject, type Json } from "../../validate.ts";
import { CUE_WORDS, type Cue, cueOf } from "../parse/cues.ts";
import { type WhenSpan, whenIn } from "../parse/dates.ts";
import { emails, properNames, quoted, urls } from "../parse/entities.ts";
import { related } from "../parse/lexicon.ts";
import { CURRENCIES, type NumberSpan, numbers, UNITS } from "../parse/numbers.ts";
import { overlaps, type Span, without } from "../parse/spans.ts";
import { contentStems, STOPWORDS, sameStem, stem, words } from "../parse/words.ts";

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

type Kind =
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

interface Param {
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
function typeOf(spec: Json): { type: string; nullable: boolean; spec: Json } {
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
const CODEY = new Set("id code symbol ticker sku reference ref number iata icao isbn tracking".split(" "));

function kindOf(name: string, type: string, spec: Json, description: string): Kind {
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
const ORDER: Kind[] = [
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

class Reading {
  readonly used: Span[] = [];
  readonly quotes: Span[];
  readonly whens: WhenSpan[];
  readonly numbers: NumberSpan[];
  readonly names: Span[];
  readonly emails: Span[];
  readonly urls: Span[];

  readonly text: string;
  readonly toolStems: string[];
  /** The tool has a free-text parameter: quoted text is for it, not for a name. */
  hasText = false;

  constructor(text: string, now: Date, toolStems: string[]) {
    this.text = text;
    this.toolStems = toolStems;
    this.quotes = quoted(text);
    this.emails = emails(text);
    this.urls = urls(text);
    this.whens = whenIn(text, now).filter((w) => !this.quotes.some((q) => overlaps(q, w)));
    const taken = [...this.quotes, ...this.emails, ...this.urls];
    this.numbers = numbers(text).filter(
      (n) => ![...taken, ...this.whens].some((s) => overlaps(s, { index: n.index, end: n.valueEnd })),
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

  /** The words just before a position, lower-cased ("… from " → "from"). */
  before(index: number, count = 2): string {
    return words(this.text.slice(Math.max(0, index - 40), index))
      .slice(-count)
      .join(" ");
  }
}

export function fillArguments(tool: Json, text: string, options: FillOptions): Filled {
  const schema = isObject(tool.parameters) ? tool.parameters : {};
  const paramNames = Object.keys(isObject(schema.properties) ? schema.properties : {}).join(" ");
  const toolStems = contentStems(
    `${String(tool.name ?? "")} ${String(tool.description ?? "")} ${paramNames}`,
  );
  const reading = new Reading(text, options.now ?? new Date(), toolStems);
  return fillObject(schema, reading, options);
}

function paramsOf(schema: Json, strict: boolean): Param[] {
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
        required: strict || required.includes(name),
        kind: kindOf(name, type, spec, description),
        cue: cueOf(name, description),
        description,
      };
    })
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

function fillObject(schema: Json, reading: Reading, options: FillOptions): Filled {
  const params = paramsOf(schema, options.strict);
  reading.hasText ||= params.some((p) => p.kind === "text");
  const args: Json = {};
  const missing: string[] = [];
  let fanOut: { name: string; values: unknown[] } | undefined;
  // One free-text parameter takes what is left of the message: the body, not the title next to it.
  const texts = params.filter((p) => p.kind === "text");
  const primary = texts.find((p) => !isTitle(p)) ?? texts[0];
  for (const param of params) {
    let value: unknown;
    if (param.kind === "entity") {
      const values = entities(param, reading, options);
      if (values.length > 1 && fanOut === undefined) fanOut = { name: param.name, values };
      value = values[0];
    } else if (param.kind === "object") {
      const inner = fillObject(param.spec, reading, options);
      if (inner.missing.length === 0) value = inner.calls[0];
      else if (param.required && !param.nullable)
        missing.push(...inner.missing.map((m) => `${param.name}.${m}`));
    } else if (param.kind === "text") {
      value = freeText(param, reading, param !== primary, params);
    } else {
      value = valueFor(param, reading);
    }
    if (value === undefined && param.kind === "boolean" && param.required && !param.nullable) value = false;
    if (value === undefined && param.spec.default !== undefined && param.required) value = param.spec.default;
    if (value !== undefined) args[param.name] = value;
    else if (param.required && param.nullable) args[param.name] = null;
    else if (param.required && param.kind !== "object") missing.push(param.name);
  }
  const calls =
    fanOut === undefined ? [args] : fanOut.values.map((v) => ({ ...args, [fanOut?.name ?? ""]: v }));
  // Keep the schema's property order, as a model writes them.
  const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
  return {
    calls: calls.map((call) =>
      Object.fromEntries(properties.filter((p) => p in call).map((p) => [p, call[p]])),
    ),
    missing: params
      .filter((p) => missing.includes(p.name))
      .map((p) => p.name)
      .concat(missing.filter((m) => m.includes("."))),
  };
}

function valueFor(param: Param, reading: Reading): unknown {
  switch (param.kind) {
    case "email":
      return take(reading, reading.emails)?.text;
    case "url":
      return take(reading, reading.urls)?.text;
    case "phone": {
      const m = /\+?\d[\d ().-]{6,}\d/.exec(reading.text);
      return m?.[0];
    }
    case "date":
    case "time":
    case "datetime":
      return when(param, reading);
    case "currency":
      return currency(param, reading);
    case "unit":
      return unit(param, reading);
    case "enum":
      return enumValue(param, reading);
    case "number":
      return numberValue(param, reading);
    case "boolean":
      return booleanValue(param, reading);
    case "code":
      return code(reading);
    case "array":
      return arrayValue(param, reading);
    default:
      return undefined;
  }
}

function take<T extends Span>(reading: Reading, spans: T[]): T | undefined {
  const span = spans.find((s) => reading.free(s));
  if (span !== undefined) reading.use(span);
  return span;
}

function when(param: Param, reading: Reading): string | undefined {
  const wanted = param.kind;
  const free = reading.whens.filter((w) => reading.free(w));
  const fits = (w: WhenSpan) =>
    wanted === "date" ? w.date !== undefined : wanted === "time" ? w.time !== undefined : true;
  // A parameter about the end ("return_date", "end_time") takes the later of two.
  const later = /\b(?:return|end|until|to|check ?out|finish)\b/i.test(`${param.name.replace(/_/g, " ")}`);
  const candidates = free.filter(fits);
  const span = later ? candidates[candidates.length - 1] : candidates[0];
  if (span === undefined) return undefined;
  // A date and a time in one phrase serve a date and a time parameter both: use it up only when it
  // gave what every date/time parameter needs.
  if (wanted === "datetime" || span.date === undefined || span.time === undefined) reading.use(span);
  else if (wanted === "time") reading.use(span);
  if (wanted === "date") return span.date;
  if (wanted === "time") return span.time;
  return span.time === undefined ? (span.date ?? span.dateTime.slice(0, 10)) : span.dateTime;
}

function roleFits(reading: Reading, index: number, cue: Cue | undefined): boolean {
  if (cue === undefined) return true;
  const before = reading.before(index, 2);
  return CUE_WORDS[cue].some((w) => before === w || before.endsWith(` ${w}`));
}

function currency(param: Param, reading: Reading): string | undefined {
  const candidates: Array<{ code: string; index: number; end: number; attached: boolean }> = [];
  for (const n of reading.numbers)
    if (n.currency) candidates.push({ code: n.currency, index: n.index, end: n.end, attached: true });
  for (const m of reading.text.matchAll(/[$€£¥₹]|\b[A-Za-z]+\b/gu)) {
    const code = CURRENCIES[m[0].toLowerCase()];
    // A three-letter code counts in capitals only ("EUR", not "eur" inside a sentence), except "yen".
    if (
      code === undefined ||
      (m[0].length === 3 && m[0] !== m[0].toUpperCase() && m[0].toLowerCase() !== "yen")
    )
      continue;
    // Inside a number's span, or the code written just before it ("EUR 1,200"): already a candidate.
    if (candidates.some((c) => c.attached && m.index < c.end && m.index + m[0].length + 2 >= c.index))
      continue;
    candidates.push({ code, index: m.index, end: m.index + m[0].length, attached: false });
  }
  candidates.sort((a, b) => a.index - b.index);
  const free = candidates.filter((c) => !reading.isPicked("currency", c.index));
  const pick =
    param.cue === "from"
      ? (free.find((c) => c.attached) ??
        free.find((c) => roleFits(reading, c.index, "from")) ??
        // "… in yen" names what to convert to, never what from.
        free.find((c) => !/^(?:to|into|in)$/.test(reading.before(c.index, 1))))
      : param.cue === "to"
        ? (free.find((c) => !c.attached && roleFits(reading, c.index, "to")) ??
          free.find((c) => !c.attached) ??
          free[free.length - 1])
        : free[0];
  if (pick === undefined) return undefined;
  reading.pick("currency", { text: pick.code, index: pick.index, end: pick.end });
  return pick.code;
}

function unit(param: Param, reading: Reading): string | undefined {
  const found: Array<{ word: string; index: number; attached: boolean }> = [];
  for (const n of reading.numbers)
    if (n.unit && UNITS.has(n.unit))
      found.push({ word: n.unit, index: n.end - n.unit.length, attached: true });
  for (const m of reading.text.matchAll(/[\p{L}°/]+/gu)) {
    const w = m[0].toLowerCase();
    if (!UNITS.has(w) || found.some((f) => f.index === m.index)) continue;
    found.push({ word: w, index: m.index, attached: false });
  }
  const free = found.filter((f) => !reading.isPicked("unit", f.index));
  const pick =
    param.cue === "to"
      ? (free.find((f) => !f.attached && roleFits(reading, f.index, "to")) ?? free[free.length - 1])
      : (free.find((f) => f.attached) ?? free[0]);
  if (pick === undefined) return undefined;
  reading.pick("unit", { text: pick.word, index: pick.index, end: pick.index + pick.word.length });
  return pick.word;
}

/** Words that name an enum option differently ("°C" for celsius). */
const ALIASES: Record<string, string[]> = {
  celsius: ["°c", "centigrade", "degrees c"],
  fahrenheit: ["°f", "degrees f"],
  km: ["kilometre", "kilometer", "kilometres", "kilometers", "kms"],
  miles: ["mile", "mi"],
  m: ["metre", "meter", "metres", "meters"],
  kg: ["kilogram", "kilograms", "kilo", "kilos", "kgs"],
  lb: ["pound", "pounds", "lbs"],
  g: ["gram", "grams"],
  litres: ["litre", "liter", "liters", "l"],
  gallons: ["gallon", "gal"],
  economy: ["coach"],
  first: ["first class"],
  high: ["urgent", "important", "asap"],
  low: ["whenever"],
};

function enumValue(param: Param, reading: Reading): unknown {
  const options = (param.spec.enum as unknown[]) ?? [];
  const hits: Array<{ option: unknown; index: number; end: number }> = [];
  const lower = reading.text.toLowerCase();
  for (const option of options) {
    const label = String(option);
    const forms = [label, label.replace(/[_-]/g, " "), ...(ALIASES[label.toLowerCase()] ?? [])];
    for (const form of forms) {
      const pattern = new RegExp(
        `(?<![\\p{L}\\p{N}])${escapeRegExp(form.toLowerCase())}(?:s|es)?(?![\\p{L}\\p{N}])`,
        "gu",
      );
      for (const m of lower.matchAll(pattern))
        hits.push({ option, index: m.index, end: m.index + m[0].length });
    }
    // A word of the option by its stem ("booked" for "booking"), for options longer than an abbreviation.
    if (label.length > 3 && !hits.some((h) => h.option === option)) {
      const at = words(reading.text).findIndex((w) => sameStem(stem(w), stem(label)));
      const word = words(reading.text)[at] ?? "";
      if (at >= 0) hits.push({ option, index: lower.indexOf(word), end: lower.indexOf(word) + word.length });
    }
  }
  const free = hits
    .filter((h) => !reading.isPicked("enum", h.index) && reading.free(h))
    .sort((a, b) => a.index - b.index);
  // An option right after a number ("5 miles") is what is converted from; one after "to"/"into"/"in"
  // is what it is converted to.
  const attached = (h: { index: number }) =>
    reading.numbers.some(
      (n) => n.valueEnd <= h.index && /^\s*$/.test(reading.text.slice(n.valueEnd, h.index)),
    );
  const pick =
    param.cue === "to"
      ? (free.find((h) => roleFits(reading, h.index, "to")) ??
        free.find((h) => !attached(h)) ??
        free[free.length - 1])
      : param.cue === "from"
        ? (free.find((h) => roleFits(reading, h.index, "from")) ?? free.find(attached) ?? free[0])
        : free[0];
  if (pick === undefined) return undefined;
  reading.pick("enum", { text: String(pick.option), index: pick.index, end: pick.end });
  return pick.option;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const PEOPLE = new Set(
  "people person persons guest guests party size seat seats passenger passengers adult adults traveller travellers traveler travelers ticket tickets diner diners attendee attendees pax of us".split(
    " ",
  ),
);
const MONEY = new Set("amount price budget cost sum total money fee balance salary value".split(" "));

function numberValue(param: Param, reading: Reading): number | undefined {
  const free = reading.numbers.filter((n) => reading.free(n));
  const paramWords = [...words(param.name), ...words(param.description)];
  if (free.length === 0) return impliedNumber(paramWords, reading);
  const wantsPeople = paramWords.some((w) => PEOPLE.has(w));
  const wantsMoney = paramWords.some((w) => MONEY.has(w)) || param.kind === "currency";
  const scoreOf = (n: NumberSpan) => {
    let s = 0;
    const before = reading.before(n.index, 3);
    if (n.unit !== undefined && paramWords.some((w) => sameStem(stem(w), stem(n.unit ?? "")))) s += 3;
    if (wantsPeople) {
      if (n.unit !== undefined && PEOPLE.has(n.unit)) s += 3;
      if (/\b(?:for|party of|table for|group of)$/.test(before)) s += 2;
      if (n.currency) s -= 3;
    }
    if (wantsMoney) s += n.currency ? 3 : 0;
    else if (n.currency) s -= 1;
    if (n.unit !== undefined && !wantsPeople && PEOPLE.has(n.unit)) s -= 2;
    // Words of the parameter's own name right before the number: "limit 5", "top 3".
    if (words(param.name).some((w) => before.split(" ").some((b) => sameStem(stem(b), stem(w))))) s += 2;
    return s;
  };
  const best = [...free].sort((a, b) => scoreOf(b) - scoreOf(a) || a.index - b.index)[0];
  if (best === undefined || scoreOf(best) < -1) return undefined;
  reading.use(best);
  const value = best.value * timeFactor(best.unit, paramWords);
  return param.type === "integer" ? Math.round(value) : value;
}

const SECONDS: Record<string, number> = {
  second: 1,
  sec: 1,
  minute: 60,
  min: 60,
  hour: 3600,
  hr: 3600,
  day: 86400,
};

/** "90 seconds" for a parameter in minutes is 1.5; "2 hours" is 120. Other units stay as said. */
function timeFactor(unit: string | undefined, paramWords: string[]): number {
  const said = SECONDS[(unit ?? "").replace(/s$/, "")];
  const wanted = paramWords.map((w) => SECONDS[w.replace(/s$/, "")]).find((n) => n !== undefined);
  return said === undefined || wanted === undefined ? 1 : said / wanted;
}

/** Numbers said without digits: "just me" is one person, "a week" is seven nights. */
function impliedNumber(paramWords: string[], reading: Reading): number | undefined {
  if (
    paramWords.some((w) => PEOPLE.has(w)) &&
    /\b(?:just|only) me\b|\bby myself\b|\balone\b|\bsolo\b/i.test(reading.text)
  )
    return 1;
  if (paramWords.some((w) => ["night", "nights", "day", "days"].includes(w))) {
    const weeks = /\b(a|one|two|three|four)\s+weeks?\b|\ba fortnight\b/i.exec(reading.text);
    const count: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4 };
    if (weeks !== null) return weeks[1] === undefined ? 14 : 7 * (count[weeks[1].toLowerCase()] ?? 1);
    if (/\bthe weekend\b/i.test(reading.text)) return 2;
  }
  return undefined;
}

const BOOLEAN_FILLER = new Set([
  "is",
  "has",
  "include",
  "includes",
  "with",
  "enable",
  "enabled",
  "allow",
  "use",
  "want",
  "flag",
  "should",
  "only",
]);

function booleanValue(param: Param, reading: Reading): boolean | undefined {
  const keys = words(param.name).filter((w) => !BOOLEAN_FILLER.has(w) && !STOPWORDS.has(w));
  const said = words(reading.text);
  for (let i = 0; i < said.length; i++) {
    const w = said[i] ?? "";
    if (!keys.some((k) => sameStem(stem(k), stem(w)))) continue;
    const before = said.slice(Math.max(0, i - 3), i);
    return !before.some((b) =>
      ["no", "not", "without", "don't", "dont", "never", "non", "exclude", "excluding"].includes(b),
    );
  }
  return undefined;
}

function code(reading: Reading): string | undefined {
  const quote = take(reading, reading.quotes);
  if (quote) return quote.text;
  // "LH 400": an airline or carrier code and its number, written apart, is one code.
  const split = /\b([A-Z]{2,3}) (\d{1,5})\b/.exec(reading.text);
  if (split !== null) {
    const span = { text: `${split[1]}${split[2]}`, index: split.index, end: split.index + split[0].length };
    if (reading.free(span)) {
      reading.use(span, ...reading.numbers.filter((n) => overlaps(n, span)));
      return span.text;
    }
  }
  // "order A-1234", "#4411", "AAPL": a token with digits or all capitals.
  for (const m of reading.text.matchAll(
    /#?\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{1,}\b|\b[A-Z]{2,6}\b/g,
  )) {
    const span = { text: m[0].replace(/^#/, ""), index: m.index, end: m.index + m[0].length };
    if (!reading.free(span) || reading.whens.some((w) => overlaps(w, span))) continue;
    if (/^\d+$/.test(span.text) && reading.numbers.some((n) => overlaps(n, span) && n.unit !== undefined))
      continue;
    reading.use(span);
    reading.use(...reading.numbers.filter((n) => overlaps(n, span)));
    return span.text;
  }
  return undefined;
}

/** Names in the slot a cue word opens: "from Oslo", "at Luigi's", "in Oslo and Paris". */
function entities(param: Param, reading: Reading, options: FillOptions): string[] {
  const named = namedValue(param, reading);
  if (named !== undefined) return [named];
  const names = reading.names.filter((n) => reading.free(n));
  if (param.cue !== undefined) {
    for (const name of names) {
      if (!roleFits(reading, name.index, param.cue) && !roleFits(reading, name.index - 4, param.cue))
        continue;
      // "the Ritz": allow an article between the cue and the name.
      const list = [name, ...following(reading, name, names)];
      reading.use(...list);
      return joinCommaPairs(param, reading, list).map((n) => n.text);
    }
    if (param.cue === "in" || param.cue === "at") {
      const home = /\b(?:here|where i live|my (?:city|town|place)|at home|near me)\b/i.test(reading.text);
      if (home && options.home !== undefined) return [options.home];
      const lower = lowercaseAfterCue(param.cue, reading);
      if (lower !== undefined) return [lower];
    }
  }
  if (!reading.hasText) {
    const quote = take(reading, reading.quotes);
    if (quote !== undefined) return [quote.text];
  }
  // People are named after "with" (or "to", "for", "invite"): any other name is something else.
  if (param.cue === "with") return [];
  // No cue before it: the next unused name ("Oslo weather?"), unless that name sits in another role's
  // slot ("to Bergen" is a destination, not a station) or is a title ("called Dentist").
  const name = names.find((n) => {
    const before = reading.before(n.index, 1);
    if (/^(?:called|titled|named)$/.test(before)) return false;
    return param.cue === undefined || !/^(?:to|from|with)$/.test(before);
  });
  if (name === undefined) {
    const object = objectNoun(param, reading);
    return object === undefined ? [] : [object];
  }
  const list = [name, ...following(reading, name, names)];
  reading.use(...list);
  return joinCommaPairs(param, reading, list).map((n) => n.text);
}

/** Names joined to this one by "and", "or", "&" or commas. */
function following(reading: Reading, first: Span, names: Span[]): Span[] {
  const out: Span[] = [];
  let last = first;
  for (const next of names) {
    if (next.index <= last.index) continue;
    const gap = reading.text.slice(last.end, next.index);
    if (!/^\s*(?:,|,?\s*and|,?\s*or|&)\s*$/i.test(gap)) break;
    out.push(next);
    last = next;
  }
  return out;
}

/**
 * A parameter whose description shows a comma inside one value ("City and country, e.g. Lima, Peru")
 * takes "Lima, Peru" whole; only "and"/"or"/"&" then separate values.
 */
function joinCommaPairs(param: Param, reading: Reading, list: Span[]): Span[] {
  if (
    !/\p{Lu}[\p{L}.-]*, \p{Lu}/u.test(param.description) &&
    !/\band (?:country|state|region)\b/i.test(param.description)
  )
    return list;
  // Only a pair joined by a comma alone: "Oslo, Bergen and Tromsø" is a list of three.
  const [first, second] = list;
  if (list.length !== 2 || first === undefined || second === undefined) return list;
  if (!/^\s*,\s*$/.test(reading.text.slice(first.end, second.index))) return list;
  return [{ text: reading.text.slice(first.index, second.end), index: first.index, end: second.end }];
}

/**
 * The last resort for a name-like parameter: the thing the request acts on, in lower case ("Set the
 * kitchen to 21 degrees" → kitchen; "the living room" → living room when the parameter is a room).
 */
function objectNoun(param: Param, reading: Reading): string | undefined {
  const paramWords = words(param.name);
  for (const m of reading.text.matchAll(
    /\b(?:the|my|our)\s+([\p{Ll}][\p{L}'-]+)(?:\s+([\p{Ll}][\p{L}'-]+))?/gu,
  )) {
    const [, first = "", second] = m;
    const index = m.index + m[0].indexOf(first);
    const phrase = second !== undefined && paramWords.includes(second) ? `${first} ${second}` : first;
    const span = { text: phrase, index, end: index + phrase.length };
    if (
      !reading.free(span) ||
      STOPWORDS.has(first) ||
      reading.toolStems.some((s) => sameStem(s, stem(first)))
    )
      continue;
    if (reading.whens.some((w) => overlaps(w, span)) || [...reading.removed].some((r) => overlaps(r, span)))
      continue;
    reading.use(span);
    return phrase;
  }
  return undefined;
}

/** "in oslo" typed in lower case: one word after the cue that is no stop word or tool word. */
function lowercaseAfterCue(cue: Cue, reading: Reading): string | undefined {
  const cueWords = CUE_WORDS[cue].filter((w) => !w.includes(" "));
  const pattern = new RegExp(`\\b(?:${cueWords.join("|")})\\s+([\\p{Ll}][\\p{L}'-]+)`, "gu");
  for (const m of reading.text.matchAll(pattern)) {
    const word = m[1] ?? "";
    const index = m.index + m[0].length - word.length;
    const span = { text: word, index, end: index + word.length };
    if (!reading.free(span) || reading.whens.some((w) => overlaps(w, span))) continue;
    if (STOPWORDS.has(word) || reading.toolStems.some((s) => sameStem(s, stem(word)))) continue;
    if (
      ["general", "total", "advance", "time", "case", "order", "person", "detail", "details"].includes(word)
    )
      continue;
    reading.use(span);
    return word;
  }
  return undefined;
}

/** "my order number is A-1234", "name: Ada": the parameter's own name, then its value. */
function namedValue(param: Param, reading: Reading): string | undefined {
  const label = words(param.name).join("[ _-]?");
  const pattern = new RegExp(`\\b${label}\\s*(?:is|=|:|of|called|named)\\s*("[^"]+"|[^,.;!?\\n]+)`, "i");
  const m = pattern.exec(reading.text);
  const raw = m?.[1];
  if (m === null || raw === undefined) return undefined;
  const index = m.index + m[0].length - raw.length;
  const value =
    raw
      .replace(/^"|"$/g, "")
      .split(/\s+(?:and|but|at|on|for|with|to|from|in)\s+/i)[0]
      ?.trim() ?? "";
  const span = { text: value, index, end: index + value.length };
  if (value === "" || !reading.free(span)) return undefined;
  reading.use(span, ...reading.names.filter((n) => overlaps(n, span)));
  return value;
}

function arrayValue(param: Param, reading: Reading): unknown[] | undefined {
  const items = isObject(param.spec.items) ? param.spec.items : {};
  const { type } = typeOf(items);
  const inner: Param = {
    ...param,
    spec: items,
    type,
    kind: kindOf(param.name, type, items, param.description),
  };
  if (inner.kind === "number") {
    const all = reading.numbers.filter((n) => reading.free(n));
    reading.use(...all);
    return all.length === 0
      ? undefined
      : all.map((n) => (type === "integer" ? Math.round(n.value) : n.value));
  }
  if (inner.kind === "email") {
    const all = reading.emails.filter((e) => reading.free(e));
    reading.use(...all);
    return all.length === 0 ? undefined : all.map((e) => e.text);
  }
  if (inner.kind === "enum") {
    const out: unknown[] = [];
    for (let v = enumValue(inner, reading); v !== undefined; v = enumValue(inner, reading))
      if (!out.includes(v)) out.push(v);
    return out.length === 0 ? undefined : out;
  }
  const quotes = reading.quotes.filter((q) => reading.free(q));
  if (quotes.length > 0) {
    reading.use(...quotes);
    return quotes.map((q) => q.text);
  }
  const values = entities({ ...inner, kind: "entity" }, reading, { strict: false });
  if (values.length > 0) return values;
  const listed = lowercaseList(reading);
  return listed.length === 0 ? undefined : listed;
}

/** "with eggs, spinach and feta", "using lentils": things named in lower case after "with"/"using". */
function lowercaseList(reading: Reading): string[] {
  const item = String.raw`[\p{Ll}][\p{L}'-]*(?: (?!(?:and|or|in|for|under|within|with|at|on|by|that|please)\b)[\p{Ll}][\p{L}'-]*)?`;
  const pattern = new RegExp(
    String.raw`\b(?:with|using|from|of|include|including)\s+(${item}(?:\s*(?:,|\band\b|&)\s*${item})*)`,
    "gu",
  );
  for (const m of reading.text.matchAll(pattern)) {
    const list = m[1] ?? "";
    const index = m.index + m[0].length - list.length;
    const items = list
      .split(/\s*(?:,|\band\b|&)\s*/)
      .map((i) => i.replace(/\s+(?:in|for|under|within|at|on|by|that|which|please)$/, "").trim())
      .filter((i) => i !== "" && !STOPWORDS.has(i) && !reading.toolStems.some((s) => sameStem(s, stem(i))));
    const span = { text: list, index, end: index + list.length };
    if (items.length === 0 || !reading.free(span)) continue;
    reading.use(span);
    return items;
  }
  return [];
}

/** Verbs that ask for the tool's action rather than say what it is about ("Set an alert …"). */
const REQUEST_VERBS = new Set(
  "set put add create make schedule book send write save plan arrange log record enter need want like give tell show new find get look fetch search check".split(
    " ",
  ),
);

/** Words that join a free text to the rest of the request, dropped at its ends. */
const CONNECTORS = new Set(
  "to for of on in at with by about that and or please me my the a an so then also just now any some there is are".split(
    " ",
  ),
);

/** Phrases that lead into free text and are not part of it. */
const LEAD_INS =
  /^(?:(?:please|can you|could you|would you|will you|i want to|i'd like to|i would like to|i need to|help me|go ahead and|and|then|also|me|to|that|saying|say|says|which says|with the (?:text|message)|about|for|of|called|titled|named|on|is|it|my|new|put|add|create|make|schedule|set|book|send|write|save|plan|arrange|log|record|enter|jot down|note down|(?:a |the )?(?:note|message|line|text|mail|email|e-mail) (?:that|saying|to say))\b[\s,:]*)+/i;

/** Free text: quoted text first, else what the message says once the other values are taken out. */
function isTitle(param: Param): boolean {
  return words(param.name).some((w) =>
    ["title", "subject", "name", "topic", "caption", "summary", "label"].includes(w),
  );
}

function freeText(param: Param, reading: Reading, secondary: boolean, params: Param[]): string | undefined {
  const quote = take(reading, reading.quotes);
  if (quote !== undefined) return quote.text;
  if (secondary || isTitle(param)) {
    // A title next to a body: "called X" / "about X" names the title.
    const m = /\b(?:called|titled|named|about|subject)\s+([^,.;:!?\n]+)/i.exec(reading.text);
    if (m?.[1] !== undefined) {
      const index = m.index + m[0].length - m[1].length;
      const value = m[1].split(/\s+(?:on|at|for|with|from|tomorrow|today|tonight|next)\b/i)[0]?.trim() ?? "";
      const span = { text: value, index: index - (m[0].length - m[1].length), end: index + value.length };
      if (value !== "" && reading.free({ index, end: index + value.length })) {
        reading.use(span);
        return value;
      }
    }
    if (secondary) return undefined;
  }
  const toolStems = reading.toolStems;
  let rest = without(
    reading.text,
    [...reading.used, ...reading.removed].filter((u) => u.end > u.index),
  );
  // Cue words left dangling by the values taken out ("at ,", "for ,").
  rest = rest.replace(/\b(?:at|on|for|from|to|in|with|by)\s*,/gi, ",");
  // Words that only name the tool or a parameter, or are related to them ("Set an alert" for a reminder),
  // are the request, not its text: clauses made only of them go, and so do such words at either end.
  const own = [...toolStems, ...params.flatMap((p) => contentStems(p.name))];
  const skip = (w: string) => {
    const s = stem(w);
    return (
      STOPWORDS.has(w.toLowerCase()) ||
      REQUEST_VERBS.has(w.toLowerCase()) ||
      own.some((o) => sameStem(o, s) || related(o, s))
    );
  };
  rest = rest
    .split(/\s*[,:]\s*/)
    .filter((part) => words(part).some((w) => !skip(w)))
    .join(", ");
  // At the ends only connecting words go, not pronouns: "translate I love you" keeps "I love you".
  const edge = (w: string) => CONNECTORS.has(w.toLowerCase()) || (!STOPWORDS.has(w.toLowerCase()) && skip(w));
  rest = rest.replace(/\bto-do\b/gi, "todo");
  let previous = "";
  while (previous !== rest) {
    previous = rest;
    rest = rest.replace(/^[\s,.:;!?-]+/, "").replace(LEAD_INS, "");
    const [first, second] = rest.split(/\s+/);
    if (first === undefined || first === "") break;
    // "the report is ready" keeps its article; "the task buy milk" loses "the task"; a title loses it.
    const article = /^(?:a|an|the)$/i.test(first) && !isTitle(param);
    // "wake me up at 6:45 to …": a particle after the request's verb goes too.
    const lead = edge(first) || first.toLowerCase() === "up";
    if (article ? second !== undefined && edge(second) : lead) rest = rest.slice(first.length);
  }
  for (
    let last = /([\p{L}']+)[\s,.;:!?-]*$/u.exec(rest);
    last !== null && edge(last[1] ?? "");
    last = /([\p{L}']+)[\s,.;:!?-]*$/u.exec(rest)
  )
    rest = rest.slice(0, last.index).replace(/[\s-]+$/, "");
  rest = rest
    .replace(/(?:\s*,\s*)+/g, ", ")
    .replace(/[\s,.;:!?-]+$/, "")
    .replace(/\s+(?:at|on|for|from|to|in|with|by|and)$/i, "")
    .trim();
  if (rest === "" || contentStems(rest).length === 0) return undefined;
  reading.use({ text: rest, index: 0, end: reading.text.length });
  return rest;
}
