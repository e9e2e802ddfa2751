/**
 * Demo 8 · the agent's own logic: what self-hosting buys you. This code owns the inference path: it runs a
 * local tool itself (a unit converter, decided by code, not by the model), calls the model deployment
 * through the project's OpenAI client, and post-processes every answer (e-mail addresses are redacted,
 * even mid-stream, and the exact conversions are appended). A system prompt can ask for none of this
 * reliably; code does it every time.
 */
import type OpenAI from "openai";
import type { ResponseInputItem } from "openai/resources/responses/responses";

export const INSTRUCTIONS =
  "You are the hosted agent of the Foundry Agent Lab. Answer briefly. When the developer message gives unit conversions, use exactly those numbers.";

/** One message of the thread, as this server keeps it. */
export interface ThreadMessage {
  role: "user" | "assistant" | "system" | "developer";
  text: string;
}

export interface AnswerResult {
  /** The model that served the answer (`response.model` from the deployment). */
  model: string;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null;
}

/**
 * Answers the last user message of `thread`, yielding the text as it should reach the client (already
 * post-processed), and returning which model served it.
 */
export async function* answer(
  openai: OpenAI,
  deployment: string,
  thread: ThreadMessage[],
  signal: AbortSignal,
): AsyncGenerator<string, AnswerResult> {
  const question = thread.findLast((m) => m.role === "user")?.text ?? "";

  // 1. The local tool: code decides when it runs, and its numbers are exact.
  const conversions = convertUnits(question);
  const input: ResponseInputItem[] = thread.map((m) => ({ role: m.role, content: m.text }));
  if (conversions.length > 0) {
    input.push({
      role: "developer",
      content: `Unit conversions computed exactly by the agent's own code: ${conversions.join("; ")}.`,
    });
  }

  // 2. The model call: this server, not the platform, picks the deployment and sends the whole thread.
  const stream = await openai.responses.create(
    { model: deployment, instructions: INSTRUCTIONS, input, stream: true, store: false },
    { signal },
  );
  const redactor = new EmailRedactor();
  let result: AnswerResult = { model: deployment, usage: null };
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") {
      const safe = redactor.push(event.delta);
      if (safe) yield safe;
    } else if (event.type === "response.completed") {
      const u = event.response.usage;
      result = {
        model: event.response.model,
        usage: u
          ? { input_tokens: u.input_tokens, output_tokens: u.output_tokens, total_tokens: u.total_tokens }
          : null,
      };
    } else if (event.type === "response.failed") {
      throw new Error(event.response.error?.message ?? "the model deployment failed to answer");
    } else if (event.type === "error") {
      throw new Error(event.message);
    }
  }

  // The SDK ends an aborted stream quietly; a cancelled answer must not look complete.
  signal.throwIfAborted();

  // 3. Post-processing: the held-back tail, then a footer with the exact numbers.
  const tail = redactor.end();
  if (tail) yield tail;
  if (conversions.length > 0) yield `\n\n— Converted by the agent's own code: ${conversions.join("; ")}.`;
  return result;
}

// user@host, with or without a top-level domain: a model that cuts an address at its last dot
// ("your email is ada@example.") still leaks "ada@example", so that is redacted too.
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
const CONVERSION = new RegExp(
  `(-?\\d+(?:[.,]\\d+)?)\\s*${UNIT_NAME}\\s+(?:to|in|into|as)\\s+${UNIT_NAME}\\b`,
  "gi",
);

/** Finds "<number> <unit> to|in <unit>" requests and computes them, e.g. "10 km = 6.214 mi". */
export function convertUnits(text: string): string[] {
  const results: string[] = [];
  for (const match of text.matchAll(CONVERSION)) {
    const value = Number((match[1] ?? "").replace(",", "."));
    const from = UNITS[(match[2] ?? "").toLowerCase()];
    const to = UNITS[(match[3] ?? "").toLowerCase()];
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
