/**
 * The built-in offline lab model. It is deterministic and honest: it never pretends to be a language model.
 * It works from the request alone: the agent's tools (each skill under skills/), the user's words (read by
 * the shared parsing layer under parse/), and the history the service passes it (memory.ts). What no
 * skill recognizes gets an answer that says what this agent can do, phrased from its tools.
 */
import { textOf } from "../items.ts";
import type { Json } from "../validate.ts";
import { capabilities } from "./capabilities.ts";
import {
  describe,
  type Fact,
  factAbout,
  factsIn,
  firstPersonStatement,
  isAboutUser,
  isQuestion,
  knownFacts,
  latestRemembered,
  quoteRequest,
  recallKey,
  statementAbout,
} from "./memory.ts";
import { assistantMessage } from "./output.ts";
import { servedModel } from "./routing.ts";
import { codeInterpreter } from "./skills/code-interpreter.ts";
import { fileSearch } from "./skills/file-search.ts";
import { functionCalls } from "./skills/function-calls.ts";
import { mcp } from "./skills/mcp.ts";
import { webSearch } from "./skills/web-search.ts";
import type { LabModel, ModelReply, ModelRequest, Skill, TurnView } from "./types.ts";

/**
 * Tried in order before plain conversation; the first that recognizes the turn answers it. Skills
 * that can say how well they match the turn (`match`) trade places among themselves, best first.
 * New tool types add a skill file under skills/ and one line here.
 */
const SKILLS: Skill[] = [functionCalls, fileSearch, webSearch, mcp, codeInterpreter];

