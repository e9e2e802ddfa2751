/**
 * Which passages found by file search answer a question, as the lab model judges it without word
 * vectors. The question's key words are its content words (not words that only shape a question:
 * "policy", "how long", "must"), each with the words a small documented lexicon relates to it. A
 * passage covers the question when one of its sentences, with the passage's own heading, holds at least
 * half of the key words, each weighted by how rare it is among the passages found (its IDF there; a word
 * no passage has weighs most). A name or code the question gives ("TH-200", "P2") that the documents
 * know must be in the passage; a number and its unit ("90 minutes") count only where a passage has them.
 */
import { type Quote, queryTerms, quotesFor, stem, stemsOf, type Terms } from "../../retrieval/fts.ts";

export interface Hit {
  fileId: string;
  filename: string;
  section: string;
  text: string;
  score: number;
  store: string;
}

export interface Assessment {
  /** The passages near the best one that say something about the question, with their quotes. */
  quoted: { hit: Hit; quotes: Quote[]; share: number }[];
  /** The best passage's share of the question's key words (0..1); 0.5 or more covers it. */
  most: number;
  /** Key words (stems) no passage found contains. */
  unknown: string[];
  /** Names of places no passage has, read as "abroad" or "another country" (see rewrite). */
  places: string[];
}

/** Passages (per store) the key words are weighed in. */
export const POOL = 30;

export function assess(query: string, pool: Hit[], max: number): Assessment {
  const hits = pool.slice(0, max);
  const terms = keyTerms(query);
  const poolWords = pool.map((hit) => stemsOf(`${hit.section} ${hit.text}`));
  const has = (words: Set<string>, alts: Set<string>) => [...alts].some((a) => words.has(a));
  // "90 minutes": the user's own value; when no passage has the number, neither it nor its unit counts.
  for (const [number, unit] of measuresIn(query)) {
    if (poolWords.some((words) => words.has(number))) continue;
    terms.delete(number);
    if (unit) terms.delete(unit);
  }
  // "ebike" where the documents write "e-bike": an unknown word that is "e" and a word they have.
  for (const [t, alts] of terms) {
    if (poolWords.some((words) => has(words, alts)) || !/^e\p{L}{3,}$/u.test(t)) continue;
    const rest = stem(t.slice(1));
    if (poolWords.some((words) => words.has(rest))) alts.add(rest);
  }
  const unknown = [...terms]
    .filter(([, alts]) => !poolWords.some((words) => has(words, alts)))
    .map(([t]) => t);
  const places: string[] = [];
  // "Can I work from Spain for a month?": a name no passage knows is the user's own detail, like a number
  // the documents lack, when at least two other key words say what is asked; then those decide. With
  // fewer ("ship to Antarctica", "the allowance for Spain") the name is what is asked about, and a code
  // ("TH-900") always counts. A name after "from", "in", "to" or "at" is a place, which the documents
  // may call "abroad" or "another country".
  for (const { name, place } of namesIn(query)) {
    if (terms.size <= 2 || !unknown.includes(name) || !terms.has(name)) continue;
    if (place) places.push(name);
    if (place && poolWords.some((words) => has(words, PLACE))) terms.set(name, PLACE);
    else terms.delete(name);
  }
  if (terms.size === 0) return { quoted: [], most: 0, unknown, places };
  const weight = new Map(
    [...terms].map(([t, alts]) => {
      const df = poolWords.filter((words) => has(words, alts)).length;
      return [t, Math.log(1 + (pool.length + 1) / (df + 0.5))];
    }),
  );
  const total = [...weight.values()].reduce((sum, w) => sum + w, 0);
  const anchors = anchorsIn(query).filter((t) => poolWords.some((words) => words.has(t)));
  const about = (hit: Hit) =>
    anchors.length === 0 || anchors.some((t) => stemsOf(`${hit.section} ${hit.text}`).has(t));
  const best = hits[0]?.score ?? 0;
  const quoted = hits
    .filter((hit) => hit.score >= best * 0.5 && about(hit))
    .slice(0, 5)
    .map((hit) => {
      const quotes = quotesFor(hit.text, terms);
      const heading = stemsOf(hit.section.split(" > ").pop() ?? "");
      // The best single sentence with the section's heading: words scattered over unrelated
      // sentences ("arrived" in one, "refund" in another) do not answer a question together.
      const titled = [...terms].filter(([, alts]) => has(heading, alts)).map(([t]) => t);
      const share = Math.max(
        0,
        ...quotes.map((q) => {
          let sum = 0;
          for (const t of new Set([...q.matched, ...titled])) sum += (weight.get(t) ?? 0) / total;
          return sum;
        }),
      );
      return { hit, quotes, share };
    })
    .filter((q) => q.quotes.length > 0)
    // The passage that answers most of the question first (search rank breaks ties): a second, wider
    // search may rank a passage that shares the lexicon's words above the one that answers.
    .sort((a, b) => b.share - a.share);
  return { quoted, most: Math.max(0, ...quoted.map((q) => q.share)), unknown, places };
}

/**
 * The question with the lexicon's words for its unknown key words added (and the words for a place, for
 * a place it names that no passage has), or undefined when it has none.
 */
