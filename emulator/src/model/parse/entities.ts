/**
 * Things named in a request: quoted text ("…", '…', “…”), proper names (capitalized words, with the small
 * words names contain: "Bank of America", "Rio de Janeiro", "Luigi's"), e-mail addresses and URLs; and
 * the guard that keeps such tokens whole where text is cut at punctuation.
 */
import type { Span } from "./spans.ts";
import { STOPWORDS } from "./words.ts";

export function quoted(text: string): Span[] {
  const out: Span[] = [];
  const pattern = /"([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|(?<![\p{L}\p{N}])'([^'\n]+)'(?![\p{L}\p{N}])/gu;
  for (const m of text.matchAll(pattern)) {
    const inner = m[1] ?? m[2] ?? m[3] ?? m[4] ?? "";
    out.push({ text: inner.trim(), index: m.index, end: m.index + m[0].length });
  }
  return out;
}

export function emails(text: string): Span[] {
  return [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => ({
    text: m[0],
    index: m.index,
    end: m.index + m[0].length,
  }));
}

export function urls(text: string): Span[] {
  return [...text.matchAll(/\bhttps?:\/\/[^\s"'<>]+[^\s"'<>.,;:!?)]/g)].map((m) => ({
    text: m[0],
    index: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * Words joined by full stops with no space: version numbers, decimals and dotted addresses ("24.11.1",
 * "1.85", "1,234.50", "10.0.0.12"), host and file names ("www.example.org", "Node.js", "report.pdf"): their full
 * stops end no sentence. A capitalized word after the stop ("Oslo.Then") starts one.
 */
export function dottedTokens(text: string): Span[] {
  const pattern =
    /(?<![\p{L}\p{N}_.,-])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|[\p{L}\p{N}_-]+(?:\.(?!\p{Lu}\p{Ll})[\p{L}\p{N}_-]+)+)(?![\p{L}\p{N}])/gu;
  return [...text.matchAll(pattern)].map((m) => ({ text: m[0], index: m.index, end: m.index + m[0].length }));
}

/** Stand-ins (private-use characters) for the punctuation a sentence or clause rule cuts at. */
const GUARDS: Record<string, string> = {
  ".": "\uE000",
  "!": "\uE001",
  "?": "\uE002",
  ",": "\uE003",
  ";": "\uE004",
  ":": "\uE005",
  "=": "\uE006",
  "&": "\uE007",
};
const UNGUARDS = Object.fromEntries(Object.entries(GUARDS).map(([c, g]) => [g, c]));

/**
 * The text with the punctuation inside e-mail addresses, URLs, version numbers, decimals and host names
 * replaced by stand-ins, so rules that end a sentence or a value at ".", "," or ":" ("My email is
 * ada@example.com.") keep them whole; `unguard` puts the punctuation back. Same length as the text.
 */
export function guard(text: string): string {
  const spans = [...emails(text), ...urls(text), ...dottedTokens(text)];
  if (spans.length === 0) return text;
  // Stand-ins replace single characters, so every position in the text holds.
  let out = "";
  let at = 0;
  for (const span of spans.sort((a, b) => a.index - b.index)) {
    if (span.index < at) continue;
    out +=
      text.slice(at, span.index) +
      text.slice(span.index, span.end).replace(/[.!?,;:=&]/g, (c) => GUARDS[c] ?? c);
    at = span.end;
  }
  return out + text.slice(at);
}

export function unguard(text: string): string {
  return text.replace(/[\uE000-\uE007]/g, (g) => UNGUARDS[g] ?? g);
}

/** Capitalized words that start sentences but are not names ("What", "Book", "Remind", …). */
function startsSentence(text: string, index: number): boolean {
  const before = text.slice(0, index).trimEnd();
  return before === "" || /[.!?:;\n"“(]$/.test(before);
}

/** Words of a name that a number follows ("Terminal 5", "Gate B12" is one token already). */
const NUMBERED = new Set(
  "terminal platform gate track pier level floor building hall studio route highway dock berth wing block station stop bay stand room".split(
    " ",
  ),
);

const STREETS =
  /\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Way|Boulevard|Blvd|Drive|Dr|Square|Place|Plaza|Strasse|Straße|Gate|Gata|Rue|Calle|Via)\.?$/;

const JOINERS = new Set(["of", "de", "da", "del", "la", "le", "du", "van", "von", "der", "den", "y", "&"]);

/** Words that are capitalized for other reasons than being a name. */
const NOT_NAMES = new Set(
  (
    "i i'm i'd i've i'll ok okay monday tuesday wednesday thursday friday saturday sunday january february " +
    "march april may june july august september october november december today tomorrow tonight am pm"
  ).split(" "),
);

/** Words that often start a request and are never names on their own. */
const REQUEST_WORDS = new Set(
  (
    "what when where which who whom why how is are was were do does did can could will would should shall " +
    "may might please book find convert remind show list tell give send create add put schedule set get check " +
    "translate search look order track cancel delete remove plan call email message text reserve buy sell " +
    "open close turn start stop play make and also then next it yes no hi hello hey thanks let lets i my " +
    "remember note what's where's how's who's when's is it there any write explain tell describe summarize summarise"
  ).split(" "),
);

/**
 * Proper names in order. A capitalized word that starts a sentence counts only when it is followed by
 * another capitalized word or is not an ordinary English word we know ("Oslo is cold" → Oslo; "What is"
 * → nothing), judged by the caller's `ordinary` test.
 */
export function properNames(text: string, ordinary: (word: string) => boolean = () => false): Span[] {
  const out: Span[] = [];
  const tokens = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*|&/gu)];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i];
    if (first === undefined) break;
    if (!isCapital(first[0]) || NOT_NAMES.has(first[0].toLowerCase())) {
      i++;
      continue;
    }
    let j = i;
    let end = i;
    while (j + 1 < tokens.length) {
      const next = tokens[j + 1];
      const after = tokens[j + 2];
      if (next === undefined) break;
      const gap = text.slice((tokens[j]?.index ?? 0) + (tokens[j]?.[0].length ?? 0), next.index);
      if (!/^[ \t]+$/.test(gap)) break;
      // "Oslo. What's": a full stop ends the name, unless it marks an abbreviation ("St. Louis").
      const current = tokens[j]?.[0] ?? "";
      if (/\.$/.test(current) && !/^\p{Lu}\p{Ll}{0,2}\.$/u.test(current)) break;
      if (isCapital(next[0]) && !NOT_NAMES.has(next[0].toLowerCase())) {
        j++;
        end = j;
        continue;
      }
      // "Heathrow Terminal 5", "Platform 9": a short number after a word that numbers places.
      if (/^\d{1,3}[A-Za-z]?$/.test(next[0]) && NUMBERED.has(current.toLowerCase())) {
        j++;
        end = j;
        continue;
      }
      if (JOINERS.has(next[0].toLowerCase()) && after !== undefined && isCapital(after[0])) {
        j += 2;
        end = j;
        continue;
      }
      break;
    }
    const last = tokens[end];
    const index = first.index;
    const stop = (last?.index ?? 0) + (last?.[0].length ?? 0);
    let phrase = text.slice(index, stop).replace(/[.'’-]+$/, "");
    let start = index;
    if (startsSentence(text, index)) {
      const head = first[0].toLowerCase().replace(/['’]s$/, "");
      // "Write a haiku", "Send me …": a first word followed by an article or "me" is a verb.
      const imperative = /^\s+(?:a|an|the|me|my|us|our|some|this|that)\b/i.test(
        text.slice(first.index + first[0].length),
      );
      if (STOPWORDS.has(head) || REQUEST_WORDS.has(head) || ordinary(head) || (end === i && imperative)) {
        // "Book Luigi's" → Luigi's; a lone ordinary word is no name.
        const rest = phrase.slice(first[0].length).trimStart();
        start = index + phrase.length - rest.length;
        phrase = rest;
      }
    }
    // "221B Baker Street": a house number belongs to a street name.
    const number = /(\d+[A-Za-z]?)\s+$/.exec(text.slice(0, start));
    if (number !== null && STREETS.test(phrase)) {
      start -= number[0].length;
      phrase = text.slice(start, start + number[0].length) + phrase;
      phrase = phrase.replace(/\s+/, " ");
    }
    if (phrase !== "") out.push({ text: phrase, index: start, end: start + phrase.length });
    i = end + 1;
  }
  return out;
}

function isCapital(word: string): boolean {
  return /^\p{Lu}/u.test(word);
}
