/**
 * Demo 8 · the agent's own logic: what self-hosting buys you. This code owns the inference path: it runs a
 * local tool itself (a unit converter, decided by code, not by the model), calls the model deployment
 * through the project's OpenAI client, and post-processes every answer (e-mail addresses are redacted,
 * even mid-stream, and the exact conversions are appended). A system prompt can ask for none of this
 * reliably; code does it every time.
 */
import type OpenAI from "openai";
import type {
  FunctionTool,
  ResponseCreateParams,
  ResponseInputItem,
  ResponseUsage,
} from "openai/resources/responses/responses";

export const INSTRUCTIONS =
  "You are the hosted agent of the Foundry Agent Lab. Answer briefly. When the developer message gives unit conversions, use exactly those numbers.";

/** One turn for the agent: the whole thread as Responses input items, and the caller's own tools. */
export interface AgentTurn {
  input: ResponseInputItem[];
  /** Function tools the client sent: the model may call them; the calls go back to the client. */
  tools: FunctionTool[];
  toolChoice: ResponseCreateParams["tool_choice"];
  parallelToolCalls: boolean;
  sampling: Pick<ResponseCreateParams, "temperature" | "top_p" | "max_output_tokens">;
}

/** What the agent produces, as it happens: who serves, text (already post-processed), tool calls. */
export type AgentEvent =
  | { type: "model"; model: string }
  | { type: "text"; delta: string }
  | { type: "function_call"; call_id: string; name: string; arguments: string };

export interface AnswerResult {
  /** The model that served the answer (`response.model` from the deployment). */
  model: string;
  usage: ResponseUsage | null;
}

/**
 * Answers the thread's last user message: yields who serves it, the text as it should reach the client
 * (already post-processed), and any calls of the client's tools; returns the usage.
 */
export async function* answer(
  openai: OpenAI,
  deployment: string,
  turn: AgentTurn,
  signal: AbortSignal,
): AsyncGenerator<AgentEvent, AnswerResult> {
  const lastUser = turn.input.findLast((item) => "role" in item && item.role === "user");
  const question = lastUser ? textOf(lastUser) : "";

  // 1. The local tool: code decides when it runs, and its numbers are exact.
  const conversions = convertUnits(question);
  const input = [...turn.input];
  if (conversions.length > 0) {
    input.push({
      role: "developer",
      content: `Unit conversions computed exactly by the agent's own code: ${conversions.join("; ")}.`,
    });
  }

  // 2. The model call: this server, not the platform, picks the deployment and sends the whole thread,
  //    with the caller's function tools (their calls go back to the caller, who runs them).
  const clientTools =
    turn.tools.length > 0
      ? { tools: turn.tools, tool_choice: turn.toolChoice, parallel_tool_calls: turn.parallelToolCalls }
      : {};
  const stream = await openai.responses.create(
    {
      model: deployment,
      instructions: INSTRUCTIONS,
      input,
      stream: true,
      store: false,
      ...clientTools,
      ...turn.sampling,
    },
    { signal },
  );
  const redactor = new EmailRedactor();
  let result: AnswerResult = { model: deployment, usage: null };
  let called = false;
  for await (const event of stream) {
    if (event.type === "response.created") {
      yield { type: "model", model: event.response.model };
    } else if (event.type === "response.output_text.delta") {
      const safe = redactor.push(event.delta);
      if (safe) yield { type: "text", delta: safe };
    } else if (event.type === "response.output_item.done" && event.item.type === "function_call") {
      called = true;
      const { call_id, name, arguments: args } = event.item;
      yield { type: "function_call", call_id, name, arguments: args };
    } else if (event.type === "response.completed") {
      result = { model: event.response.model, usage: event.response.usage ?? null };
    } else if (event.type === "response.failed") {
      throw new Error(event.response.error?.message ?? "the model deployment failed to answer");
    } else if (event.type === "error") {
      throw new Error(event.message);
    }
  }

  // The SDK ends an aborted stream quietly; a cancelled answer must not look complete.
  signal.throwIfAborted();

  // 3. Post-processing: the held-back tail, then (when the model answered rather than called a tool)
  //    a footer with the exact numbers.
  const tail = redactor.end();
  if (tail) yield { type: "text", delta: tail };
  if (conversions.length > 0 && !called) {
    yield { type: "text", delta: `\n\n— Converted by the agent's own code: ${conversions.join("; ")}.` };
  }
  return result;
}

function textOf(item: ResponseInputItem): string {
  if (!("content" in item)) return "";
  const content = item.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("\n");
}

// Anything shaped user@host, with or without a top-level domain: a model that echoes an address may cut
// or reword it ("ada@example." at the end of a sentence), and a redactor must err on the safe side. A
// sentence's full stop after the address is kept.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g;
export const REDACTED = "[e-mail redacted]";

