/**
 * An evaluation dataset: one JSON object per line (JSONL), readable and diffable. Each item is a question
 * and what a good answer shows: words it contains (or a pattern it matches), the tools it calls with which
 * arguments, the file and section it cites, and optionally a latency bound and a reference answer (for the
 * service's text-similarity grader). A bad line stops the run with the file and line number.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "@lab/shared/errors";

export interface ExpectedTool {
  name: string;
  /** Each of these must be in the call's arguments (strings compared without case). */
  arguments?: Record<string, unknown>;
}

export interface Item {
  id: string;
  question: string;
  expect: {
    /** Every one of these appears in the answer (case-insensitive). */
    contains?: string[];
    /** The answer matches this regular expression (case-insensitive). */
    matches?: string;
    /** These calls were made; an empty list means no tool may be called. */
    tools?: ExpectedTool[];
    /** The answer cites this file, from a passage under this section heading. */
    citation?: { file: string; section?: string };
  };
  /** Slower than this fails the latency grader (default 30 s). */
  maxLatencyMs?: number;
  /** A good answer, for the text-similarity grader of the service's evals API. */
  reference?: string;
}

export interface Dataset {
  name: string;
  file: string;
  items: Item[];
}

export function loadDataset(file: string): Dataset {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`The dataset ${file} cannot be read: check the path.`);
  }
  const items: Item[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${path.basename(file)} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ConfigError(`${where} is not valid JSON: each line of a dataset is one JSON object.`);
    }
    items.push(checkItem(value, where));
  });
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) throw new ConfigError(`${path.basename(file)} has two items with id "${item.id}".`);
    ids.add(item.id);
  }
  if (items.length === 0) throw new ConfigError(`The dataset ${file} has no items.`);
  return { name: path.basename(file, ".jsonl"), file, items };
}

function checkItem(value: unknown, where: string): Item {
  const item = value as Item;
  const fail = (what: string) => new ConfigError(`${where}: ${what}.`);
  if (!item || typeof item !== "object" || Array.isArray(item)) throw fail("an item is a JSON object");
  if (typeof item.id !== "string" || !item.id) throw fail('"id" must be a non-empty string');
  if (typeof item.question !== "string" || !item.question.trim())
    throw fail('"question" must be a non-empty string');
  if (!item.expect || typeof item.expect !== "object") throw fail('"expect" must be an object');
  const { contains, matches, tools, citation } = item.expect;
  if (contains !== undefined && !(Array.isArray(contains) && contains.every((c) => typeof c === "string")))
    throw fail('"expect.contains" must be a list of strings');
  if (matches !== undefined) {
    try {
      new RegExp(String(matches), "i");
    } catch {
      throw fail('"expect.matches" is not a valid regular expression');
    }
  }
  if (tools !== undefined && !(Array.isArray(tools) && tools.every((t) => t && typeof t.name === "string")))
    throw fail('"expect.tools" must be a list of {"name", "arguments"}');
  if (citation !== undefined && typeof citation?.file !== "string")
    throw fail('"expect.citation" must be {"file", "section"}');
  if (item.maxLatencyMs !== undefined && !(Number(item.maxLatencyMs) > 0))
    throw fail('"maxLatencyMs" must be a positive number');
  return item;
}
