/**
 * The lab model's "memory": it has none of its own. Facts come only from the user messages in the history
 * the service hands it (conversation items or the previous-response chain), which is exactly the lesson:
 * server-side conversations are what make an agent remember.
 *
 * Three kinds of recall, most specific first:
 *   - facts with a key: "my favourite colour is teal", "I live in Oslo", "remember the word pelican";
 *   - anything else said in the first person ("I parked on level 3"): a question about it ("where did I
 *     park?") finds the statement sharing its words and says it back in the second person;
 *   - the conversation itself: "what did I say first?".
 *
 * Sentences and values end at punctuation, so the text is read guarded (parse/entities.ts): an e-mail
 * address, URL, version number or decimal is said back whole ("ada@example.com", not "ada@example").
 */
import { guard, unguard } from "./parse/entities.ts";
import { contentStems, sameStem, stem } from "./parse/words.ts";

export interface Fact {
  /** Normalized key, e.g. `name`, `favourite colour`, `home`, `occupation`, `word`. */
  key: string;
  value: string;
}

const KEY_ALIASES: Record<string, string> = {
  job: "occupation",
  profession: "occupation",
  work: "occupation",
  "home town": "home",
  hometown: "home",
  city: "home",
  "first name": "name",
  "full name": "name",
};

export function normalizeKey(raw: string): string {
  const key = raw
    .toLowerCase()
    .replace(/\bfavorite\b/g, "favourite")
    .replace(/\bcolor\b/g, "colour")
    .replace(/\s+/g, " ")
    .trim();
  return KEY_ALIASES[key] ?? key;
}