const GREETING = /^\s*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|yo)\b/i;
const WHO_ARE_YOU =
  /\b(?:who|what) are you\b|\b(?:introduce|tell me about|describe) yourself\b|\bwhat(?:'s|s| is) your name\b|\b(?:what|which) (?:model|llm|ai) (?:are you|is this)\b|\bare you (?:a |an )?(?:ai|bot|robot|human|real|model|llm|language model|chatgpt|gpt|copilot)\b|^\s*how are you\b/i;
const THANKS =
  /^\s*(?:(?:ok(?:ay)?|great|perfect|cool|nice)[,!.]?\s+)?(?:thanks|thank you|thx|ty|cheers)\b[\s\w,!.]{0,20}$/i;
/** "ok", "great", "cool": an acknowledgement, not thanks. */
const ACKNOWLEDGED =
  /^\s*(?:ok(?:ay)?|k|great|perfect|cool|nice|got it|i see|alright|sure)\b[\s\w,!.]{0,20}$/i;
const BYE = /^\s*(?:bye|goodbye|see you|good night|later)\b[\s\w,!.]{0,20}$/i;
const WHAT_CAN_YOU_DO =
  /\b(?:what can you do|what (?:can|could) i ask|what do you do|how can you help|what are you able to|what are your (?:tools|skills|abilities|capabilities)|help me\s*[?.!]*$|^\s*help\b)/i;

export function createLabModel(): LabModel {
  return { respond };
}

async function respond(request: ModelRequest): Promise<ModelReply> {
  const view = viewOf(request);
  // The skills that measure their match are measured only when the turn gets as far as the first of
  // them (a function call answered first runs no search), then tried best first in the places they hold.
  let order: Skill[] | undefined;
  for (const [i, listed] of SKILLS.entries()) {
    if (listed.match && order === undefined) order = await ranked(request, view);
    const output = await (order?.[i] ?? listed)(request, view);
    if (output !== undefined) return { model: view.model, output };
  }
  return { model: view.model, output: [assistantMessage(reply(request, view))] };
}

/** SKILLS, with the ones that measure their match reordered best first in the places they hold. */
async function ranked(request: ModelRequest, view: TurnView): Promise<Skill[]> {
  const scored: { skill: Skill; score: number; order: number }[] = [];
  for (const [order, skill] of SKILLS.entries()) {
    if (skill.match) scored.push({ skill, score: await skill.match(request, view), order });
  }
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  let next = 0;
  return SKILLS.map((skill) => (skill.match ? (scored[next++]?.skill ?? skill) : skill));
}

function viewOf(request: ModelRequest): TurnView {
  const isUser = (i: Json) => i.type === "message" && i.role === "user";
  const userTexts = request.items.filter(isUser).map(textOf);
  const current = userTexts[userTexts.length - 1] ?? "";
  const lastUser = request.items.findLastIndex(isUser);
  return {
    current,
    earlier: userTexts.slice(0, -1),
    turnNumber: userTexts.length,
    sinceUser: request.items.slice(lastUser + 1),
    model: servedModel(request.deployment, current),
  };
}

function reply(request: ModelRequest, t: TurnView): string {
  if (t.current.trim() === "") {
    return "I did not find a user message in this turn, so there is nothing for me to answer yet.";
  }
  const quote = quoteRequest(t.current);
  if (quote !== undefined) return quoteEarlier(t, quote);
  const facts = knownFacts(t.earlier);
  const key = recallKey(t.current);
  if (key !== undefined) return recall(key, facts, t);
  const stated = factsIn(t.current);
  if (stated.length > 0) return acknowledge(stated);
  const statement = firstPersonStatement(t.current);
  if (statement !== undefined)
    return `Noted: ${statement}. I'll remember that for the rest of this conversation — ask me about it in a later turn.`;
  if (GREETING.test(t.current) || WHO_ARE_YOU.test(t.current)) return introduce(request, t);
  if (THANKS.test(t.current)) return "You're welcome. (I'm the offline lab model; ask me again any time.)";
  if (ACKNOWLEDGED.test(t.current)) return "Good. Ask me the next thing whenever you like.";
  if (BYE.test(t.current))
    return "Goodbye! (The conversation stays on the service: come back to it any time.)";
  if (WHAT_CAN_YOU_DO.test(t.current))
    return `I'm ${t.model}, the offline lab model. ${capabilities(request.tools)}`;
  // "What was the door code?", "Which gate am I at?": a question naming something the user told.
  const named = isQuestion(t.current) ? factAbout(t.current, facts) : undefined;
  if (named !== undefined) return toldEarlier(describe(named));
  // About the user, one shared word is enough ("Where did I park?"); about anything else, two or a name
  // ("How old is Zoe?" after "My daughter is called Zoe and she is 7").
  if (isQuestion(t.current)) {
    const about = statementAbout(t.current, t.earlier, isAboutUser(t.current) ? 1 : 2);
    if (about !== undefined) return toldEarlier(about);
  }
  const note = developerNote(t);
  if (note !== undefined) return note;
  return fallback(request, t);
}

/**
 * A developer (or system) message after the user's is context the application computed for this very
 * question (a lookup, a calculation, a retrieved fact). A language model would answer with it; the lab
 * model, which cannot, passes it on word for word rather than claim to know nothing.
 */
function developerNote(t: TurnView): string | undefined {
  const notes = t.sinceUser
    .filter((i) => i.type === "message" && (i.role === "developer" || i.role === "system"))
    .map(textOf)
    .map((text) => text.trim())
    .filter((text) => text !== "");
  if (notes.length === 0) return undefined;
  return `The application added this for your question, and I pass it on as given (I'm ${t.model}, the offline lab model, and cannot write an answer of my own): ${shorten(notes.join(" "), 600)}`;
}

function recall(key: string, facts: Map<string, string>, t: TurnView): string {
  // "What did I ask you to remember?" means the latest thing, whatever it was called.
  const latest = key === "remembered" ? latestRemembered(t.earlier) : undefined;
  if (latest !== undefined) return toldEarlier(describe(latest));
  const value = facts.get(key);
  if (value !== undefined) return toldEarlier(describe({ key, value }));
  const statement = statementAbout(t.current, t.earlier);
  if (statement !== undefined) return toldEarlier(statement);
  const what =
    key === "home"
      ? "where you live"
      : key === "occupation"
        ? "what you do"
        : key === "employer"
          ? "where you work"
          : key === "remembered"
            ? "anything to remember"
            : key.startsWith("remembered ")
              ? `a ${key.slice("remembered ".length)} to remember`
              : `your ${key}`;
  return `You haven't told me ${what} in this conversation, so I don't know it. Tell me and I'll remember it for the rest of this conversation.`;
}

function toldEarlier(what: string): string {
  return `${capitalize(what)} — you told me earlier in this conversation.`;
}

function acknowledge(facts: Fact[]): string {
  const name = facts.find((f) => f.key === "name");
  const hello = name === undefined ? "Noted" : `Nice to meet you, ${name.value}. Noted`;
  const shown = facts.length > 1 ? facts.filter((f) => f.key !== "remembered") : facts;
  return `${hello}: ${shown.map(describe).join("; ")}. I'll remember that for the rest of this conversation — ask me about it in a later turn.`;
}

function introduce(request: ModelRequest, t: TurnView): string {
  const instructions = request.instructions?.trim();
  const brief =
    instructions === undefined || instructions === ""
      ? ""
      : ` My instructions for this agent begin: "${shorten(instructions, 80)}"`;
  return `Hello! I'm ${t.model}, the offline lab model of the Foundry Agent Lab emulator. I'm deterministic and not a language model.${brief} ${capabilities(request.tools)}`;
}

/**
 * Everything else: say honestly what this model cannot do (answer from knowledge of its own), then what
 * it can do here, from this agent's tools.
 */
function fallback(request: ModelRequest, t: TurnView): string {
  const routed = request.deployment === "model-router" ? `; model-router picked ${t.model} for it` : "";
  return (
    `I'm ${t.model}, the offline lab model: deterministic and not a language model, so I have no knowledge of my own to answer "${shorten(t.current, 60)}" with` +
    ` (turn ${t.turnNumber} of this conversation${routed}). ${capabilities(request.tools)}` +
    " For open questions, point the lab at an Azure AI Foundry project (set FOUNDRY_PROJECT_ENDPOINT)."
  );
}

function quoteEarlier(t: TurnView, which: "first" | "previous" | "all"): string {
  const said = which === "first" ? t.earlier[0] : t.earlier[t.earlier.length - 1];
  if (said === undefined)
    return "This is your first message in this conversation, so there is nothing earlier to quote.";
  if (which === "all") {
    // The lab model cannot summarize; it can show the thread the service kept, which is the lesson.
    const shown = t.earlier.slice(-10);
    const skipped = t.earlier.length - shown.length;
    return (
      `I can't summarize (I'm the offline lab model), but here is what you said in this conversation${skipped > 0 ? `, the last ${shown.length} of ${t.earlier.length} messages` : ""}:\n` +
      shown.map((text, i) => `${i + 1 + skipped}. "${shorten(text, 120)}"`).join("\n")
    );
  }
  const when = which === "first" ? "Your first message in this conversation was" : "Before this, you said";
  return `${when}: "${shorten(said, 200)}"`;
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
