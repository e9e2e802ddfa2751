/**
 * Cue words: the little words before a value that say what it is. "from Oslo to Bergen" puts Oslo in an
 * origin and Bergen in a destination; "at Luigi's" names a place; "in Paris" a city; "with Ada" a person.
 * A parameter's name and description say which cue it listens for.
 */
import { STOPWORDS, stem, words } from "./words.ts";

export type Cue = "from" | "to" | "at" | "in" | "with" | "for" | "about";

/** The words that introduce a value of each role. */
export const CUE_WORDS: Record<Cue, string[]> = {
  from: ["from", "leaving", "departing", "out of"],
  to: ["to", "towards", "into", "for", "arriving in", "arriving at"],
  at: ["at", "in", "from"],
  in: ["in", "for", "at", "near", "around", "of"],
  with: ["with", "to", "for", "invite", "inviting"],
  for: ["for", "of"],
  about: ["about", "on", "regarding", "for", "called", "titled", "named"],
};

const ROLES: Array<{ cue: Cue; words: string }> = [
  { cue: "from", words: "from origin source departure depart start pickup leaving base sender" },
  { cue: "to", words: "to destination arrival arrive target end dropoff going quote recipient" },
  {
    cue: "at",
    words: "restaurant venue place hotel shop store cafe bar cinema theatre theater museum where",
  },
  { cue: "in", words: "city town location country region area place locality state" },
  {
    cue: "with",
    words:
      "person people attendee attendees contact guest guests participant participants invitee invitees who with friend",
  },
  { cue: "about", words: "topic subject title about" },
];
const ROLE_STEMS = ROLES.map(({ cue, words: w }) => ({ cue, stems: new Set(w.split(" ").map(stem)) }));

/**
 * The role a parameter plays, from its name first and then its description: `destination_city` is a
 * "to" (its name says where to, before it says city), `station` with "departure station" is a "from".
 */
export function cueOf(name: string, description: string): Cue | undefined {
  for (const text of [name, description]) {
    for (const w of words(text)) {
      // "What to buy": a little word of a description's sentence names no role; a name's does ("to").
      if (text === description && text !== name && STOPWORDS.has(w)) continue;
      const role = ROLE_STEMS.find((r) => r.stems.has(stem(w)));
      if (role !== undefined) return role.cue;
    }
  }
  return undefined;
}
