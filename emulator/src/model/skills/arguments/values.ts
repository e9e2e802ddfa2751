/**
 * Values recognized by their form: dates and times, currencies and units by role ("100 dollars to
 * euros"), enum options and their aliases, numbers next to the unit the parameter implies, booleans and
 * codes.
 */
import type { WhenSpan } from "../../parse/dates.ts";
import { related } from "../../parse/lexicon.ts";
import { CURRENCIES, type NumberSpan, UNITS } from "../../parse/numbers.ts";
import { overlaps } from "../../parse/spans.ts";
import { contentWords, STOPWORDS, sameStem, stem, words } from "../../parse/words.ts";
import { type Param, type Reading, roleFits, take } from "./reading.ts";

export function when(param: Param, reading: Reading): string | undefined {
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

const START = /\b(?:start|from|begin|beginning|first|check ?in|arrival|arrive|depart|departure)\b/i;
const INCLUSIVE_END = /\b(?:end|until|last|to|finish)\b/i;
const EXCLUSIVE_END = /\b(?:check ?out|return|back|departure|leave|leaving)\b/i;
const LENGTHS: Record<string, number> = { day: 1, days: 1, night: 1, nights: 1, week: 7, weeks: 7 };

/**
 * The end of a range the message gives by its start and length ("two nights from tomorrow", "3 days
 * starting Monday") or by one day alone ("a sick day tomorrow"). A last day counts the days (3 days from
 * Monday end on Wednesday); a check-out or return is the day after the last night. A start said with
 * "from" or "starting" and no length leaves the end to ask for.
 */
export function rangeEnd(
  param: Param,
  params: Param[],
  args: Record<string, unknown>,
  reading: Reading,
): string | undefined {
  const name = param.name.replace(/_/g, " ");
  const description = param.description;
  const exclusive =
    EXCLUSIVE_END.test(name) || (!INCLUSIVE_END.test(name) && EXCLUSIVE_END.test(description));
  if (!exclusive && !INCLUSIVE_END.test(name)) return undefined;
  const start = params.find(
    (p) =>
      p !== param &&
      p.kind === "date" &&
      START.test(p.name.replace(/_/g, " ")) &&
      typeof args[p.name] === "string",
  );
  const from = start === undefined ? undefined : String(args[start.name]);
  if (from === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(from)) return undefined;
  const length = reading.numbers.find((n) => reading.free(n) && LENGTHS[n.unit ?? ""] !== undefined);
  const spoken = /\b(?:an?|one) (day|night|week)\b/i.exec(reading.text);
  let days: number | undefined;
  if (length !== undefined) {
    reading.use(length);
    days = length.value * (LENGTHS[length.unit ?? ""] ?? 1);
  } else if (spoken !== null) days = LENGTHS[(spoken[1] ?? "").toLowerCase()];
  else if (!exclusive && !/\b(?:from|starting|beginning|as of|since)\b/i.test(reading.text)) days = 1;
  if (days === undefined || days < 1) return undefined;
  const [y, m, d] = from.split("-").map(Number) as [number, number, number];
  const end = new Date(y, m - 1, d + (exclusive ? days : days - 1), 12);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}`;
}

export function currency(param: Param, reading: Reading): string | undefined {
  const candidates: Array<{ code: string; index: number; end: number; attached: boolean }> = [];
  for (const n of reading.numbers)
    if (n.currency) candidates.push({ code: n.currency, index: n.index, end: n.end, attached: true });
  for (const m of reading.text.matchAll(/[$€£¥₹]|\b[A-Za-z]+\b/gu)) {
    const code = CURRENCIES[m[0].toLowerCase()];
    // Codes count in any case ("usd to eur 50"); none of them is an English word.
    if (code === undefined) continue;
    // Inside a number's span, or the code written just before it ("EUR 1,200"): already a candidate.
    if (candidates.some((c) => c.attached && m.index < c.end && m.index + m[0].length + 2 >= c.index))
      continue;
    candidates.push({ code, index: m.index, end: m.index + m[0].length, attached: false });
  }
  candidates.sort((a, b) => a.index - b.index);
  const free = candidates.filter((c) => !reading.isPicked("currency", c.index));
  const pick =
    param.cue === "from"
      ? (free.find((c) => c.attached && !codeAfterTo(reading, c)) ??
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

/** "usd to eur 50": a code written before the number, after "to", names the target, not the source. */
function codeAfterTo(reading: Reading, candidate: { code: string; index: number }): boolean {
  const [cue, code] = reading.before(candidate.index, 2).split(" ");
  return /^(?:to|into|in)$/.test(cue ?? "") && CURRENCIES[code ?? ""] === candidate.code;
}

export function unit(param: Param, reading: Reading): string | undefined {
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
  electric: ["e-bike", "ebike", "e-scooter", "e-car", "ev"],
  first: ["first class"],
  high: ["urgent", "important", "asap"],
  low: ["whenever"],
};

export function enumValue(param: Param, reading: Reading): unknown {
  const options = (param.spec.enum as unknown[]) ?? [];
  const hits: Array<{ option: unknown; index: number; end: number; stemmed?: boolean; related?: boolean }> =
    [];
  const lower = reading.text.toLowerCase();
  for (const option of options) {
    const label = String(option);
    const forms = [label, label.replace(/[_-]/g, " "), ...(ALIASES[label.toLowerCase()] ?? [])];
    for (const form of forms) {
      const pattern = new RegExp(
        // A digit may touch the option: "5km".
        `(?<![\\p{L}])${escapeRegExp(form.toLowerCase())}(?:s|es)?(?![\\p{L}\\p{N}])`,
        "gu",
      );
      for (const m of lower.matchAll(pattern))
        hits.push({ option, index: m.index, end: m.index + m[0].length });
    }
    // A word of the option by its stem ("booked" for "booking"), for options longer than an abbreviation.
    if (label.length > 3 && !hits.some((h) => h.option === option)) {
      const at = words(reading.text).findIndex((w) => sameStem(stem(w), stem(label)));
      const word = words(reading.text)[at] ?? "";
      if (at >= 0)
        hits.push({
          option,
          index: lower.indexOf(word),
          end: lower.indexOf(word) + word.length,
          stemmed: true,
        });
    }
  }
  // An option said as it is written comes before one only its stem reaches: in "I left the garage
  // unlocked, can you lock it" the request is "lock", "unlocked" says how things are.
  if (hits.length === 0) hits.push(...relatedOptions(options, reading));
  const free = hits
    .filter((h) => !reading.isPicked("enum", h.index) && reading.free(h))
    .sort((a, b) => Number(a.stemmed ?? false) - Number(b.stemmed ?? false) || a.index - b.index);
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
  const span = { text: String(pick.option), index: pick.index, end: pick.end };
  // A word that only stands for the option ("lunch" for meals) still says what the rest is about.
  if (pick.related) reading.picked.add(`enum:${pick.index}`);
  else reading.pick("enum", span);
  return pick.option;
}

/**
 * No option said: a word the lexicon relates to exactly one option stands for it ("lunch" for a
 * category "meals", "hotel" for "lodging"). A word related to several options ("degrees" to celsius
 * and fahrenheit) names none of them.
 */
function relatedOptions(
  options: unknown[],
  reading: Reading,
): Array<{ option: unknown; index: number; end: number; related: true }> {
  const out: Array<{ option: unknown; index: number; end: number; related: true }> = [];
  const lower = reading.text.toLowerCase();
  for (const m of lower.matchAll(/\p{L}[\p{L}'-]*/gu)) {
    const w = m[0];
    if (STOPWORDS.has(w) || reading.toolWords.includes(w)) continue;
    const s = stem(w);
    const fits = options.filter(
      (o) => typeof o === "string" && words(o).some((ow) => ow.length > 2 && related(s, stem(ow))),
    );
    if (fits.length === 1)
      out.push({ option: fits[0], index: m.index, end: m.index + w.length, related: true });
  }
  return out;
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

export function numberValue(param: Param, reading: Reading): number | undefined {
  const paramWords = [...words(param.name), ...words(param.description)];
  const wantsTime = paramWords.some((w) => SECONDS[w.replace(/s$/, "")] !== undefined);
  const free = [
    ...reading.numbers,
    ...(wantsTime
      ? reading.durations.filter((d) => reading.whens.every((w) => reading.free(w) || !overlaps(w, d)))
      : []),
  ].filter((n) => reading.free(n));
  if (free.length === 0) return impliedNumber(paramWords, reading);
  // The units of measure the parameter names ("distance_km", "in minutes"): a number said in another
  // unit ("5km" for a duration in minutes) is not its value.
  const paramUnits = paramWords.filter((w) => UNITS.has(w) && w.length > 1);
  const wantsPeople = paramWords.some((w) => PEOPLE.has(w));
  const wantsMoney = paramWords.some((w) => MONEY.has(w)) || param.kind === "currency";
  const scoreOf = (n: NumberSpan) => {
    let s = 0;
    const before = reading.before(n.index, 3);
    const unitSeconds = SECONDS[(n.unit ?? "").replace(/s$/, "")];
    if (n.unit !== undefined && paramWords.some((w) => sameStem(stem(w), stem(n.unit ?? "")))) s += 3;
    // "20 mins" for a parameter in minutes: a length of time for a parameter that takes one.
    else if (wantsTime && unitSeconds !== undefined) s += 3;
    else if (
      n.unit !== undefined &&
      UNITS.has(n.unit) &&
      paramUnits.length > 0 &&
      !sameMeasure(n.unit, paramUnits)
    )
      s -= 3;
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
  reading.use(best, ...reading.whens.filter((w) => reading.durations.includes(best) && overlaps(w, best)));
  const value = best.value * timeFactor(best.unit, paramWords);
  return param.type === "integer" ? Math.round(value) : value;
}

/** Is a unit as said the same measure as one the parameter names ("kms" and "km", "hours" and "minutes")? */
function sameMeasure(said: string, named: string[]): boolean {
  const base = (u: string) => {
    const w = u.toLowerCase();
    if (SECONDS[w.replace(/s$/, "")] !== undefined) return "time";
    const alias = Object.entries(ALIASES).find(([key, forms]) => key === w || forms.includes(w));
    return alias?.[0] ?? w.replace(/s$/, "");
  };
  return named.some((n) => base(n) === base(said));
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
  // "an hour", "half an hour", "a minute" for a parameter that takes a length of time.
  const wanted = paramWords.map((w) => SECONDS[w.replace(/s$/, "")]).find((n) => n !== undefined);
  const spoken =
    /\b(half |(?:a )?quarter of |three quarters of )?(?:an?|one) (second|sec|minute|min|hour|hr|day)( and a half)?\b/i.exec(
      reading.text,
    );
  if (wanted !== undefined && spoken !== null) {
    const part = (spoken[1] ?? "").toLowerCase();
    const share = part.startsWith("half") ? 0.5 : part.startsWith("three") ? 0.75 : part === "" ? 1 : 0.25;
    const seconds = (SECONDS[(spoken[2] ?? "").toLowerCase()] ?? 0) * (share + (spoken[3] ? 0.5 : 0));
    return seconds / wanted;
  }
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

export function booleanValue(param: Param, reading: Reading): boolean | undefined {
  const senses = twoSenses(param, reading.toolWords);
  if (senses !== undefined) return sensed(senses, reading);
  const named = words(param.name).filter((w) => !BOOLEAN_FILLER.has(w) && !STOPWORDS.has(w));
  // "half_day": a unit of time says little next to the word that makes the flag ("a sick day" is no half).
  const strong = named.filter((w) => !UNITS.has(w));
  const keys = strong.length > 0 ? strong : named;
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

/**
 * "true to switch the lights on, false to switch them off", "true to lock, false to unlock": a boolean
 * whose description says what each value does. The words that tell the two apart ("on" / "off") are
 * what the user says.
 */
function twoSenses(param: Param, toolWords: string[]): { yes: string[]; no: string[] } | undefined {
  const description = param.description;
  const m =
    /\btrue\s+(?:to|if|when|=|:)\s+([^,;.]+)[,;.]?\s*(?:or\s+|and\s+)?false\s+(?:to|if|when|=|:)\s+([^,;.]+)/i.exec(
      description,
    );
  if (m === null) return undefined;
  // Words that only name what is acted on ("the lights", "them") tell nothing apart.
  const named = [...toolWords, ...contentWords(`${param.name} ${description}`.replace(m[0], " "))];
  const meaning = (text: string) =>
    words(text).filter((w) => !PRONOUNS.has(w) && !named.some((n) => sameStem(stem(n), stem(w))));
  const yes = meaning(m[1] ?? "");
  const no = meaning(m[2] ?? "");
  const only = (a: string[], b: string[]) => a.filter((w) => !b.some((x) => sameStem(stem(x), stem(w))));
  const senses = { yes: only(yes, no), no: only(no, yes) };
  return senses.yes.length > 0 || senses.no.length > 0 ? senses : undefined;
}

const PRONOUNS = new Set("the a an it its them they their this that these those".split(" "));

/** Typed slips of the words that tell two senses apart: "turn of the lights" is "turn off". */
const SENSE_SLIPS: Record<string, string> = { of: "off" };

/**
 * Which sense the message says. Saying neither asks for what the true sense does, not for undoing it
 * ("dim the bedroom lights to 30%" is lights on).
 */
function sensed(senses: { yes: string[]; no: string[] }, reading: Reading): boolean | undefined {
  const said = words(reading.text);
  const hits = (list: string[]) =>
    said.findIndex(
      (w, i) =>
        list.some((x) => sameStem(stem(x), stem(w))) ||
        (SENSE_SLIPS[w] !== undefined &&
          list.includes(SENSE_SLIPS[w] ?? "") &&
          /^(?:turn|switch|turned|switched)$/.test(said[i - 1] ?? "")),
    );
  const yes = hits(senses.yes);
  const no = hits(senses.no);
  if (yes >= 0 && (no < 0 || yes < no)) return true;
  if (no >= 0) return false;
  return true;
}

/**
 * Postal codes as countries write them, several with a space inside ("SW1A 1AA", "1012 AB", "K1A 0B1",
 * "90210-1234"): one value, not a word and a number.
 */
const POSTCODE =
  /\b(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|\d{4} ?[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{5}(?:-\d{4})?|\d{3} ?\d{2}|\d{4,6})\b/g;

export function code(param: Param, reading: Reading): string | undefined {
  const quote = take(reading, reading.quotes);
  if (quote) return quote.text;
  if (
    /\bpost(?:al)? ?code|\bzip\b|\bzip ?code|postcode/i.test(
      `${param.name.replace(/_/g, " ")} ${param.description}`,
    )
  ) {
    for (const m of reading.text.matchAll(POSTCODE)) {
      const span = { text: m[0], index: m.index, end: m.index + m[0].length };
      if (!reading.free(span) || reading.whens.some((w) => overlaps(w, span))) continue;
      reading.use(span, ...reading.numbers.filter((n) => overlaps(n, span)));
      return span.text;
    }
  }
  // "aapl price": typed in lower case, the one unknown word is the symbol, written as symbols are.
  if (/symbol|ticker/i.test(`${param.name} ${param.description}`)) {
    const word = reading.terse().find((w) => reading.free(w));
    if (word !== undefined && !/[A-Z0-9]/.test(reading.text)) {
      reading.use(word);
      return word.text.toUpperCase();
    }
  }
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
    // "4 people" is a count, but "order 88123 ship": digits after a word of the parameter's own name are it.
    const named = words(param.name)
      .map(stem)
      .includes(stem(reading.before(m.index, 1)));
    if (
      /^\d+$/.test(span.text) &&
      !named &&
      reading.numbers.some((n) => overlaps(n, span) && n.unit !== undefined)
    )
      continue;
    reading.use(span);
    reading.use(...reading.numbers.filter((n) => overlaps(n, span)));
    return span.text;
  }
  return undefined;
}
