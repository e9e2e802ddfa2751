/**
 * Whether a message asks about how things are ("are the kitchen lights on?", "did my order ship?",
 * "what time is it in Tokyo") rather than asking for something to be done. A question never acts: the
 * function-call skill then calls only tools that look things up. Polite requests are questions only in
 * form and still act: a modal with "you" ("can you turn off the lights?", "would u close ticket 3"), or
 * "can I" / "could we" ("can I get a taxi to the airport?"). Read from the sentence's own cues (its first
 * words), never from a particular tool.
 */

/** Openers that say nothing about the kind of sentence ("hey", "quick question:"). */
const OPENERS = /^(?:(?:hey|hi|hello|ok|okay|so|um|uh|btw|quick question|sorry|yo)\b[\s,:!.-]*)+/i;

/** A request in the form of a question: a modal with "you", "can I …", "would you mind …". */
const POLITE =
  /^(?:(?:can|could|would|will|wo?n'?t)\s+(?:you|u|ya)(?:\s+please)?|(?:can|could|may)\s+(?:i|we)|(?:would|do)\s+you\s+mind|is it possible (?:to|for you to)|any chance (?:you|u) (?:can|could)|how about|what about|why (?:don'?t|not)|please)\b\s*/i;

/** After a polite opener, a request to find out ("can you check if the garage is locked") asks, not acts. */
const FIND_OUT =
  /^(?:tell me|let me know|check|see|find out|look up|confirm|ask)\s+(?:if|whether|what|when|where|who|how|which)\b/i;

/** A yes/no question starts with a form of be, do or have, or a modal ("will it rain", "should I"). */
const YES_NO =
  /^(?:is|are|was|were|am|isn'?t|aren'?t|wasn'?t|weren'?t|does|doesn'?t|did|didn'?t|do|don'?t|has|hasn'?t|have|haven'?t|had|will|would|should|shall|can|could|may|might)\s+(?!you\b|u\b)/i;
/** A wh- question ("what time is it in Tokyo", "where's my parcel", "whats the status of ticket 9"). */
const WH = /^(?:what|whats|what's|which|when|where|where's|who|who's|whose|how|how's|why)\b/i;

/** Wanting to know: "do you know if …", "I'd like to know whether …", "I wonder if …". */
const WONDERING =
  /^(?:(?:do|did|does) (?:you|u) (?:know|remember|happen to know)|any idea|i (?:want|need|would like|'d like) to know|i wonder|(?:i'm |i am )?wondering)\b/i;

/**
 * Whether the message (or, for one with several sentences, its first) asks how things are. `wondering:
 * false` leaves out "I want to know …": after "and" it is the rest of a story, not a second request
 * ("I'm going to Japan and I want to know how much 300 dollars is in yen").
 */
export function asksAboutState(text: string, { wondering = true } = {}): boolean {
  const sentence = text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .trim()
    .replace(OPENERS, "");
  if (WONDERING.test(sentence)) return wondering;
  const polite = POLITE.exec(sentence);
  if (polite !== null) return FIND_OUT.test(sentence.slice(polite[0].length));
  return YES_NO.test(sentence) || WH.test(sentence);
}
