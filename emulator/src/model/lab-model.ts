/**
 * The built-in offline lab model. It is deterministic and honest: it never pretends to be a language model.
 * What it can do is exactly what the lab teaches at this stage: read the history the service passes it,
 * recall facts the user stated earlier, quote earlier turns, and say which model `model-router` picked.
 */
import { textOf } from "../items.ts";
import type { Json } from "../validate.ts";
import { type Fact, factsIn, quoteRequest, recallKey } from "./memory.ts";
import { assistantMessage } from "./output.ts";
import { countWords, servedModel } from "./routing.ts";
import { codeInterpreter } from "./skills/code-interpreter.ts";
import { fileSearch } from "./skills/file-search.ts";
import { functionCalls } from "./skills/function-calls.ts";
import { mcp } from "./skills/mcp.ts";
import { webSearch } from "./skills/web-search.ts";
import type { LabModel, ModelReply, ModelRequest, Skill, TurnView } from "./types.ts";

/**
 * Tried in order before plain conversation; the first that recognizes the turn answers it.
 * New tool types add a skill file under skills/ and one line here.
 */
const SKILLS: Skill[] = [functionCalls, fileSearch, webSearch, mcp, codeInterpreter];

const GREETING = /^\s*(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|yo)\b/i;
const WHO_ARE_YOU =
  /\b(?:who|what) are you\b|\bintroduce yourself\b|\bare you (?:a|an) (?:ai|bot|model|llm)\b/i;

export function createLabModel(): LabModel {
  return { respond };
}

async function respond(request: ModelRequest): Promise<ModelReply> {
  const view = viewOf(request);
  for (const skill of SKILLS) {
    const output = await skill(request, view);
    if (output !== undefined) return { model: view.model, output };
  }
  const text = reply({
    current: view.current,
    earlier: view.earlier,
    turn: view.turnNumber,
    model: view.model,
    request,
  });
  return { model: view.model, output: [assistantMessage(text)] };
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

interface Turn {
  current: string;
  earlier: string[];
  turn: number;
  model: string;
  request: ModelRequest;
}

function reply(t: Turn): string {
  if (t.current.trim() === "") {
    return "I did not find a user message in this turn, so there is nothing for me to answer yet.";
  }
  const quote = quoteRequest(t.current);
  if (quote !== undefined) return quoteEarlier(t, quote);
  const key = recallKey(t.current);
  if (key !== undefined) return recall(key, knownFacts(t.earlier));
  const stated = factsIn(t.current);
  if (stated.length > 0) return acknowledge(stated);
  if (GREETING.test(t.current) || WHO_ARE_YOU.test(t.current)) return introduce(t);
  return fallback(t);
}

/** Later statements win: "my name is Ada" then "call me Ada Lovelace" -> Ada Lovelace. */
function knownFacts(texts: string[]): Map<string, string> {
  const facts = new Map<string, string>();
  for (const text of texts) for (const fact of factsIn(text)) facts.set(fact.key, fact.value);
  return facts;
}

function describe(fact: Fact): string {
  if (fact.key === "home") return `you live in ${fact.value}`;
  if (fact.key === "occupation") return `you are ${/^[aeiou]/i.test(fact.value) ? "an" : "a"} ${fact.value}`;
  return `your ${fact.key} is ${fact.value}`;
}

function recall(key: string, facts: Map<string, string>): string {
  const value = facts.get(key);
  if (value === undefined) {
    const what = key === "home" ? "where you live" : key === "occupation" ? "what you do" : `your ${key}`;
    return `You haven't told me ${what} in this conversation, so I don't know it. Tell me and I'll remember it for the rest of this conversation.`;
  }
  return `${capitalize(describe({ key, value }))} — you told me earlier in this conversation.`;
}

function acknowledge(facts: Fact[]): string {
  const name = facts.find((f) => f.key === "name");
  const hello = name === undefined ? "Noted" : `Nice to meet you, ${name.value}. Noted`;
  return `${hello}: ${facts.map(describe).join("; ")}. I'll remember that for the rest of this conversation — ask me about it in a later turn.`;
}

function introduce(t: Turn): string {
  const instructions = t.request.instructions?.trim();
  const brief =
    instructions === undefined || instructions === ""
      ? ""
      : ` My instructions for this agent begin: "${shorten(instructions, 80)}"`;
  return `Hello! I'm ${t.model}, the offline lab model of the Foundry Agent Lab emulator. I'm deterministic and not a language model: I can remember facts you tell me in this conversation and quote what you said earlier.${brief}`;
}

function fallback(t: Turn): string {
  const words = countWords(t.current);
  const routed =
    t.request.deployment === "model-router" ? ` model-router picked ${t.model} for this request.` : "";
  return (
    `I'm ${t.model}, the offline lab model, not a language model, so I can't really answer "${shorten(t.current, 60)}". ` +
    `I received ${words} word${words === 1 ? "" : "s"}; this is turn ${t.turn} in this conversation.${routed} ` +
    `Offline, I can recall facts you tell me ("my name is …", "I live in …") and quote what you said earlier. ` +
    "For real answers, point the lab at an Azure AI Foundry project (set FOUNDRY_PROJECT_ENDPOINT)."
  );
}

function quoteEarlier(t: Turn, which: "first" | "previous"): string {
  const said = which === "first" ? t.earlier[0] : t.earlier[t.earlier.length - 1];
  if (said === undefined)
    return "This is your first message in this conversation, so there is nothing earlier to quote.";
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
