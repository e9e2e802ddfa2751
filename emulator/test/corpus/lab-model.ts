/**
 * The lab model's corpus for tool choice, arguments, missing arguments, memory and everything else:
 * requests written for issue 11 (not any demo's prompts) against tools of other shapes (tools.json),
 * each run as a user runs it: an agent version with those tools on a real emulator, the real SDKs over
 * HTTPS, earlier turns chained by `previous_response_id` (or a conversation), and the last turn's output
 * checked against the case's expected calls (exact arguments, validated against `strict` schemas with
 * Ajv) or text fragments. `pnpm bench` prints the same pass rates.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import type OpenAI from "openai";
import { type Lab, startLab } from "../support.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SKILLS = [
  "tool-choice",
  "arguments",
  "missing-arguments",
  "memory",
  "general",
  "holdout-3",
  "holdout-4",
  "questions",
];

type Tool = Record<string, unknown> & { name: string; strict?: boolean; parameters: object };
interface Catalogue {
  tools: Record<string, Tool>;
  sets: Record<string, string[]>;
}

export interface Case {
  id: string;
  /** A set name from tools.json, or tool names; none for an agent without tools. */
  tools?: string | string[];
  /** Earlier user turns, in order. */
  turns?: string[];
  say: string;
  tool_choice?: "auto" | "none" | "required" | { type: "function"; name: string };
  /** How earlier turns are chained (default previous_response_id). */
  chain?: "conversation" | "previous_response_id";
  expect: {
    /** The calls, in order, with exactly these arguments ({{today+N}} is a local date N days on). */
    calls?: Array<{ name: string; arguments: Record<string, unknown> }>;
    /** Fragments the answer text contains (case-insensitive); with no calls. */
    text?: string[];
    /** Fragments it must not contain. */
    not?: string[];
  };
  /** In a known-misses file: why the case still misses. */
  miss?: string;
}

export interface CorpusResult {
  skill: string;
  passed: number;
  total: number;
  failures: string[];
}

export function readCases(skill: string): Case[] {
  return readFileSync(path.join(HERE, `${skill}.jsonl`), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Case);
}

const catalogue = JSON.parse(readFileSync(path.join(HERE, "tools.json"), "utf8")) as Catalogue;

function toolsOf(spec: Case["tools"]): Tool[] {
  if (spec === undefined) return [];
  const names = typeof spec === "string" ? (catalogue.sets[spec] ?? [spec]) : spec;
  return names.map((name) => {
    const tool = catalogue.tools[name];
    if (tool === undefined) throw new Error(`corpus: no tool named ${name} in tools.json`);
    return tool;
  });
}

/** The string formats the corpus's schemas use, as the service checks them. */
const FORMATS = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}(?::\d{2})?$/,
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
};

