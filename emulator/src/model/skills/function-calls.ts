/**
 * Function calling, as the lab model does it. With function tools on the agent it:
 *   - calls a tool when the user's message is about it and names every required argument
 *     ("What's the weather in Oslo and Paris?" -> two get_weather calls in one response);
 *   - obeys an explicit "call <tool> with <arguments>" literally, even when the arguments are not valid
 *     JSON or the tool does not exist, so learners (and tests) can see how a client copes;
 *   - answers from the `function_call_output` items once they arrive, restating what the tools said.
 * `tool_choice: "none"` forbids new calls: the model must answer in text.
 */
import { newId } from "../../ids.ts";
import { isObject, type Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { Skill, TurnView } from "../types.ts";

export const functionCalls: Skill = (request, turn) => {
  const tools = request.tools.filter((tool) => tool.type === "function" && typeof tool.name === "string");
  if (tools.length === 0) return undefined;
  const mayCall = request.toolChoice !== "none";
  const last = turn.sinceUser[turn.sinceUser.length - 1];

  if (last?.type === "function_call_output") {
    const again = repeatRequest(turn);
    if (mayCall && again) return [functionCall(again.tool, again.args)];
    return [answer(results(turn.sinceUser))];
  }
  if (!mayCall || turn.sinceUser.length > 0) return undefined;

  const literal = literalCall(turn.current);
  if (literal) return [functionCall(literal.tool, literal.args)];
  const repeat = repeatRequest(turn);
  if (repeat) return [functionCall(repeat.tool, repeat.args)];
  // "And in Paris?" continues the previous question's topic.
  const topic = FOLLOW_UP.test(turn.current)
    ? `${turn.earlier[turn.earlier.length - 1] ?? ""} ${turn.current}`
    : turn.current;
  for (const tool of tools) {
    if (!isAbout(tool, topic)) continue;
    const calls = fillArguments(tool, turn.current);
    if (calls.length > 0) return calls.map((args) => functionCall(String(tool.name), JSON.stringify(args)));
  }
  return undefined;
};

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
function repeatRequest(turn: TurnView): { tool: string; args: string } | undefined {
  const match = /\bcall\s+([A-Za-z_][\w-]*)\s+(?:for\s+(.+?)\s+)?(\d+)\s+times\b/i.exec(turn.current);
  if (!match) return undefined;
  const done = turn.sinceUser.filter((item) => item.type === "function_call").length;
  if (done >= Number(match[3])) return undefined;
  return { tool: match[1] ?? "", args: JSON.stringify(match[2] ? { city: match[2] } : {}) };
}

const FOLLOW_UP = /^\s*(?:and|what about|how about|also)\b/i;

const STOPWORDS = new Set([
  "get",
  "the",
  "for",
  "and",
  "with",
  "from",
  "that",
  "this",
  "current",
  "given",
  "into",
  "about",
]);

/** Is the message about this tool? Some word of its name or description (5-letter stem) appears in it. */
function isAbout(tool: Json, text: string): boolean {
  const words =
    `${String(tool.name).replace(/_/g, " ")} ${typeof tool.description === "string" ? tool.description : ""}`
      .toLowerCase()
      .match(/[a-z]{4,}/g);
  const said = new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((w) => w.slice(0, 5)));
  return (words ?? []).some((w) => !STOPWORDS.has(w) && said.has(w.slice(0, 5)));
}

const PLACE_PARAM = /city|location|place|town|country|region/i;
const PLACE_LIST =
  /\b(?:in|for|at|of)\s+((?:\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*)*)(?:\s*(?:,|and|&)\s*\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*)*)*)/u;

/**
 * Fills the required parameters from the message. A place-like parameter may take several places
 * ("Oslo and Paris"), giving one call each. Returns no calls when something required is missing.
 */
function fillArguments(tool: Json, text: string): Json[] {
  const schema = isObject(tool.parameters) ? tool.parameters : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : Object.keys(properties);
  let places: string[] = [];
  const args: Json = {};
  for (const name of required) {
    const spec = isObject(properties[name]) ? properties[name] : {};
    if (spec.type === "string" && PLACE_PARAM.test(name)) {
      places = (PLACE_LIST.exec(text)?.[1] ?? "")
        .split(/\s*(?:,|\band\b|&)\s*/)
        .map((p) => p.trim())
        .filter(Boolean);
      if (places.length === 0) return [];
      args[name] = places[0];
      continue;
    }
    const value = valueFor(name, spec, text);
    if (value === undefined) return [];
    args[name] = value;
  }
  const placeParam = required.find((name) => PLACE_PARAM.test(name));
  if (!placeParam || places.length <= 1) return [args];
  return places.map((place) => ({ ...args, [placeParam]: place }));
}

function valueFor(name: string, spec: Json, text: string): unknown {
  if (Array.isArray(spec.enum))
    return spec.enum.find((option) => text.toLowerCase().includes(String(option).toLowerCase()));
  if (spec.type === "number" || spec.type === "integer") {
    const number = /-?\d+(?:\.\d+)?/.exec(text)?.[0];
    return number === undefined
      ? undefined
      : spec.type === "integer"
        ? Math.trunc(Number(number))
        : Number(number);
  }
  if (spec.type === "string") {
    const named = new RegExp(`\\b${name.replace(/_/g, "[ _]")}\\s*(?:is|=|:)?\\s*"?([^",.?!]+)"?`, "i").exec(
      text,
    );
    return named?.[1]?.trim() || /"([^"]+)"/.exec(text)?.[1];
  }
  return undefined;
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

function describe({ name, output }: Result): string {
  if (!isObject(output)) return `${name} returned: ${clip(String(output), 300)}`;
  if (typeof output.error === "string") return `${name} could not help: ${clip(output.error, 300)}`;
  if (typeof output.temperature_c === "number") return weatherSentence(output);
  const fields = Object.entries(output)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .slice(0, 8)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${clip(String(v), 80)}`);
  return `${name} returned ${fields.join(", ") || "an empty result"}.`;
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
