/**
 * Names and lists: the phrase after the cue word a parameter listens for ("from Oslo", "at Luigi's",
 * "with Ada and Grace"), "name is X", the thing a request acts on, and lists for array parameters.
 */
import { isObject } from "../../../validate.ts";
import { CUE_WORDS, type Cue } from "../../parse/cues.ts";
import { LANGUAGES, related } from "../../parse/lexicon.ts";
import { UNITS } from "../../parse/numbers.ts";
import { overlaps, type Span } from "../../parse/spans.ts";
import { isTypoOf, STOPWORDS, sameStem, stem, words } from "../../parse/words.ts";
import { type FillOptions, kindOf, type Param, type Reading, roleFits, take, typeOf } from "./reading.ts";
import { enumValue } from "./values.ts";

/** Names in the slot a cue word opens: "from Oslo", "at Luigi's", "in Oslo and Paris". */
export function entities(param: Param, reading: Reading, options: FillOptions): string[] {
  const named = namedValue(param, reading);
  if (named !== undefined) return [named];
  const language = languageValue(param, reading);
  if (language !== undefined) return [language];
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
  // An optional parameter with a cue takes a name only in its slot ("jobs in Berlin"): in "remote Data
  // Engineer jobs" the name is the search, not a place.
  if (param.cue !== undefined && !param.required) return [];
  // No cue before it: the next unused name ("Oslo weather?"), unless that name sits in another role's
  // slot ("to Bergen" is a destination, not a station) or is a title ("called Dentist").
  const name = names.find((n) => {
    const before = reading.before(n.index, 1);
    if (/^(?:called|titled|named)$/.test(before)) return false;
    // Only a slot some parameter listens for is another role's: "tickets to Wicked" has no destination.
    return param.cue === undefined || !/^(?:to|from|with)$/.test(before) || !reading.cues.has(before as Cue);
  });
  if (name === undefined) {
    // A value that may be null is not guessed from the thing the request acts on.
    const object = param.nullable
      ? undefined
      : (objectNoun(param, reading) ?? countedNoun(param, reading) ?? terseWord(param, reading));
    if (object === undefined) return [];
    return [object, ...terseAlternatives(reading, object)];
  }
  const list = [name, ...following(reading, name, names)];
  reading.use(...list);
  return joinCommaPairs(param, reading, list).map((n) => n.text);
}

/** "in german", "into Japanese": a language for a parameter about one, written as its name is. */
function languageValue(param: Param, reading: Reading): string | undefined {
  if (!/\blanguage\b/i.test(`${param.name.replace(/_/g, " ")} ${param.description}`)) return undefined;
  for (const m of reading.text.matchAll(/\p{L}+/gu)) {
    const span = { text: m[0], index: m.index, end: m.index + m[0].length };
    if (!LANGUAGES.has(m[0].toLowerCase()) || !reading.free(span)) continue;
    reading.use(span, ...reading.names.filter((n) => overlaps(n, span)));
    return m[0].charAt(0).toUpperCase() + m[0].slice(1).toLowerCase();
  }
  return undefined;
}