const pad = (n: number) => String(n).padStart(2, "0");
function daysFromToday(n: number): string {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * Days to the given weekday: "on friday" is the coming one, today included (0 to 6 days on); "next
 * monday" is the first one after today (1 to 7), as chrono-node reads them and most people mean them.
 */
function nextWeekday(day: string, strictlyAfter: boolean): number {
  const target = WEEKDAYS.indexOf(day);
  if (target < 0) throw new Error(`corpus: no weekday ${day}`);
  const ahead = (target - new Date().getDay() + 7) % 7;
  return strictlyAfter && ahead === 0 ? 7 : ahead;
}

/** Days from today to the next MM-DD, today included ("from the 21st of December"). */
function nextMonthDay(monthDay: string): number {
  const [month, day] = monthDay.split("-").map(Number) as [number, number];
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  let date = new Date(today.getFullYear(), month - 1, day);
  if (date < today) date = new Date(today.getFullYear() + 1, month - 1, day);
  return Math.round((date.getTime() - today.getTime()) / 86_400_000);
}

/**
 * Expected values may name dates relative to today: "{{today}}", "{{today+1}}T19:00:00", "{{fri}}" (the
 * coming Friday, today included), "{{next-mon+2}}" (two days after the first Monday after today),
 * "{{12-21}}" (the next 21 December, today included).
 */
function resolve(value: unknown): unknown {
  if (typeof value === "string")
    return value
      .replace(/\{\{today(?:([+-]\d+))?\}\}/g, (_, n?: string) => daysFromToday(Number(n ?? 0)))
      .replace(/\{\{(next-)?(sun|mon|tue|wed|thu|fri|sat)([+-]\d+)?\}\}/g, (_, next, d: string, n?: string) =>
        daysFromToday(nextWeekday(d, next !== undefined) + Number(n ?? 0)),
      )
      .replace(/\{\{(\d\d-\d\d)\}\}/g, (_, md: string) => daysFromToday(nextMonthDay(md)));
  if (Array.isArray(value)) return value.map(resolve);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
}

/**
 * Where a careful reader would accept more than one value, an expected argument may say so:
 * "{{maybe:X}}" is X or left out (an optional enum the words only hint at), "{{about:word}}" is free text
 * holding the word, or left out (an optional description, whose exact wording is the model's).
 */
function matches(expected: unknown, got: unknown): boolean {
  if (typeof expected === "string") {
    const [, kind, word = ""] = /^\{\{(maybe|about):(.*)\}\}$/.exec(expected) ?? [];
    if (kind === "maybe") return got === undefined || got === word;
    if (kind === "about")
      return got === undefined || (typeof got === "string" && got.toLowerCase().includes(word.toLowerCase()));
  }
  if (Array.isArray(expected))
    return (
      Array.isArray(got) && got.length === expected.length && expected.every((e, i) => matches(e, got[i]))
    );
  if (expected !== null && typeof expected === "object") {
    if (got === null || typeof got !== "object" || Array.isArray(got)) return false;
    const want = expected as Record<string, unknown>;
    const have = got as Record<string, unknown>;
    return (
      Object.keys(have).every((k) => k in want) && Object.keys(want).every((k) => matches(want[k], have[k]))
    );
  }
  return canonical(expected) === canonical(got);
}

interface Runner {
  lab: Lab;
  agents: Map<string, { name: string; version: string }>;
}

async function agentFor(runner: Runner, tools: Tool[]): Promise<{ name: string; version: string }> {
  const key = tools.map((t) => t.name).join(",");
  let agent = runner.agents.get(key);
  if (agent === undefined) {
    const version = await runner.lab.project.agents.createVersion(`corpus-${runner.agents.size}`, {
      kind: "prompt",
      model: "model-router",
      instructions: "You help with everyday tasks.",
      tools: tools as never,
    });
    agent = { name: version.name, version: version.version };
    runner.agents.set(key, agent);
  }
  return agent;
}

type Output = OpenAI.Responses.ResponseOutputItem;

/** Runs one case; returns undefined when it passes, else what went wrong. */
export async function runCase(runner: Runner, c: Case, ajv: Ajv): Promise<string | undefined> {
  const tools = toolsOf(c.tools);
  // The service refuses tool_choice next to an agent_reference (the agent owns its tools), so a case
  // that sets it talks to the model directly, with the tools in the request, as the Responses API allows.
  const direct = c.tool_choice !== undefined;
  const body = direct
    ? { model: "model-router", instructions: "You help with everyday tasks.", tools }
    : { agent_reference: { type: "agent_reference" as const, ...(await agentFor(runner, tools)) } };
  const openai = runner.lab.openai;
  const conversation = c.chain === "conversation" ? (await openai.conversations.create()).id : undefined;
  let previous: string | undefined;
  let pending: Output[] = [];
  const send = async (text: string, toolChoice?: Case["tool_choice"]) => {
    // Calls an earlier turn made get a plain output, as a client would send back.
    const outputs = pending
      .filter((item) => item.type === "function_call")
      .map((item) => ({
        type: "function_call_output" as const,
        call_id: item.call_id,
        output: '{"ok":true}',
      }));
    const response = await openai.responses.create(
      {
        input: [...outputs, { type: "message", role: "user", content: text }],
        ...(conversation === undefined ? { previous_response_id: previous } : { conversation }),
        ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
      },
      { body: body as never },
    );
    previous = response.id;
    pending = response.output;
    return response;
  };
  for (const turn of c.turns ?? []) await send(turn);
  const response = await send(c.say, c.tool_choice);
  const calls = response.output.filter((item) => item.type === "function_call");
  const text = response.output_text ?? "";
  const seen = () =>
    calls.length > 0
      ? calls.map((call) => `${call.name}(${call.arguments})`).join(" ")
      : `text: ${text.slice(0, 300)}`;

  for (const call of calls) {
    const tool = tools.find((t) => t.name === call.name);
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return `arguments are not JSON: ${call.arguments}`;
    }
    if (tool?.strict === true && !ajv.validate(tool.parameters, args)) {
      return `${call.name} arguments break its strict schema (${ajv.errorsText()}): ${call.arguments}`;
    }
  }
  if (c.expect.calls !== undefined) {
    const expected = c.expect.calls.map((call) => ({ name: call.name, arguments: resolve(call.arguments) }));
    const got = calls.map((call) => ({ name: call.name, arguments: JSON.parse(call.arguments) as unknown }));
    if (!matches(expected, got))
      return `expected ${expected.map((e) => `${e.name}(${JSON.stringify(e.arguments)})`).join(" ")}, got ${seen()}`;
  }
  if (c.expect.text !== undefined) {
    if (calls.length > 0) return `expected an answer in text, got ${seen()}`;
    const lower = text.toLowerCase();
    const missing = c.expect.text.filter((fragment) => !lower.includes(resolve(fragment) as string));
    if (missing.length > 0) return `answer lacks ${JSON.stringify(missing)}: ${seen()}`;
  }
  const forbidden = (c.expect.not ?? []).filter((fragment) =>
    text.toLowerCase().includes(fragment.toLowerCase()),
  );
  if (forbidden.length > 0) return `answer contains ${JSON.stringify(forbidden)}: ${seen()}`;
  return undefined;
}

/** JSON with object keys sorted: arguments compare by content, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export async function runCorpus(skills: string[] = SKILLS): Promise<CorpusResult[]> {
  const lab = await startLab();
  const runner: Runner = { lab, agents: new Map() };
  const ajv = new Ajv({ strict: false, formats: FORMATS });
  const results: CorpusResult[] = [];
  try {
    for (const skill of skills) {
      const cases = readCases(skill);
      const failures: string[] = [];
      for (const c of cases) {
        const failure = await runCase(
          runner,
          { ...c, expect: { ...c.expect, text: c.expect.text?.map((t) => t.toLowerCase()) } },
          ajv,
        ).catch((error: unknown) => `threw ${error instanceof Error ? error.message : String(error)}`);
        if (failure !== undefined) failures.push(`${c.id}: ${failure}`);
      }
      results.push({ skill, passed: cases.length - failures.length, total: cases.length, failures });
    }
  } finally {
    await lab.close();
  }
  return results;
}

/** Every corpus file this runner reads (for the test that checks none is left out). */
export function corpusFiles(): string[] {
  return readdirSync(HERE).filter((f) => SKILLS.some((s) => f === `${s}.jsonl`));
}