export function rewrite(query: string, unknown: string[], places: string[] = []): string | undefined {
  const extra = [
    ...unknown.flatMap((t) =>
      RELATED_WORDS.filter((_, i) => RELATED[i]?.has(t)).flatMap((line) => line.split(" ")),
    ),
    ...(places.length > 0 ? PLACE_WORDS.split(" ") : []),
  ];
  return extra.length === 0 ? undefined : `${query} ${[...new Set(extra)].join(" ")}`;
}

/** The question with the lexicon's words for every key word that has some, or undefined when none has. */
export function widen(query: string): string | undefined {
  const stems = new Set(queryTerms(query).map(stem));
  const extra = RELATED_WORDS.filter((_, i) => [...stems].some((t) => RELATED[i]?.has(t))).flatMap((line) =>
    line.split(" "),
  );
  return extra.length === 0 ? undefined : `${query} ${[...new Set(extra)].join(" ")}`;
}

/** Question words that say what kind of answer is wanted, not what it is about. */
const GENERIC = new Set(
  (
    "policy policies rule rules allowed allow document documents file files information info detail details " +
    "explain describe find give list show anything something thing things way many long high often soon far ever " +
    "still each every exactly currently usually possible able okay ok happen happens mean means must shall " +
    "may might few several couple lot lots big large small huge tiny somewhere someplace anywhere off"
  )
    .split(" ")
    .map(stem),
);

/**
 * Words a document often uses for what a question asks with another word. A small, documented lexicon
 * (the lab model has no word vectors): each line is a group whose words count for one another when a
 * passage is checked for the question's key words, and a question none of whose passages covers it is
 * searched again with them (see rewrite).
 */
const RELATED_WORDS = [
  "limit maximum max exceed cap most",
  "speed fast slow km mph",
  "cost price costs fee charge charged pay pays paid",
  "refund refunds money reimburse reimbursed",
  "vacation holiday holidays leave",
  "salary pay wage wages",
  "sick ill illness",
  "broken damaged faulty defect defective",
  "buy purchase purchased order",
  "begin start starts",
  "end finish ends",
  "delivery shipping ship shipped",
  "boss manager",
  "laptop computer notebook",
  "phone mobile",
  "meeting standup stand",
  "often frequency every",
  "before ahead advance prior",
  "fly flight flights plane",
  "rent rental hire",
  "late later delayed overdue",
  "father mother parent parents partner spouse child children relative",
  "husband wife spouse partner someone",
  "discount discounts off reduced reduction",
  "old age aged",
  "ride rides rider riders riding",
  "ask asked request requested apply",
  "pick pickup collect collected collection",
  "hold held keep kept",
  "medicine medicines medication meds drug drugs",
  "die dies died death passed bereavement",
];
const RELATED = RELATED_WORDS.map((line) => new Set(line.split(" ").map(stem)));

/** Stems of the question's names and codes: capitalized words past its first, and words with digits. */
function anchorsIn(question: string): string[] {
  const words = [...question.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);
  return words
    .filter((w, i) => w.length >= 2 && ((i > 0 && /^\p{Lu}/u.test(w)) || (/\d/.test(w) && /\p{L}/u.test(w))))
    .map(stem);
}

/** Words for a place the documents do not name. */
const PLACE_WORDS = "abroad country countries foreign international overseas";
const PLACE = new Set(PLACE_WORDS.split(" ").map(stem));

/**
 * Stems of the question's proper names (capitalized words of letters only, past its first word), each
 * marked a place when a place preposition comes right before it.
 */
function namesIn(question: string): { name: string; place: boolean }[] {
  const words = [...question.matchAll(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu)].map((m) => m[0]);
  return words.flatMap((w, i) =>
    i > 0 && /^\p{Lu}\p{Ll}+$/u.test(w)
      ? [{ name: stem(w), place: /^(?:from|in|to|at|into|within|inside)$/i.test(words[i - 1] ?? "") }]
      : [],
  );
}

const UNITS =
  /^(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|km|miles?|kg|euros?|eur|dollars?|usd|gbp|percent)$/i;

/**
 * The numbers of a question (stemmed), each with the unit right after it, if any; a time of day written
 * as one word ("11am", "5pm") is one number.
 */
function measuresIn(question: string): [string, string | undefined][] {
  const times = [...question.matchAll(/\b(\d{1,2}(?::\d{2})?(?:am|pm))\b/giu)].map(
    (m): [string, string | undefined] => [stem(m[1] ?? ""), undefined],
  );
  return [
    ...times,
    ...[...question.matchAll(/\b(\d[\d.,]*)(?:\s+(\p{L}+))?/gu)].map(
      (m) =>
        [stem(m[1] ?? ""), m[2] && UNITS.test(m[2]) ? stem(m[2]) : undefined] as [string, string | undefined],
    ),
  ];
}

/** The question's content words, stemmed, each with its related words: what a passage must speak about. */
function keyTerms(question: string): Terms {
  const terms: Terms = new Map();
  for (const t of [...new Set(queryTerms(question).map(stem))].filter((t) => !GENERIC.has(t))) {
    terms.set(t, new Set([t, ...RELATED.filter((group) => group.has(t)).flatMap((group) => [...group])]));
  }
  return terms;
}