/** Cuts a stated value at the start of the next clause ("Ada and I live in Oslo" -> "Ada"). */
function cleanValue(raw: string): string {
  const value =
    raw.split(/\s+(?:and|but|so)\s+(?:i|i'm|my|you|what|where|who|please|remember)\b/i)[0] ??
    raw.replace(/^(?:called|named)\s+/i, "");
  return value.replace(/^["“'‘]|["”'’]$/g, "").trim();
}

/**
 * How people type: a curly apostrophe (pasted text, phone keyboards) and a dropped one ("whats my name",
 * "im from Oslo") read as the straight, spelt-out forms the patterns below are written in.
 */
export function plainSpelling(text: string): string {
  return (
    text
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      .replace(/\b(what|where|who|how|that|it)s\b/gi, "$1's")
      .replace(/\b(my name)'s\b/gi, "$1 is")
      // "Dr. Smith" is one name, not the end of a sentence.
      .replace(/\b(Dr|Mr|Mrs|Ms|Prof|St)\.\s+(?=\p{Lu})/gu, "$1 ")
      .replace(/\b([Ii])m\b/g, "$1'm")
      .replace(/\b(do|does|did|is|are|was|can|won)nt\b/gi, "$1n't")
  );
}

/**
 * "I'm Ada", "I am Ada Lovelace": a capitalized name right after "I'm", ending the clause. Nationalities
 * are capitalized too ("I'm Norwegian"); the common ones are not names (a short list, not a dictionary).
 */
const I_AM_NAME =
  /\b[Ii](?:'m| am) (?!(?:American|Australian|Brazilian|British|Canadian|Chinese|Danish|Dutch|English|Finnish|French|German|Greek|Indian|Irish|Italian|Japanese|Korean|Mexican|Norwegian|Polish|Portuguese|Russian|Scottish|Spanish|Swedish|Swiss|Turkish|Ukrainian|Welsh)\b)(\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*){0,2})(?=\s*(?:$|[.!,;]|\s(?:and|but|from|here)\b))/u;

const STATEMENTS: Array<{ pattern: RegExp; key?: string }> = [
  { pattern: /\b(?:i'm|i am) called ([^.!?,;]+)/i, key: "name" },
  { pattern: I_AM_NAME, key: "name" },
  { pattern: /\bcall me ([^.!?,;]+)/i, key: "name" },
  { pattern: /\bi live in ([^.!?,;]+)/i, key: "home" },
  { pattern: /\b(?:i'm|i am) from ([^.!?,;]+)/i, key: "home" },
  { pattern: /\bi work (?:at|for) ([^.!?,;]+)/i, key: "employer" },
  { pattern: /\bi work as an? ([^.!?,;]+)/i, key: "occupation" },
  { pattern: /\b(?:i'm|i am) (\d+)(?: years old)?\b/i, key: "age" },
  { pattern: /\b(?:i'm|i am) allergic to ([^.!?,;]+)/i, key: "allergy" },
  { pattern: /\b(?:i'm|i am) an? ([^.!?,;]+)/i, key: "occupation" },
  { pattern: /\bi (?:have|own) an? ([a-z]+) (?:called|named) ([^.!?,;]+)/i },
  { pattern: /\bmy ([a-z][a-z' -]{0,40}?) (?:is|are|was) ([^.!?,;]+)/i },
];

/** "Remember the word pelican", "please remember the door code 4411", "remember the code: AX-77". */
const REMEMBER_THE =
  /^\s*(?:(?:hey|hi|ok|okay|please|and|also|now|i want you to|i'd like you to|can you|could you)[,!]?\s+)*(?:remember|memori[sz]e|don't forget|do not forget|note|keep in mind)\s+(?:the|this)\s+([^.!?,;]+)/i;
/** "Remember that the meeting is in room 12", "remember: pelican". */
const REMEMBER_THAT =
  /^\s*(?:(?:hey|hi|ok|okay|please|and|also|now|i want you to|i'd like you to|can you|could you)[,!]?\s+)*(?:remember|memori[sz]e|don't forget|do not forget|keep in mind|note)\s*(?:that|this|:)?\s+["“'‘]?([^"”'’.!?;]+)/i;

/**
 * "word pelican" → key "word", value "pelican"; "door code 4411" → "door code", "4411"; "name Rosalind
 * for me" → "name", "Rosalind". The value is a quoted, capitalized or numbered word, else the last one.
 */
function keyAndValue(phrase: string): { key: string; value: string } | undefined {
  const colon = /^([a-z][a-z ]*?)\s*[:=]\s*(.+)$/i.exec(phrase.trim());
  if (colon !== null) return { key: colon[1] ?? "", value: colon[2] ?? "" };
  const tokens = phrase
    .trim()
    .replace(/\s+(?:for me|please|too|as well|for later)$/i, "")
    .split(/\s+/);
  if (tokens.length < 2) return undefined;
  const at = tokens.findIndex((t, i) => i > 0 && (/^["“'‘\p{Lu}\d#]/u.test(t) || /\d/.test(t)));
  const split = at > 0 ? at : tokens.length - 1;
  return { key: tokens.slice(0, split).join(" "), value: tokens.slice(split).join(" ") };
}

/** "My question is …" states a request, not something about the user to remember. */
const NOT_FACTS = new Set(["question", "problem", "point", "guess", "answer", "request", "goal", "task"]);

export function isQuestion(text: string): boolean {
  const sentence = plainSpelling(text);
  return (
    /\?\s*$/.test(sentence) ||
    /^\s*(?:what|where|who|which|when|how|why|do|does|did|is|are|can|could|would|will)\b/i.test(sentence)
  );
}

/** Facts stated in one user message. Questions state nothing ("is my name Ada?"). */
export function factsIn(text: string): Fact[] {
  const facts: Fact[] = [];
  const add = (key: string, raw: string) => {
    const value = unguard(cleanValue(raw));
    if (value !== "" && !NOT_FACTS.has(key) && !facts.some((f) => f.key === key)) facts.push({ key, value });
  };
  for (const sentence of guard(plainSpelling(text)).split(/(?<=[.!;\n])\s*/)) {
    if (isQuestion(sentence)) continue;
    const the = REMEMBER_THE.exec(sentence);
    const kv = the === null ? undefined : keyAndValue(the[1] ?? "");
    if (kv !== undefined) {
      // Kept apart from facts about the user: "remember the name Rosalind" is not the user's name.
      add(`remembered ${normalizeKey(kv.key)}`, kv.value);
      continue;
    }
    const that = REMEMBER_THAT.exec(sentence);
    if (that !== null) {
      // "Remember that my locker is 12" is also a fact about the locker.
      for (const inner of factsIn(unguard(that[1] ?? ""))) add(inner.key, inner.value);
      add("remembered", that[1] ?? "");
      continue;
    }
    for (const { pattern, key } of STATEMENTS) {
      const match = pattern.exec(sentence);
      if (match === null) continue;
      if (key !== undefined) add(key, match[1] ?? "");
      else if (/called|named/.test(match[0]) && !/^my\b/i.test(match[0]))
        add(normalizeKey(`${match[1] ?? ""}'s name`), match[2] ?? "");
      else add(normalizeKey(match[1] ?? ""), match[2] ?? "");
    }
  }
  return facts;
}

/** Later statements win: "my name is Ada" then "call me Ada Lovelace" -> Ada Lovelace. */
export function knownFacts(texts: string[]): Map<string, string> {
  const facts = new Map<string, string>();
  for (const text of texts) for (const fact of factsIn(text)) facts.set(fact.key, fact.value);
  return facts;
}

/** The fact keys a question asks about, or undefined when it is not a recall question. */
export function recallKey(text: string): string | undefined {
  // "What was my name again?" asks for the name.
  const t = plainSpelling(text)
    .trim()
    .replace(/(?:,?\s+(?:again|please|now))+(\s*\??)$/i, "$1");
  if (/\bwho am i\b/i.test(t)) return "name";
  if (/\bwhere (?:do i live|am i from|do i come from|is my home)\b/i.test(t)) return "home";
  if (/\bwhere do i work\b|\bwho do i work for\b/i.test(t)) return "employer";
  if (/\bhow old am i\b/i.test(t)) return "age";
  if (/\bwhat am i allergic to\b/i.test(t)) return "allergy";
  if (/\bwhat (?:do i do|is my (?:job|occupation|profession|work))\b/i.test(t)) return "occupation";
  // "Which word did I ask you to remember?", "what number did I tell you to keep in mind?"
  const which =
    /\b(?:what|which)\s+([a-z]+(?: [a-z]+)?)\s+(?:did|have)\s+i\s+(?:ask(?:ed)? you to|tell you to|told you to|want(?:ed)? you to)\s+(?:remember|memori[sz]e|keep in mind|not forget)/i.exec(
      t,
    );
  if (which?.[1] !== undefined) return `remembered ${normalizeKey(which[1])}`;
  if (
    /\bwhat (?:did|have) i (?:ask(?:ed)? you to|tell you to|told you to) (?:remember|memori[sz]e|keep in mind)\b/i.test(
      t,
    )
  )
    return "remembered";
  const match =
    /\b(?:what(?:'s| is| are| was)|do you (?:know|remember)|tell me|remind me (?:of )?)\s+my ([a-z][a-z' -]{0,40}?)\s*\??$/i.exec(
      t,
    );
  return match?.[1] === undefined ? undefined : normalizeKey(match[1]);
}

/** How a fact reads back to the user. */
export function describe(fact: Fact): string {
  switch (fact.key) {
    case "home":
      return `you live in ${fact.value}`;
    case "employer":
      return `you work at ${fact.value}`;
    case "age":
      return `you are ${fact.value} years old`;
    case "allergy":
      return `you are allergic to ${fact.value}`;
    case "occupation":
      return `you are ${/^[aeiou]/i.test(fact.value) ? "an" : "a"} ${fact.value}`;
    case "remembered":
      return `you asked me to remember: ${secondPerson(fact.value)}`;
    default:
      return fact.key.startsWith("remembered ")
        ? `the ${fact.key.slice("remembered ".length)} you asked me to remember is ${fact.value}`
        : `your ${fact.key} is ${fact.value}`;
  }
}

/** A fact whose key the question names ("Which gate am I at?" ↔ "my gate is B42"). */
export function factAbout(question: string, facts: Map<string, string>): Fact | undefined {
  const asked = contentStems(question);
  for (const [key, value] of [...facts].reverse()) {
    const keyStems = contentStems(key.replace(/^remembered /, ""));
    if (keyStems.length > 0 && keyStems.every((k) => asked.some((a) => sameStem(a, k))))
      return { key, value };
  }
  return undefined;
}

/** What the user asked the model to remember, under a key, when none is asked for by name. */
export function latestRemembered(texts: string[]): Fact | undefined {
  let found: Fact | undefined;
  for (const text of texts) {
    if (!/\b(?:remember|memori[sz]e|don't forget|do not forget|keep in mind)\b/i.test(text)) continue;
    const facts = factsIn(text);
    found =
      facts.find((f) => f.key.startsWith("remembered ")) ??
      facts.find((f) => f.key !== "remembered") ??
      facts[0] ??
      found;
  }
  return found;
}

/** `first` for "what did I say first?", `previous` for earlier/last/before, `all` for a recap. */
export function quoteRequest(text: string): "first" | "previous" | "all" | undefined {
  const t = text.toLowerCase();
  // "Summarize our conversation", "what have we talked about?": every earlier turn, quoted.
  if (
    /\b(?:summari[sz]e|recap|sum up)\b.*\b(?:conversation|chat|discussion|so far)\b|\bwhat (?:have|did) we (?:talk(?:ed)?|discuss(?:ed)?|say|said)\b/.test(
      t,
    )
  )
    return "all";
  const asks =
    /\bwhat (?:did|have) i (?:say|said|ask|asked|tell you|told you|write|wrote)\b(?! you to)/.test(t) ||
    /\bwhat was my (?:first|last|previous|earlier) (?:message|question)\b/.test(t);
  if (!asks) return undefined;
  return /\bfirst\b/.test(t) ? "first" : "previous";
}

/**
 * A statement about the user that fits no fact pattern ("I parked on level 3."), said back in the second
 * person; not a request ("I want …", "I need …") and not a question.
 */
export function firstPersonStatement(text: string): string | undefined {
  const sentences = guard(plainSpelling(text))
    .split(/(?<=[.!;\n])\s+/)
    .filter((s) => /^\s*(?:i|my|i'm|i've|i'll|i'd)\b/i.test(s) && !isQuestion(s))
    .filter((s) => !/^\s*i(?:'d| would| want| need| wish| wonder| think| hope| was wondering)\b/i.test(s))
    // "I'm going to Japan and I want to know how much 300 dollars is in yen": a request told as a story.
    .filter(
      (s) =>
        !/\b(?:(?:want|wanted|need|needed|like|love) to (?:know|find out|check|see)|(?:can|could|would|will) (?:you|u)|(?:can|could|may) i|i (?:was )?wonder(?:ing)?)\b/i.test(
          s,
        ),
    );
  if (sentences.length === 0) return undefined;
  return unguard(sentences.map((s) => secondPerson(s.trim().replace(/[.!;]+$/, ""))).join("; "));
}

/**
 * A question whose subject is the user ("Which hotel am I staying at?", "where did I park?", "what is my
 * seat?"), as opposed to one that only mentions them ("What's the weather where I live?").
 */
export function asksAboutSelf(said: string): boolean {
  const text = plainSpelling(said);
  return (
    isQuestion(text) &&
    /\b(?:am i|did i|do i|have i|was i|were i|will i|(?:is|are|was|were|does|do|did|has|have|will|'s|'re) my)\b|^\s*(?:am|did|do|have|was) i\b/i.test(
      text,
    )
  );
}

/** Whether something the user said earlier answers this question (a fact by its key, or a statement). */
export function canRecall(question: string, earlier: string[]): boolean {
  return (
    factAbout(question, knownFacts(earlier)) !== undefined || statementAbout(question, earlier) !== undefined
  );
}

/** A question about the user ("where did I park?", "what's my plan for Friday?"), not about the world. */
export function isAboutUser(said: string): boolean {
  const text = plainSpelling(said);
  return (
    isQuestion(text) && /\b(?:i|my|me|mine|i'm|i've)\b/i.test(text) && !/\byou\b.*\b(?:can|do)\b/i.test(text)
  );
}

/**
 * The earlier first-person statement that answers a question about the user: the one sharing the most
 * meaningful words with it ("Where did I park?" ↔ "I parked on level 3 of the garage").
 */
export function statementAbout(question: string, texts: string[], minHits = 1): string | undefined {
  const asked = contentStems(question).filter((s) => !ASK_WORDS.has(s));
  if (asked.length === 0) return undefined;
  // A name in the question ("How old is Zoe?") counts double: it is what the question is about.
  const names = new Set(contentStems((question.slice(1).match(/\b\p{Lu}[\p{L}'-]+/gu) ?? []).join(" ")));
  let best: { sentence: string; hits: number } | undefined;
  for (const text of texts) {
    for (const sentence of guard(text).split(/(?<=[.!?;\n])\s+/)) {
      if (isQuestion(sentence)) continue;
      // Said about the user, or asked to be kept ("remember: the spare key is under the mat").
      const kept = /^\s*(?:please\s+)?(?:note|remember|don't forget|keep in mind)\b/i.test(sentence);
      if (!kept && !/\b(?:i|my|i'm|i've|i'll|i'd)\b/i.test(sentence)) continue;
      const said = contentStems(sentence);
      const hits = asked
        .filter((a) => said.some((s) => sameStem(a, s)))
        .reduce((n, a) => n + (names.has(a) ? 2 : 1), 0);
      if (hits >= minHits && (best === undefined || hits >= best.hits))
        best = { sentence: sentence.trim(), hits };
    }
  }
  if (best === undefined) return undefined;
  const said = best.sentence
    .replace(/[.!;]+$/, "")
    .replace(/^(?:please\s+)?(?:note|remember|don't forget|keep in mind)(?: that)?\s*:?\s*/i, "");
  return unguard(secondPerson(said));
}

const ASK_WORDS = new Set(["tell", "remember", "say", "said", "ask", "forget", "mention", "told"].map(stem));

const SWAPS: Record<string, string> = {
  i: "you",
  me: "you",
  my: "your",
  mine: "yours",
  myself: "yourself",
  "i'm": "you're",
  "i've": "you've",
  "i'll": "you'll",
  "i'd": "you'd",
  we: "you",
  our: "your",
  us: "you",
};

/** "I parked on level 3" → "you parked on level 3". */
export function secondPerson(text: string): string {
  let afterI = false;
  return text.replace(/[\p{L}']+/gu, (word) => {
    const lower = word.toLowerCase();
    // "am" and "was" change only after "I" ("I am" → "you are"; "6 am" stays).
    const swapped =
      lower === "was" || lower === "am"
        ? afterI
          ? lower === "am"
            ? "are"
            : "were"
          : word
        : (SWAPS[lower] ?? word);
    afterI = lower === "i";
    return swapped;
  });
}
