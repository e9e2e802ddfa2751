/**
 * Function calling, as the lab model does it. With function tools on the agent it:
 *   - picks the tool the message is about, scored from the tools' own names, descriptions and parameters
 *     (tool-choice.ts), and fills its arguments from the message for any JSON schema (tool-arguments.ts):
 *     "What's the weather in Oslo and Paris?" -> two get_weather calls in one response;
 *   - asks in plain text for a required argument the message does not give, naming it from the
 *     parameter's description, and takes the answer in the next turn ("4 people at 7pm");
 *   - obeys an explicit "call <tool> with <arguments>" literally, even when the arguments are not valid
 *     JSON or the tool does not exist, so learners (and tests) can see how a client copes;
 *   - never acts on a question ("are the kitchen lights on?"): only a tool that looks things up answers
 *     it, and with none the tool that would act is named and offered ("yes" then calls it);
 *   - calls a tool once per thing compared ("colder in Oslo or in Rome?"), but asks which one when a tool
 *     that acts is given a choice ("book Nobu or Zuma");
 *   - answers from the `function_call_output` items once they arrive, restating what the tools said.
 * `tool_choice: "none"` forbids new calls; `"required"` or a named function forces one.
 */
import { newId } from "../../ids.ts";
import { textOf } from "../../items.ts";
import { isObject, type Json } from "../../validate.ts";
import {
  asksAboutSelf,
  canRecall,
  factsIn,
  firstPersonStatement,
  knownFacts,
  plainSpelling,
} from "../memory.ts";
import { assistantMessage } from "../output.ts";
import { properNames } from "../parse/entities.ts";
import { asksAboutState } from "../parse/questions.ts";
import { contentStems, stem, words } from "../parse/words.ts";
import type { Skill, TurnView } from "../types.ts";
import { changesState, OFFERED, offerToAct } from "./effects.ts";
import { fillArguments } from "./tool-arguments.ts";
import { ACTIONS, propertiesOf, rank, type Scored, type ScoreOptions, THRESHOLD } from "./tool-choice.ts";

export const functionCalls: Skill = (request, turn) => {
  const tools = functionTools(request.tools);
  if (tools.length === 0) return undefined;
  const mayCall = request.toolChoice !== "none";
  const last = turn.sinceUser[turn.sinceUser.length - 1];

  if (last?.type === "function_call_output") {
    const again = repeatRequest(turn, tools);
    if (mayCall && again) return [functionCall(again.tool, again.args)];
    return [answer(results(turn.sinceUser))];
  }
  if (!mayCall || turn.sinceUser.length > 0) return undefined;

  const literal = literalCall(turn.current);
  if (literal) return [functionCall(literal.tool, literal.args)];
  const repeat = repeatRequest(turn, tools);
  if (repeat) return [functionCall(repeat.tool, repeat.args)];
  // A request is read for tools up to its first few thousand characters (a pasted log beyond that is not
  // a tool's argument), which keeps a long message from costing seconds.
  const clipped = {
    ...turn,
    current: turn.current.slice(0, MAX_READ),
    earlier: turn.earlier.map((t) => t.slice(0, MAX_READ)),
  };
  return plan(tools, request.items, request.toolChoice, clipped);
};

const MAX_READ = 8000;

export function functionTools(tools: Json[]): Json[] {
  return tools.filter((tool) => tool.type === "function" && typeof tool.name === "string");
}

/**
 * Questions about the world or about this assistant ("How do trains work?", "Who invented the
 * thermostat?", "What's your favourite restaurant?", "Write a haiku about rain"): a tool serves them only
 * when the message fills it; they never get a question about a tool's arguments.
 */
const INFORMATIONAL =
  /^\s*(?:why\b|explain\b|describe\b|define\b|summari[sz]e\b|tell me (?:about|a|an)\b|what(?:'s| is| are) (?:a|an|the (?:meaning|definition|difference|history|point|origin|best|max|maximum|minimum|recommended|usual|normal|safe))\b|what (?:does|do)\b.*\b(?:do|mean)\b|how (?:do|does|did)\b.*\bwork|who (?:invented|discovered|wrote|made|created|founded|built)\b|write (?:a|an|me)\b|is it (?:rude|ok|okay|normal|bad|good|polite|safe|legal|true|possible)\b|(?:what|which|who)(?:'s| is| are) your\b|do you (?:like|think|know|prefer)\b|how many\b.*\bin an?\b)/i;

