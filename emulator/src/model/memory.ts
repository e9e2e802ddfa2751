/**
 * The lab model's "memory": it has none of its own. Facts come only from the user messages in the history
 * the service hands it (conversation items or the previous-response chain), which is exactly the lesson:
 * server-side conversations are what make an agent remember.
 */

export interface Fact {
  /** Normalized key, e.g. `name`, `favourite colour`, `home`, `occupation`. */
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
  return (
    raw.split(/\s+(?:and|but|so)\s+(?:i|i'm|my|you|what|where|who)\b/i)[0] ??
    raw.replace(/^(?:called|named)\s+/i, "").trim()
  );
}

const STATEMENTS: Array<{ pattern: RegExp; key?: string }> = [
  { pattern: /\b(?:i'm|i am) called ([^.!?,;]+)/i, key: "name" },
  { pattern: /\bcall me ([^.!?,;]+)/i, key: "name" },
  { pattern: /\bi live in ([^.!?,;]+)/i, key: "home" },
  { pattern: /\b(?:i'm|i am) from ([^.!?,;]+)/i, key: "home" },
  { pattern: /\bi work as an? ([^.!?,;]+)/i, key: "occupation" },
  { pattern: /\b(?:i'm|i am) an? ([^.!?,;]+)/i, key: "occupation" },
  { pattern: /\bmy ([a-z][a-z' -]{0,40}?) (?:is|are) ([^.!?,;]+)/i },
];

/** "My question is …" states a request, not something about the user to remember. */
const NOT_FACTS = new Set(["question", "problem", "point", "guess", "answer", "request", "goal", "task"]);

/** Facts stated in one user message. Questions state nothing ("is my name Ada?"). */
export function factsIn(text: string): Fact[] {
  const facts: Fact[] = [];
  for (const sentence of text.split(/(?<=[.!;\n])\s*/)) {
    if (/\?\s*$/.test(sentence) || /^\s*(?:what|where|who|do|does|is|are|can)\b/i.test(sentence)) continue;
    for (const { pattern, key } of STATEMENTS) {
      const match = pattern.exec(sentence);
      if (match === null) continue;
      const factKey = key ?? normalizeKey(match[1] ?? "");
      if (NOT_FACTS.has(factKey)) continue;
      const value = cleanValue((key === undefined ? match[2] : match[1]) ?? "");
      if (value !== "" && !facts.some((f) => f.key === factKey)) facts.push({ key: factKey, value });
    }
  }
  return facts;
}

/** The fact keys a question asks about, or undefined when it is not a recall question. */
export function recallKey(text: string): string | undefined {
  const t = text.trim();
  if (/\bwho am i\b/i.test(t)) return "name";
  if (/\bwhere (?:do i live|am i from|do i come from)\b/i.test(t)) return "home";
  if (/\bwhat (?:do i do|is my (?:job|occupation|profession|work))\b/i.test(t)) return "occupation";
  const match =
    /\b(?:what(?:'s| is| are)|do you (?:know|remember)|tell me) my ([a-z][a-z' -]{0,40}?)\s*\??$/i.exec(t);
  return match?.[1] === undefined ? undefined : normalizeKey(match[1]);
}

/** `first` for "what did I say first?", `previous` for earlier/last/before, else undefined. */
export function quoteRequest(text: string): "first" | "previous" | undefined {
  const t = text.toLowerCase();
  const asks =
    /\bwhat (?:did|have) i (?:say|said|ask|asked|tell you|told you|write|wrote)\b/.test(t) ||
    /\bwhat was my (?:first|last|previous|earlier) (?:message|question)\b/.test(t);
  if (!asks) return undefined;
  return /\bfirst\b/.test(t) ? "first" : "previous";
}
