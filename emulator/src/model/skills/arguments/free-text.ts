/**
 * Free text (a reminder's text, an e-mail's body, a search query): quoted text, a title after "called" or
 * "about", else what is left of the message once the other values and the request's own words are out.
 */
import { related } from "../../parse/lexicon.ts";
import { without } from "../../parse/spans.ts";
import { contentStems, isTypoOf, STOPWORDS, sameStem, stem, words } from "../../parse/words.ts";
import { isTitle, type Param, type Reading, take } from "./reading.ts";

/** Verbs that ask for the tool's action rather than say what it is about ("Set an alert …"). */
const REQUEST_VERBS = new Set(
  "set put add create make schedule book send write save plan arrange log record enter need want like give tell show new find get look fetch search check take taking".split(
    " ",
  ),
);

/** Words that join a free text to the rest of the request, dropped at its ends. */
const CONNECTORS = new Set(
  "to into for of on in at with by about that and or please pls plz thanks thx cheers me my the a an so then also just now any some there is are".split(
    " ",
  ),
);

/** Phrases that lead into free text and are not part of it. */
const LEAD_INS =
  /^(?:(?:please|can you|could you|would you|will you|i want to|i'd like to|i would like to|i need to|help me|go ahead and|and|then|also|me|to|that|saying|say|says|which says|with the (?:text|message)|about|for|of|called|titled|named|on|is|it|my|new|put|add|create|make|schedule|set|book|send|write|save|plan|arrange|log|record|enter|jot down|note down|(?:a |the )?(?:note|message|line|text|mail|email|e-mail) (?:that|saying|to say))\b[\s,:]*)+/i;

export function freeText(
  param: Param,
  reading: Reading,
  secondary: boolean,
  params: Param[],
): string | undefined {
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
  // "tranlsate hello": a slip of the tool's own words is the request too.
  const spelled = reading.toolWords;
  // The request's own words (its verbs, the tool's and parameters' words, related words, slips of them)
  // and the words that join them are not the text; clauses made only of them go, and so do such words
  // at either end ("Remind me to …", "… to my todo list"). Pronouns stay: "translate I love you".
  const junk = (w: string) => {
    const lower = w.toLowerCase();
    const s = stem(w);
    return (
      CONNECTORS.has(lower) ||
      REQUEST_VERBS.has(lower) ||
      own.some((o) => sameStem(o, s) || related(o, s)) ||
      spelled.some((o) => isTypoOf(lower, o))
    );
  };
  rest = rest
    .replace(/\bto-do\b/gi, "todo")
    .split(/\s*[,:]\s*/)
    .filter((part) => words(part).some((w) => !junk(w)))
    .join(", ");
  let previous = "";
  while (previous !== rest) {
    previous = rest;
    rest = rest.replace(/^[\s,.:;!?-]+/, "").replace(LEAD_INS, "");
    const [token, second] = rest.split(/\s+/);
    if (token === undefined || token === "") break;
    const first = token.replace(/[^\p{L}'-]+$/u, "");
    // "the report is ready" keeps its article; "the task buy milk" loses "the task"; a title loses it.
    const article = /^(?:a|an|the)$/i.test(first) && !isTitle(param);
    // "wake me up at 6:45 to …": a particle after the request's verb goes too.
    const lead = junk(first) || first.toLowerCase() === "up";
    if (article ? second !== undefined && junk(second) : lead) rest = rest.slice(token.length);
  }
  for (
    let last = /([\p{L}']+)[\s,.;:!?-]*$/u.exec(rest);
    last !== null && junk(last[1] ?? "");
    last = /([\p{L}']+)[\s,.;:!?-]*$/u.exec(rest)
  )
    rest = rest.slice(0, last.index).replace(/[\s-]+$/, "");
  rest = rest
    .replace(/(?:\s*,\s*)+/g, ", ")
    .replace(/[\s,.;:!?-]+$/, "")
    .replace(/\s+(?:at|on|for|from|to|in|with|by|and)$/i, "")
    .trim();
  if (words(rest).length === 0) return undefined;
  // An optional note (not a label: "pasta") takes what is left only when it says something: "take some"
  // is the rest of the request.
  if (!param.required && !isTitle(param) && words(rest).filter((w) => !STOPWORDS.has(w)).length < 2)
    return undefined;
  reading.use({ text: rest, index: 0, end: reading.text.length });
  return rest;
}