/** As people type it ("whats a good movie"), a question about the world (see INFORMATIONAL). */
function informational(text: string): boolean {
  return INFORMATIONAL.test(plainSpelling(text));
}

/** Verbs that undo: a tool that does not say it undoes ("book_ferry" for "cancel my ferry") cannot serve. */
const UNDOING = /^(?:cancel|delete|remove|undo|revoke|withdraw|unsubscribe|refund|return)\b/i;

function undoesWithout(text: string, tool: Json): boolean {
  const clause = plainSpelling(text)
    .trim()
    .replace(
      /^(?:(?:please|pls|can you|could you|can u|would you|i want to|i'd like to|i need to|help me)\s+)+/i,
      "",
    );
  const verb = UNDOING.exec(clause)?.[0];
  if (verb === undefined) return false;
  return !contentStems(`${String(tool.name)} ${String(tool.description ?? "")}`).includes(
    stem(verb.toLowerCase()),
  );
}

/**
 * The earlier turns a message that is no follow-up by its words may take missing values from, latest
 * first: those naming a name it names, and the one before it when it is short and that one asked for
 * something no tool answered (not a fact about the user: "I'm Ada" names no place for a weather tool).
 */
function leanedOn(turn: TurnView, items: Json[]): string[] {
  const names = new Set(properNames(turn.current).map((n) => n.text.toLowerCase()));
  const out = [...turn.earlier]
    .reverse()
    .filter((earlier) => properNames(earlier).some((n) => names.has(n.text.toLowerCase())));
  const previous = turn.earlier[turn.earlier.length - 1];
  const short = words(turn.current).length <= 5;
  if (
    previous !== undefined &&
    short &&
    !out.includes(previous) &&
    !answeredByCall(items) &&
    factsIn(previous).length === 0 &&
    firstPersonStatement(previous) === undefined
  )
    out.unshift(previous);
  return out;
}

/** Whether a tool call answered the previous user message. */
function answeredByCall(items: Json[]): boolean {
  const users = items.flatMap((item, i) => (item.type === "message" && item.role === "user" ? [i] : []));
  const [from, to] = [users[users.length - 2] ?? -1, users[users.length - 1] ?? items.length];
  return items.slice(from + 1, to).some((item) => item.type === "function_call");
}

/** "And in Paris?" continues the previous question's topic. */
const FOLLOW_UP = /^\s*(?:and|what about|how about|also|same for|now|only|just|but|make it|instead)\b/i;
/** What this model says when it asks for a missing argument (it reads its own earlier turn for it). */
const ASKED = /^To call (\w[\w-]*)\b.*I still need/s;

function plan(tools: Json[], items: Json[], toolChoice: Json | string, turn: TurnView): Json[] | undefined {
  const forced = forcedTools(tools, toolChoice);
  const candidates = forced ?? tools.filter((tool) => !undoesWithout(turn.current, tool));
  if (forced === undefined && isStatement(turn.current, tools)) return undefined;
  // "Which hotel am I staying at?" after "My hotel is the Grand Budapest": memory answers, not a tool.
  if (forced === undefined && asksAboutSelf(turn.current) && canRecall(turn.current, turn.earlier))
    return undefined;
  const said = lastAssistantText(items);
  const picking = PICK.exec(said)?.[1];
  const asked =
    ASKED.exec(said)?.[1] ?? picking ?? (AGREES.test(turn.current) ? OFFERED.exec(said)?.[1] : undefined);
  const previous = turn.earlier[turn.earlier.length - 1] ?? "";
  // "is the back door locked? lock it if not": a request after the question acts.
  const after = turn.current.split("?").slice(1).join("?");
  const question =
    (asksAboutState(turn.current) && !asksToAct(after, tools)) ||
    (FOLLOW_UP.test(turn.current) && asksAboutState(previous));
  if (forced !== undefined || asked !== undefined || !question)
    return planWith(candidates, forced, asked, items, turn, picking !== undefined);
  // A question never acts ("are the kitchen lights on?"): a tool that looks it up answers it; with none,
  // the tool that would act is named and offered, not called.
  const looking = planWith(
    candidates.filter((tool) => !changesState(tool)),
    forced,
    asked,
    items,
    turn,
  );
  if (looking !== undefined) return looking;
  const acting = planWith(candidates.filter(changesState), forced, asked, items, turn) ?? [];
  const name = acting.map((item) =>
    item.type === "function_call" ? String(item.name) : ASKED.exec(textOf(item))?.[1],
  )[0];
  const tool = candidates.find((t) => t.name === name);
  return tool === undefined ? undefined : [assistantMessage(offerToAct(toolLabel(tool), String(tool.name)))];
}

/** What this model says when a request that acts names a choice ("at Nobu or Zuma"). */
const PICK = /^(\w[\w-]*)\b.* acts once, for one of them: which /s;
const AGREES = /^\s*(?:yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead|y)\b/i;

function planWith(
  candidates: Json[],
  forced: Json[] | undefined,
  asked: string | undefined,
  items: Json[],
  turn: TurnView,
  picking = false,
): Json[] | undefined {
  const previous = turn.earlier[turn.earlier.length - 1] ?? "";
  const askedTool = candidates.find((t) => t.name === asked);

  let ranked = rank(candidates, turn.current);
  // Earlier turns a follow-up leans on, latest first ("Convert 10 euros to dollars" … "And 50?" …
  // "what about in yen").
  let context: string[] = [];
  if (askedTool !== undefined) {
    // The user is answering the question about a missing argument: keep that tool and its earlier words.
    if ((ranked[0]?.score ?? 0) < THRESHOLD) ranked = [{ tool: askedTool, score: THRESHOLD }];
  } else if (FOLLOW_UP.test(turn.current)) {
    context = turn.earlier.slice(-3).reverse();
    if ((ranked[0]?.score ?? 0) < THRESHOLD)
      ranked = rank(candidates, `${context.join(" ")} ${turn.current}`);
  }
  const home = knownFacts(turn.earlier).get("home");
  if (forced === undefined && askedTool === undefined && context.length === 0) {
    // Not a follow-up by its words, but leaning on earlier turns for what it leaves out: "4 tickets
    // please" after "I want to see Oppenheimer on Friday" (which no tool answered), "book Luna in at the
    // vet" after "my dog is called Luna" (a turn naming the same name).
    context = leanedOn(turn, items);
    const both = twoRequests(candidates, turn.current, home);
    if (both !== undefined) return both;
  }
  // Forced (tool_choice "required" or a named tool): every candidate may serve, best first.
  const eligible = forced !== undefined ? ranked : shortlist(ranked);
  if (eligible.length === 0) return undefined;
  // An answer to this model's own question reads with the question's words ("Convert 100 dollars" …
  // "to euros"); a follow-up ("And in Paris?") takes its own values first and the rest from before.
  // The pick between things this model asked about ("Zuma") is read first, the rest from the request.
  if (picking) context = [previous];
  const text = askedTool !== undefined && !picking ? `${previous}\n${turn.current}` : turn.current;
  const tries: Attempt[] = eligible.map(({ tool, score, topical, anchored }) => {
    const options = { strict: tool.strict === true, home };
    const filled = fillArguments(tool, text, options);
    let { calls, missing } = filled;
    for (const earlier of context) {
      if (missing.length === 0) break;
      const base = fillArguments(tool, earlier, options).calls[0] ?? {};
      const given = missing.filter((m) => base[m] !== undefined && base[m] !== null);
      calls = calls.map((call) =>
        ordered(tool, { ...call, ...Object.fromEntries(given.map((m) => [m, base[m]])) }),
      );
      missing = missing.filter((m) => !given.includes(m));
    }
    return { tool, score, topical, anchored, calls, missing };
  });
  // Forced with nothing complete: the best tool, with what the message gave (a forced model must call).
  const chosen =
    specific(complete(tries), ranked, text, home) ?? (forced !== undefined ? tries[0] : undefined);
  const either = chosen === undefined ? undefined : eitherOr(chosen, text);
  if (either !== undefined) return [assistantMessage(either)];
  if (chosen !== undefined)
    return chosen.calls.map((args) => functionCall(String(chosen.tool.name), JSON.stringify(args)));
  const ask = closest(tries);
  if (ask === undefined || informational(turn.current) || !worthAsking(ask, askedTool !== undefined))
    return undefined;
  return [assistantMessage(askFor(ask.tool, ask.missing))];
}

/**
 * "Book a table at Nobu or Zuma": a choice between things, for a tool that acts, is one call for the one
 * the user picks, not one each (a question, "colder in Oslo or in Rome?", looks both up).
 */
function eitherOr(attempt: Attempt, text: string): string | undefined {
  if (attempt.calls.length < 2 || !changesState(attempt.tool)) return undefined;
  const key = Object.keys(attempt.calls[0] ?? {}).find(
    (k) => JSON.stringify(attempt.calls[0]?.[k]) !== JSON.stringify(attempt.calls[1]?.[k]),
  );
  if (key === undefined) return undefined;
  const values = attempt.calls.map((call) => String(call[key]));
  const [last, before] = [values[values.length - 1] ?? "", values[values.length - 2] ?? ""];
  const literal = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (!new RegExp(`${literal(before)}\\s*,?\\s+or\\s+(?:\\p{L}+\\s+)?${literal(last)}`, "iu").test(text))
    return undefined;
  const options = `${values.slice(0, -1).join(", ")} or ${last}`;
  return `${toolLabel(attempt.tool)} acts once, for one of them: which ${key.replace(/_/g, " ")} do you mean, ${options}?`;
}

/**
 * "Turn off the kitchen lights and lock the back door": two requests joined by "and" (or "then", ";"),
 * the second starting with a verb, each filling a different tool on its own, give both calls.
 */
function twoRequests(
  tools: Json[],
  text: string,
  home: string | undefined,
  options: ScoreOptions = {},
): Json[] | undefined {
  for (const m of text.matchAll(/\s*,?\s+(?:and then|and also|and|then|also|plus)\s+|\s*;\s*/gi)) {
    const right = text.slice(m.index + m[0].length);
    // The second may be a question ("… and what time is it in Tokyo"), which only a tool that looks
    // things up answers.
    const asks = asksAboutState(right, { wondering: false });
    if (!asks && !asksToAct(right.split(/[,;.!?]/)[0] ?? "", tools)) continue;
    const first = completeCall(tools, text.slice(0, m.index), home, options);
    if (first === undefined) continue;
    const answering = asks ? tools.filter((tool) => !changesState(tool)) : tools;
    const rest =
      twoRequests(answering, right, home, options) ?? completeCall(answering, right, home, options)?.calls;
    const names = new Set(rest?.map((call) => call.name));
    if (rest === undefined || names.has(String(first.tool.name))) continue;
    return [...first.calls, ...rest];
  }
  return undefined;
}

/** The calls one request makes on its own, when it fills a tool completely. */
function completeCall(
  tools: Json[],
  text: string,
  home: string | undefined,
  options: ScoreOptions = {},
): { tool: Json; calls: Json[] } | undefined {
  if (text.trim() === "") return undefined;
  const tries: Attempt[] = shortlist(rank(tools, text, options)).map(({ tool, score }) => ({
    tool,
    score,
    ...fillArguments(tool, text, { strict: tool.strict === true, home }),
  }));
  const chosen = complete(tries);
  if (chosen === undefined) return undefined;
  const name = String(chosen.tool.name);
  return { tool: chosen.tool, calls: chosen.calls.map((args) => functionCall(name, JSON.stringify(args))) };
}

interface Attempt {
  tool: Json;
  score: number;
  calls: Json[];
  missing: string[];
  topical?: boolean;
  anchored?: boolean;
}

/**
 * A statement to remember ("My favourite city is Paris.", "I'm staying at the Hotel Adlon.") is not a
 * request for a tool; "I need a hotel in Vienna" or "I'd like to book …" are requests.
 */
function isStatement(text: string, tools: Json[]): boolean {
  if (/\?|\bplease\b/i.test(text) || asksToAct(text, tools)) return false;
  return factsIn(text).length > 0 || firstPersonStatement(text) !== undefined;
}

/**
 * "My place is freezing, set the living room to 22 degrees": a clause that starts with a verb the tools
 * act with (theirs, or a common one: set, book, turn, lock …) asks for something, whatever else it says.
 */
function asksToAct(text: string, tools: Json[]): boolean {
  // A word of a tool's name starts a request too: "vacuum the living room" for start_vacuum.
  const verbs = new Set([...ACTIONS, ...tools.flatMap((t) => contentStems(String(t.name)))]);
  return text
    .split(/[,;.!?\n]|\b(?:and|so|but|then)\b/i)
    .map((clause) =>
      clause
        .trim()
        .replace(/^(?:(?:please|pls|plz|just|now|also|can you|could you|can u|would you)\s+)+/i, ""),
    )
    .some((clause) => {
      const first = /^[\p{L}]+/u.exec(clause)?.[0];
      return first !== undefined && verbs.has(stem(first.toLowerCase()));
    });
}

/** The tools worth filling: above the threshold, and close seconds ("convert" fits two converters). */
function shortlist(ranked: Scored[]): Scored[] {
  const best = ranked[0]?.score ?? 0;
  return ranked.filter((r) => r.score >= THRESHOLD && r.score >= best * 0.75);
}

/**
 * Asking for arguments needs a reason to think the user wants this tool: a word of its name or
 * description that names its topic, or one (even a verb) next to an argument the message already gave,
 * or an answer to this model's own question.
 */
function worthAsking(attempt: Attempt, answering: boolean): boolean {
  if (answering) return true;
  if (attempt.anchored === false) return false;
  if (attempt.topical !== false) return true;
  return attempt.calls.some((call) => Object.values(call).some((v) => v !== null && v !== false));
}

/**
 * The complete attempt that used the most of the message ("warm the study up to 23 degrees" fills a
 * thermostat's room and temperature, a weather tool only a location); ties keep the ranking.
 */
function complete(tries: Attempt[]): Attempt | undefined {
  let best: Attempt | undefined;
  for (const t of tries)
    if (
      t.missing.length === 0 &&
      (best === undefined ||
        filled(t) > filled(best) ||
        // Of equals, the one whose required values the message gave: "is ticket 3 closed?" names one
        // ticket (get_ticket's required number), not a filter of a listing (list_tickets' optional status).
        (filled(t) === filled(best) && filledRequired(t) > filledRequired(best)))
    )
      best = t;
  return best;
}

/**
 * A tool with nothing required (a listing) chosen for words that only filter it loses to one further
 * down that the message fills where it must: "is ticket 3 closed?" names one ticket, for get_ticket,
 * not list_tickets' "closed".
 */
function specific(
  chosen: Attempt | undefined,
  ranked: Scored[],
  text: string,
  home: string | undefined,
): Attempt | undefined {
  if (chosen === undefined || requiredOf(chosen.tool).length > 0) return chosen;
  const others: Attempt[] = ranked
    .filter((r) => r.score >= THRESHOLD && r.tool !== chosen.tool && requiredOf(r.tool).length > 0)
    .map(({ tool, score }) => ({
      tool,
      score,
      ...fillArguments(tool, text, { strict: tool.strict === true, home }),
    }));
  return others.find((o) => o.missing.length === 0) ?? chosen;
}

function requiredOf(tool: Json): string[] {
  const schema = isObject(tool.parameters) ? tool.parameters : {};
  return Array.isArray(schema.required) ? schema.required.map(String) : [];
}

function filledRequired(attempt: Attempt): number {
  const call = attempt.calls[0] ?? {};
  return requiredOf(attempt.tool).filter((name) => call[name] !== undefined && call[name] !== null).length;
}

/** The tool to ask about: the best scored; of equals, the one the message filled most, then nearest done. */
function closest(tries: Attempt[]): Attempt | undefined {
  return [...tries].sort(
    (a, b) => b.score - a.score || filled(b) - filled(a) || a.missing.length - b.missing.length,
  )[0];
}

function filled(attempt: Attempt): number {
  return Object.values(attempt.calls[0] ?? {}).filter((v) => v !== null && v !== false).length;
}

/**
 * The tool a single message calls or asks about (undefined: none), as `plan` decides it for a first
 * turn; `pnpm bench` measures tool choice with it, with and without the lexicon.
 */
export function chooseTool(all: Json[], text: string, options: ScoreOptions = {}): string | undefined {
  if (isStatement(text, all)) return undefined;
  // A question calls only a tool that looks things up (with none, `plan` offers one in words).
  const asking = asksAboutState(text);
  const tools = all.filter((tool) => !undoesWithout(text, tool) && !(asking && changesState(tool)));
  const both = twoRequests(tools, text, undefined, options);
  if (both !== undefined) return String(both[0]?.name);
  const tries: Attempt[] = shortlist(rank(tools, text, options)).map(
    ({ tool, score, topical, anchored }) => ({
      tool,
      score,
      topical,
      anchored,
      ...fillArguments(tool, text, { strict: tool.strict === true }),
    }),
  );
  const ask = closest(tries);
  const asks = ask !== undefined && !informational(text) && worthAsking(ask, false);
  const chosen = complete(tries) ?? (asks ? ask : undefined);
  return chosen === undefined ? undefined : String(chosen.tool.name);
}

/** `tool_choice: "required"` allows any function tool; `{type: "function", name}` exactly that one. */
function forcedTools(tools: Json[], toolChoice: Json | string): Json[] | undefined {
  if (toolChoice === "required") return tools;
  if (isObject(toolChoice) && toolChoice.type === "function" && typeof toolChoice.name === "string") {
    const named = tools.filter((t) => t.name === toolChoice.name);
    return named.length > 0 ? named : undefined;
  }
  return undefined;
}

function ordered(tool: Json, call: Json): Json {
  const order = Object.keys(propertiesOf(tool));
  return Object.fromEntries(order.filter((k) => k in call).map((k) => [k, call[k]]));
}

function lastAssistantText(items: Json[]): string {
  const lastUser = items.findLastIndex((i) => i.type === "message" && i.role === "user");
  const before = items.slice(0, lastUser);
  const message = before.findLast((i) => i.type === "message" && i.role === "assistant");
  return message === undefined ? "" : textOf(message);
}

/** "To call book_table (Reserve a table at a restaurant.), I still need the party size (number of people)." */
export function askFor(tool: Json, missing: string[]): string {
  const properties = propertiesOf(tool);
  const parts = missing.map((name) => {
    const spec = properties[name.split(".")[0] ?? name] ?? {};
    const label = `the ${name.replace(/[._]/g, " ")}`;
    const description =
      typeof spec.description === "string" ? spec.description.trim().replace(/\.$/, "") : "";
    const choices = Array.isArray(spec.enum)
      ? `one of ${spec.enum
          .filter((v) => v !== null)
          .map(String)
          .join(", ")}`
      : "";
    const details = [description, choices].filter(Boolean).join("; ");
    return details === "" ? label : `${label} (${lowerFirst(details)})`;
  });
  const list =
    parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  const what = missing.length === 1 ? "it" : "them";
  return `To call ${toolLabel(tool)}, I still need ${list}. Tell me ${what} and I'll make the call.`;
}

/** "book_table (reserve a table at a restaurant)": the tool in its own words. */
export function toolLabel(tool: Json): string {
  const description = typeof tool.description === "string" ? tool.description.trim() : "";
  const first = description.split(/(?<=[.!?])\s/)[0]?.replace(/[.!?]+$/, "") ?? "";
  return first === "" ? String(tool.name) : `${String(tool.name)} (${lowerFirst(first)})`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function functionCall(name: string, args: string): Json {
  return {
    id: newId("fc"),
    type: "function_call",
    status: "completed",
    call_id: newId("call"),
    name,
    arguments: args,
  };
}

/** "call get_weather with {"city": "Oslo"}" or "… with arguments {oops": the arguments go out verbatim. */
function literalCall(text: string): { tool: string; args: string } | undefined {
  const match = /\bcall\s+([A-Za-z_][\w-]*)\s+with(?:\s+arguments)?\s*[:=]?\s*(.+)$/is.exec(text.trim());
  return match ? { tool: match[1] ?? "", args: (match[2] ?? "").trim() } : undefined;
}

/** "call get_weather for Oslo 3 times": one call per round until the count is reached. */
function repeatRequest(turn: TurnView, tools: Json[]): { tool: string; args: string } | undefined {
  const match = /\bcall\s+([A-Za-z_][\w-]*)\s+(?:for\s+(.+?)\s+)?(\d+)\s+times\b/i.exec(turn.current);
  if (!match) return undefined;
  const done = turn.sinceUser.filter((item) => item.type === "function_call").length;
  if (done >= Number(match[3])) return undefined;
  const tool = tools.find((t) => t.name === match[1]);
  // The value goes to the tool's first string parameter (`city` for get_weather).
  const param =
    Object.entries(tool === undefined ? {} : propertiesOf(tool)).find(
      ([, spec]) => spec.type === "string",
    )?.[0] ?? "city";
  return { tool: match[1] ?? "", args: JSON.stringify(match[2] ? { [param]: match[2] } : {}) };
}

interface Result {
  name: string;
  args: string;
  output: unknown;
}

/** Pairs each output of this turn with the call it answers. */
function results(items: Json[]): Result[] {
  const calls = new Map(items.filter((i) => i.type === "function_call").map((i) => [String(i.call_id), i]));
  return items
    .filter((i) => i.type === "function_call_output")
    .map((o) => {
      const call = calls.get(String(o.call_id));
      let output: unknown = o.output;
      try {
        output = JSON.parse(String(o.output));
      } catch {
        // plain text output: restate it as it is
      }
      return { name: String(call?.name ?? "the tool"), args: String(call?.arguments ?? ""), output };
    });
}

function answer(found: Result[]): Json {
  const lines = found.map(describe);
  const text =
    lines.length === 1
      ? (lines[0] ?? "")
      : `Here is what the tools returned:\n${lines.map((line) => `- ${line}`).join("\n")}`;
  return assistantMessage(text);
}

function describe({ name, args, output }: Result): string {
  if (!isObject(output)) return `${name} returned: ${clip(String(output), 300)}`;
  if (typeof output.error === "string")
    return `${name}${about(args)} could not help: ${clip(output.error, 300)}`;
  if (typeof output.temperature_c === "number") return weatherSentence(output);
  const fields = Object.entries(output)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .slice(0, 8)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${clip(String(v), 80)}`);
  return `${name} returned ${fields.join(", ") || "an empty result"}.`;
}

/** What a call was asked, so two failed calls read apart (" for Oslo", " for city Oslo, date 2026-12-02"). */
function about(args: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return "";
  }
  if (!isObject(parsed)) return "";
  const values = Object.entries(parsed).filter(([, v]) => v !== null && typeof v !== "object");
  if (values.length === 0) return "";
  if (values.length === 1) return ` for ${clip(String(values[0]?.[1]), 60)}`;
  return ` for ${values.map(([k, v]) => `${k.replace(/_/g, " ")} ${clip(String(v), 40)}`).join(", ")}`;
}

/** The lab's own weather tool gets a sentence a learner would expect from a model. */
function weatherSentence(w: Json): string {
  const place = [w.city, w.country].filter((p) => typeof p === "string").join(", ") || "there";
  const extras = [
    typeof w.feels_like_c === "number" ? `feels like ${w.feels_like_c} °C` : undefined,
    typeof w.conditions === "string" ? String(w.conditions) : undefined,
    typeof w.wind_kmh === "number" ? `wind ${w.wind_kmh} km/h` : undefined,
    typeof w.humidity_percent === "number" ? `humidity ${w.humidity_percent} %` : undefined,
  ].filter(Boolean);
  const source = typeof w.source === "string" ? ` (source: ${w.source})` : "";
  return `In ${place} it is ${w.temperature_c} °C${extras.length ? `, ${extras.join(", ")}` : ""}${source}.`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