/** Names joined to this one by "and", "or", "&" or commas. */
function following(reading: Reading, first: Span, names: Span[]): Span[] {
  const out: Span[] = [];
  let last = first;
  for (const next of names) {
    if (next.index <= last.index) continue;
    // "in Oslo or in Rome": the first name's cue word may come again after the "or".
    const cue =
      reading.text.slice(0, first.index).match(/\b(in|at|for|near|around|of|from|to|with)\s+$/i)?.[1] ?? "";
    const gap = reading.text.slice(last.end, next.index).replace(new RegExp(`\\s${cue}\\s*$`, "i"), " ");
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
  // Only a pair joined by a comma alone: "Oslo, Bergen and Tromsø" is a list of three.
  const [first, second] = list;
  if (list.length !== 2 || first === undefined || second === undefined) return list;
  if (!/^\s*,\s*$/.test(reading.text.slice(first.end, second.index))) return list;
  if (
    /\p{Lu}[\p{L}.-]*, \p{Lu}/u.test(param.description) ||
    /\band (?:country|state|region)\b/i.test(param.description)
  )
    return [{ text: reading.text.slice(first.index, second.end), index: first.index, end: second.end }];
  // Otherwise two names joined by a comma alone are one place and where it is ("Paris, France"): people
  // join two of a list with "and". The parameter wants the first; the second only says which one.
  return [first];
}

/**
 * The last resort for a name-like parameter: the thing the request acts on, in lower case ("Set the
 * kitchen to 21 degrees" → kitchen). A phrase ending in the parameter's own word names that kind of
 * thing and comes first: "the living room" for a room (in "my place is freezing, set the living room to
 * 22", not "place"); when the tool's name says the word too, it is the kind, not the name ("my lasagne
 * recipe" for scale_recipe → lasagne, "the banana bread recipe" → banana bread).
 */
function objectNoun(param: Param, reading: Reading): string | undefined {
  const paramWords = words(param.name);
  const candidates: Array<{ span: Span; headed: boolean }> = [];
  for (const m of reading.text.matchAll(
    // Looked ahead, so that a phrase ("the lihgts in the") does not swallow the next one ("the kitchen").
    /\b(?:the|my|our)\s+(?=([\p{Ll}][\p{L}'-]+)(?:\s+([\p{Ll}][\p{L}'-]+))?(?:\s+([\p{Ll}][\p{L}'-]+))?)/gu,
  )) {
    const said: string[] = [];
    for (const w of [m[1], m[2], m[3]]) {
      if (w === undefined || (said.length > 0 && STOPWORDS.has(w))) break;
      said.push(w);
    }
    const first = said[0] ?? "";
    const index = m.index + m[0].length;
    const head = said.findIndex((w, i) => i > 0 && paramWords.some((p) => sameStem(stem(p), stem(w))));
    const kindInName = head > 0 && reading.nameWords.some((n) => sameStem(stem(n), stem(said[head] ?? "")));
    // No word of the parameter's: as many words as its own examples have ("e.g. kitchen lights or front
    // door" → "the front door", not "front"), up to a word that says how it is ("locked", "still").
    const plain = said
      .slice(0, exampleLength(param.description))
      .filter((_, i, all) =>
        all.slice(0, i + 1).every((w) => !/(?:ed|ing|ly)$/.test(w) && !NOT_THINGS.has(w)),
      );
    const phrase =
      head < 0
        ? plain.length > 0
          ? plain.join(" ")
          : first
        : said.slice(0, kindInName ? head : head + 1).join(" ");
    const span = { text: phrase, index, end: index + phrase.length };
    if (
      !reading.free(span) ||
      STOPWORDS.has(first) ||
      reading.toolStems.some((s) => sameStem(s, stem(first)) || related(s, stem(first))) ||
      // "turn of the lihgts": a slip of the tool's own word is not the thing it acts on.
      reading.toolWords.some((w) => isTypoOf(first, w))
    )
      continue;
    if (reading.whens.some((w) => overlaps(w, span)) || [...reading.removed].some((r) => overlaps(r, span)))
      continue;
    candidates.push({ span, headed: head > 0 });
  }
  const best = candidates.find((c) => c.headed) ?? candidates[0];
  if (best === undefined) return undefined;
  reading.use(best.span);
  return best.span.text;
}

/** Words after a thing that say how it is, not what it is ("the kitchen lights still on"). */
const NOT_THINGS = new Set("still already yet now again on off open shut closed up down".split(" "));

/** How many words a parameter's examples have at most ("e.g. kitchen lights or front door" → 2). */
function exampleLength(description: string): number {
  const examples = /\b(?:e\.g\.|eg\.|for example|for instance|such as)\s*:?([^.;()]*)/i.exec(
    description,
  )?.[1];
  if (examples === undefined) return 1;
  return Math.max(1, ...examples.split(/,|\bor\b|\band\b/).map((e) => words(e).length));
}

/** "trains oslo -> bergen": in a terse message, a word after "to" is a destination, the others origins. */
function terseWord(param: Param, reading: Reading): string | undefined {
  // Not a word another parameter picked ("only electric ones": electric is the bike type).
  const free = reading.terse().filter((w) => reading.free(w) && !reading.removed.some((r) => overlaps(r, w)));
  const afterTo = (w: Span) => /^(?:to|into|for)$/.test(reading.before(w.index, 1));
  const word = param.cue === "to" ? free.find(afterTo) : (free.find((w) => !afterTo(w)) ?? free[0]);
  if (word === undefined) return undefined;
  reading.use(word);
  return word.text;
}

/** "madrid or lisbon", "oslo and bergen": in a terse message, the words joined to the one taken. */
function terseAlternatives(reading: Reading, taken: string): string[] {
  const words = reading.terse().filter((w) => reading.free(w));
  const first = reading.terse().find((w) => w.text === taken);
  if (first === undefined) return [];
  const out: Span[] = [];
  let last = first;
  for (const next of words) {
    if (next.index <= last.index) continue;
    if (!/^\s*(?:,|,?\s*and|,?\s*or|&)\s*$/i.test(reading.text.slice(last.end, next.index))) break;
    out.push(next);
    last = next;
  }
  reading.use(...out);
  return out.map((w) => w.text);
}

/** Parameters that name a thing ordered or listed ("item", "product", "dish"). */
const ITEMS = new Set(
  "item items product products dish dishes article articles thing name food drink meal".split(" "),
);

/**
 * "2 pizzas": for an item-like parameter, the noun that was counted; else the words left once the
 * request's own words, amounts and units are out ("2 kg of potatoes" → potatoes, "put milk" → milk).
 */
function countedNoun(param: Param, reading: Reading): string | undefined {
  if (!words(param.name).some((w) => ITEMS.has(w))) return undefined;
  const counted = reading.numbers.find(
    (n) => n.unit !== undefined && !UNITS.has(n.unit) && n.currency === undefined,
  )?.unit;
  if (counted !== undefined) return counted;
  const taken = [...reading.used, ...reading.removed, ...reading.numbers, ...reading.whens];
  const run: Span[] = [];
  for (const m of reading.text.matchAll(/[\p{L}][\p{L}'-]*/gu)) {
    const word = m[0].toLowerCase();
    const span = { text: m[0], index: m.index, end: m.index + m[0].length };
    const thing =
      !taken.some((t) => overlaps(t, span)) &&
      !STOPWORDS.has(word) &&
      !UNITS.has(word) &&
      !REQUEST_VERBS.has(word) &&
      !reading.toolStems.some((s) => sameStem(s, stem(word)));
    if (thing) run.push(span);
    else if (run.length > 0) break;
  }
  const first = run[0];
  const last = run[run.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const span = { text: reading.text.slice(first.index, last.end), index: first.index, end: last.end };
  reading.use(span);
  return span.text;
}

/** Verbs that ask to add or get things, not things themselves. */
const REQUEST_VERBS = new Set("add put get buy grab pick need want order include also please pls".split(" "));

/**
 * "in oslo", "in new york", "in st. petersburg" typed in lower case: up to three words after the cue,
 * none a stop word, a tool word or part of a date ("in new york tomorrow" → new york).
 */
function lowercaseAfterCue(cue: Cue, reading: Reading): string | undefined {
  const cueWords = CUE_WORDS[cue].filter((w) => !w.includes(" "));
  const pattern = new RegExp(`\\b(?:${cueWords.join("|")})\\s+([\\p{Ll}][\\p{L}'-]+)`, "gu");
  const fits = (word: string, span: Span) =>
    reading.free(span) &&
    !reading.whens.some((w) => overlaps(w, span)) &&
    !STOPWORDS.has(word) &&
    !reading.toolStems.some((s) => sameStem(s, stem(word))) &&
    !NOT_PLACES.has(word);
  for (const m of reading.text.matchAll(pattern)) {
    const word = m[1] ?? "";
    const index = m.index + m[0].length - word.length;
    let span: Span = { text: word, index, end: index + word.length };
    if (!fits(word, span)) continue;
    // More words of the same name: "new york", "san francisco", "st. petersburg".
    for (let more = 0; more < 2; more++) {
      const next = /^(\.?)\s([\p{Ll}][\p{L}'-]+)/u.exec(reading.text.slice(span.end));
      if (next === null) break;
      const [whole, dot = "", nextWord = ""] = next;
      if (dot !== "" && !ABBREVIATED.has(span.text.split(" ").at(-1) ?? "")) break;
      const end = span.end + whole.length;
      const nextSpan = { text: nextWord, index: end - nextWord.length, end };
      if (!fits(nextWord, nextSpan)) break;
      span = { text: reading.text.slice(span.index, end), index: span.index, end };
    }
    reading.use(span);
    return span.text;
  }
  return undefined;
}

/** Words after "in"/"at" that are not a place ("in general", "in total", "at the time"). */
const NOT_PLACES = new Set([
  "general",
  "total",
  "advance",
  "time",
  "case",
  "order",
  "person",
  "detail",
  "details",
  "right",
  "now",
  "please",
  "currently",
  "today",
  "tonight",
  "tomorrow",
]);
/** Abbreviations that start a place name and end with a full stop ("st. petersburg", "mt. hood"). */
const ABBREVIATED = new Set(["st", "mt", "ft"]);

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

export function arrayValue(param: Param, reading: Reading): unknown[] | undefined {
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
  if (!reading.names.some((n) => reading.free(n))) {
    const nouns = nounList(reading);
    if (nouns.length >= 2) return nouns;
  }
  const values = entities({ ...inner, kind: "entity" }, reading, { strict: false });
  if (values.length > 0) return values;
  const listed = lowercaseList(reading);
  return listed.length === 0 ? undefined : listed;
}

/**
 * "the kitchen and the hallway", "paracetamol, ibuprofen and aspirin", "ibuprofen with warfarin": things
 * named in lower case and joined as a list, none a word of the tool, a stop word or a value already
 * taken. A thing is one word, or two after an article ("the living room").
 */
function nounList(reading: Reading): string[] {
  const item = String.raw`(?:(?:the|my|our|some|a|an)\s+([\p{Ll}][\p{L}'-]*)(?:\s+([\p{Ll}][\p{L}'-]*))?|([\p{Ll}][\p{L}'-]*))`;
  const joiner = String.raw`\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&|with|plus)\s+)`;
  const pattern = new RegExp(`${item}(?:${joiner}${item})+`, "gu");
  const one = new RegExp(`^${item}$`, "u");
  const fits = (word: string) =>
    !STOPWORDS.has(word) &&
    !COMMON_WORDS.has(word) &&
    !reading.toolStems.some((s) => sameStem(s, stem(word)) || related(s, stem(word))) &&
    !reading.toolWords.some((w) => isTypoOf(word, w));
  for (const m of reading.text.matchAll(pattern)) {
    const span = { text: m[0], index: m.index, end: m.index + m[0].length };
    // A value another parameter took ("on quiet, baby is asleep") is no thing of the list.
    if (!reading.free(span) || reading.removed.some((r) => overlaps(r, span))) continue;
    const parts = m[0].split(new RegExp(joiner, "u"));
    const out: string[] = [];
    for (const part of parts) {
      const [, first, second, bare] = one.exec(part.trim()) ?? [];
      const head = first ?? bare ?? "";
      if (!fits(head)) break;
      const taken = reading.removed.some((r) => r.text.toLowerCase() === second);
      out.push(second !== undefined && fits(second) && !taken ? `${head} ${second}` : head);
    }
    if (out.length < 2 || out.length !== parts.length) continue;
    reading.use(span);
    return out;
  }
  return [];
}

/** Everyday words that are never a thing in a list ("now", "today", "please"). */
const COMMON_WORDS = new Set("now today tonight tomorrow please thanks pls then also too".split(" "));

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
