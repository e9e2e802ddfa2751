/**
 * Which function tool a request is for, scored from the request's own tools: every meaningful word of
 * the message (stemmed) is compared with the tool's name (weight 3), description (2) and parameter
 * names, descriptions and enum values (1). A related word from the lexicon ("warm" for a weather tool)
 * counts 60 % of a direct match. The best tool wins when it reaches THRESHOLD, which a single name word
 * reached through the lexicon does, and a word that only matches a parameter does not.
 */
import { isObject, type Json } from "../../validate.ts";
import { LANGUAGES, LEXICON_WORDS, related } from "../parse/lexicon.ts";
import { CURRENCIES } from "../parse/numbers.ts";
import { comparativeBases, contentStems, contentWords, isTypoOf, sameStem, stem } from "../parse/words.ts";

export const THRESHOLD = 1.75;
const RELATED = 0.6;
const TYPO = 0.8;

export interface Scored {
  tool: Json;
  score: number;
  /**
   * Whether some matched word names a thing (not only an action such as "book" or "find"): "Can you
   * recommend a good book?" matches book_doctor by its verb alone, which is not enough to ask about it.
   */
  topical?: boolean;
  /**
   * Whether some matched word is in the tool's name or description. Words that only match parameters
   * ("two tickets … after 18:30") can choose a tool whose arguments they fill, never a question about it
   * ("How many minutes are in a day?" is not a calendar event).
   */
  anchored?: boolean;
}

/** Verbs tools are named with: a match on them alone says little about what the user wants. */
export const ACTIONS = new Set(
  (
    "book get set create add find search check send make start track convert schedule reserve order list " +
    "delete remove update cancel rent translate lookup look show play open close turn buy sell pay call " +
    "run compute calculate fetch save"
  )
    .split(" ")
    .map(stem),
);

/** Everyday words one letter away from a tool's ("right" and "light"): a word, not a slip. */
const EVERYDAY = new Set(
  "right night might sight tight fight about above again being bring could every first found great house large later leave light never other place point round small sound still think three under where which while world would write years young".split(
    " ",
  ),
);

/** A comparison: "colder in Oslo or in Rome", "warmer than", "which is cheaper". */
export const COMPARISON = /\b\p{L}+(?:er|est)\b.*\b(?:or|than)\b|^\s*which\b.*\b\p{L}+(?:er|est)\b/iu;

/** Lengths of time: "per day" says nothing about a tool that counts days of leave. */
const SPANS_OF_TIME = new Set("day week month year hour minute second".split(" ").map(stem));

/** The tool's stems with the weight of the strongest place each appears in. */
interface Vocabulary {
  /** Each stem with the weight of the strongest place it appears in. */
  weights: Map<string, number>;
  /** The words as written, with the lexicon's: what a typing slip is checked against. */
  spellings: string[];
  /** The verb a tool's name starts with ("place" of place_order), when the name has more words. */
  verb?: string;
}

function vocabulary(tool: Json): Vocabulary {
  const weights = new Map<string, number>();
  const spellings = new Set<string>();
  const add = (text: unknown, weight: number) => {
    if (typeof text !== "string") return;
    for (const s of contentStems(text)) weights.set(s, Math.max(weights.get(s) ?? 0, weight));
    for (const w of contentWords(text)) spellings.add(w);
  };
  add(tool.name, 3);
  add(withoutExamples(tool.description), 2);
  for (const [name, spec] of Object.entries(propertiesOf(tool))) {
    add(name, 1);
    if (!isObject(spec)) continue;
    add(withoutExamples(spec.description), 1);
    if (Array.isArray(spec.enum)) add(spec.enum.map(String).join(" "), 1);
  }
  const [verb, ...rest] = String(tool.name ?? "").split(/[_\W]+|(?<=[a-z])(?=[A-Z])/);
  return {
    weights,
    spellings: [...spellings, ...LEXICON_WORDS],
    verb: rest.length > 0 && verb ? stem(verb.toLowerCase()) : undefined,
  };
}

/** "at my place", "your book": a word after a possessive is a thing, not the verb of a tool's name. */
function possessed(text: string): Set<string> {
  return new Set(
    [...text.toLowerCase().matchAll(/\b(?:my|your|our|his|her|their)\s+([\p{L}]+)/gu)].map((m) =>
      stem(m[1] ?? ""),
    ),
  );
}

/**
 * A description without its examples: "an IANA time zone, e.g. Europe/Oslo" is about time zones, not
 * Oslo, so "And in Oslo?" after a weather question must not pick a clock tool for the city it names.
 */
export function withoutExamples(text: unknown): unknown {
  if (typeof text !== "string") return text;
  return text.replace(/\b(?:e\.g\.|eg\.|for example|for instance|such as)\s*:?[^.;()]*/gi, " ");
}