/** Redacts e-mail addresses in a text, for one string. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, REDACTED);
}

/**
 * The same for a stream of deltas. An address can be split across deltas ("ada@exa" + "mple.com"), and it
 * never contains whitespace, so the text after the last whitespace is held back until more arrives.
 */
export class EmailRedactor {
  private pending = "";

  push(delta: string): string {
    this.pending += delta;
    const cut = Math.max(this.pending.lastIndexOf(" "), this.pending.lastIndexOf("\n"));
    if (cut < 0) return "";
    const ready = this.pending.slice(0, cut + 1);
    this.pending = this.pending.slice(cut + 1);
    return redactEmails(ready);
  }

  end(): string {
    const rest = redactEmails(this.pending);
    this.pending = "";
    return rest;
  }
}

// The unit converter. Each unit: its dimension and how many base units (m, kg, l, m/s) it is.
const UNITS: Record<string, { dim: string; factor: number; label: string }> = {};
function unit(names: string[], dim: string, factor: number): void {
  for (const name of names) UNITS[name.toLowerCase()] = { dim, factor, label: names[0] ?? name };
}
unit(["km", "kilometer", "kilometers", "kilometre", "kilometres"], "length", 1000);
unit(["m", "meter", "meters", "metre", "metres"], "length", 1);
unit(["cm", "centimeter", "centimeters"], "length", 0.01);
unit(["mm", "millimeter", "millimeters"], "length", 0.001);
unit(["mi", "mile", "miles"], "length", 1609.344);
unit(["yd", "yard", "yards"], "length", 0.9144);
unit(["ft", "foot", "feet"], "length", 0.3048);
unit(["in", "inch", "inches"], "length", 0.0254);
unit(["kg", "kilogram", "kilograms", "kilo", "kilos"], "mass", 1);
unit(["g", "gram", "grams"], "mass", 0.001);
unit(["lb", "lbs", "pound", "pounds"], "mass", 0.45359237);
unit(["oz", "ounce", "ounces"], "mass", 0.028349523125);
unit(["l", "liter", "liters", "litre", "litres"], "volume", 1);
unit(["ml", "milliliter", "milliliters"], "volume", 0.001);
unit(["gal", "gallon", "gallons"], "volume", 3.785411784);
unit(["km/h", "kph"], "speed", 1000 / 3600);
unit(["mph"], "speed", 0.44704);
unit(["°C", "c", "celsius"], "temperature", 1);
unit(["°F", "f", "fahrenheit"], "temperature", 1);
unit(["K", "kelvin"], "temperature", 1);

const UNIT_NAME = "(°?[a-z]+(?:/h)?)";
const NUMBER = "(-?\\d+(?:[.,]\\d+)?)";
// "10 km to miles", "72 °F in celsius" (number, from, to) and "how many pounds is 3 kg" (to, number, from).
const CONVERSION = new RegExp(`${NUMBER}\\s*${UNIT_NAME}\\s+(?:to|in|into|as)\\s+${UNIT_NAME}\\b`, "gi");
const HOW_MANY = new RegExp(
  `how many\\s+${UNIT_NAME}\\s+(?:(?:is|are|make|makes)\\s+)?(?:in\\s+)?${NUMBER}\\s*${UNIT_NAME}\\b`,
  "gi",
);

/** Finds the conversions a message asks for and computes them, e.g. "10 km = 6.214 mi". */
export function convertUnits(text: string): string[] {
  const asked = [
    ...[...text.matchAll(CONVERSION)].map((m) => ({ at: m.index, value: m[1], from: m[2], to: m[3] })),
    ...[...text.matchAll(HOW_MANY)].map((m) => ({ at: m.index, value: m[2], from: m[3], to: m[1] })),
  ].sort((a, b) => a.at - b.at);
  const results: string[] = [];
  for (const request of asked) {
    const value = Number((request.value ?? "").replace(",", "."));
    const from = UNITS[(request.from ?? "").toLowerCase()];
    const to = UNITS[(request.to ?? "").toLowerCase()];
    if (!from || !to || from.dim !== to.dim || !Number.isFinite(value)) continue;
    const converted =
      from.dim === "temperature"
        ? fromKelvin(toKelvin(value, from.label), to.label)
        : (value * from.factor) / to.factor;
    results.push(`${format(value)} ${from.label} = ${format(converted)} ${to.label}`);
  }
  return results;
}

function toKelvin(value: number, scale: string): number {
  if (scale === "°C") return value + 273.15;
  if (scale === "°F") return ((value - 32) * 5) / 9 + 273.15;
  return value;
}

function fromKelvin(value: number, scale: string): number {
  if (scale === "°C") return value - 273.15;
  if (scale === "°F") return ((value - 273.15) * 9) / 5 + 32;
  return value;
}

function format(n: number): string {
  return String(Number(n.toFixed(3)));
}