export function propertiesOf(tool: Json): Record<string, Json> {
  const schema = isObject(tool.parameters) ? tool.parameters : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  return properties as Record<string, Json>;
}

const VOCABULARIES = new WeakMap<Json, Vocabulary>();

/** `lexicon: false` scores by stems alone (how `pnpm bench` measures what the lexicon adds). */
export interface ScoreOptions {
  lexicon?: boolean;
}

export function score(tool: Json, text: string, options: ScoreOptions = {}): number {
  return scored(tool, text, options).score;
}

function scored(tool: Json, text: string, options: ScoreOptions): Scored {
  const useLexicon = options.lexicon ?? true;
  let vocab = VOCABULARIES.get(tool);
  if (vocab === undefined) {
    vocab = vocabulary(tool);
    VOCABULARIES.set(tool, vocab);
  }
  let total = 0;
  let topical = false;
  let anchored = false;
  const seen = new Set<string>();
  const things = possessed(text);
  const comparing = COMPARISON.test(text);
  for (const typed of contentWords(text)) {
    const direct = stem(typed);
    if (seen.has(direct)) continue;
    seen.add(direct);
    const match = (said: string, factor: number): void => {
      for (const [word, weight] of vocab.weights) {
        if (word === vocab.verb && things.has(said)) continue;
        if (sameStem(said, word) && weight * factor > best) {
          best = weight * factor;
          from = weight;
        } else if (useLexicon && weight * RELATED * factor > best && related(said, word)) {
          best = weight * RELATED * factor;
          from = weight;
        }
      }
    };
    let best = 0;
    let from = 0;
    match(direct, 1);
    // A typing slip of a word the tools or the lexicon know counts 80 % ("tabel"), in full for a long
    // word, where a slip is less likely to be another real word ("tempature").
    // "Is it colder in Oslo or in Rome?": in a comparison, a comparative counts as its plain form.
    if (best === 0 && comparing)
      for (const base of comparativeBases(typed)) if (best === 0) match(stem(base), 1);
    if (best === 0 && !EVERYDAY.has(typed)) {
      const meant = vocab.spellings.find((known) => isTypoOf(typed, known));
      if (meant !== undefined) match(stem(meant), typed.length >= 7 ? 1 : TYPO);
    }
    const said = direct;
    total += best;
    if (best > 0 && !ACTIONS.has(said) && !SPANS_OF_TIME.has(said)) topical = true;
    if (from >= 2) anchored = true;
  }
  return { tool, score: total, topical, anchored };
}

/** The tools, best first, with their scores (ties keep the agent's order). */
export function rank(tools: Json[], text: string, options: ScoreOptions = {}): Scored[] {
  return tools.map((tool) => withForm(scored(tool, text, options), text)).sort((a, b) => b.score - a.score);
}

/**
 * A value in the form only one kind of parameter takes says which tool is meant even with no word of
 * the tool's: a ticker in capitals ("how is AAPL doing") for a ticker symbol, a language after "in",
 * "into" or "to" ("how do you say 'good morning' in german") for a language to translate into. It counts
 * as much as the threshold.
 */
function withForm(s: Scored, text: string): Scored {
  const params = Object.entries(propertiesOf(s.tool)).map(
    ([name, spec]) =>
      `${name} ${isObject(spec) && typeof spec.description === "string" ? spec.description : ""}`,
  );
  const ticker =
    params.some((p) => /\b(?:ticker|symbol)\b/i.test(p)) &&
    [...text.matchAll(/(?<![\p{L}\d-])[A-Z]{2,5}(?![\p{L}\d-])/gu)].some(
      (m) =>
        CURRENCIES[m[0].toLowerCase()] === undefined &&
        !NOT_TICKERS.has(m[0]) &&
        // "and in NYC?": after a place's cue it is a place.
        !/\b(?:in|at|from|to|near|around|into|of)\s+$/i.test(text.slice(0, m.index)),
    ) &&
    /\p{Ll}/u.test(text);
  const language =
    params.some((p) => /\blanguage\b/i.test(p)) &&
    [...text.toLowerCase().matchAll(/\b(?:in|into|to)\s+([a-z]+)\b/g)].some((m) => LANGUAGES.has(m[1] ?? ""));
  if (!ticker && !language) return s;
  return { ...s, score: s.score + THRESHOLD, topical: true, anchored: true };
}

/** Capitals that are not tickers: words and abbreviations written in capitals. */
const NOT_TICKERS = new Set(
  "OK AM PM US USA UK EU UN TV ID PS FYI ASAP BTW PDF HR IT PR QA AI API FAQ ETA CEO CTO CFO VP DM PM".split(
    " ",
  ),
);
