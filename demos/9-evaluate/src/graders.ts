/**
 * Graders: each a small function that looks at one dataset item and what the agent did for it, and says
 * pass or fail and why, in words a developer can act on. A grader that has nothing to check for an item
 * (no expected tools, no expected citation) returns undefined and is left out of that item's score.
 */
import type { Item } from "./dataset.ts";

/** What the agent did for one item: the run's observable facts, gathered by targets.ts. */
export interface Observation {
  answer: string;
  /** Local function calls, in order (demo 1's tool loop reports each). */
  toolCalls: { name: string; arguments: string }[];
  /** `file_citation` annotations in the answer. */
  citations: { file: string; fileId: string }[];
  /** The passages file search returned (the text the answer may rest on). */
  passages: { file: string; fileId: string; text: string }[];
  latencyMs: number;
  /** `response.model`: which model answered (model-router names the one it picked). */
  model?: string;
  responseId?: string;
  /** The item's trace, when the run recorded one (see it with `pnpm traces`). */
  traceId?: string;
  /** The call failed: every grader that needs an answer fails with this. */
  error?: string;
}

export interface Grade {
  grader: string;
  pass: boolean;
  why: string;
}

export type Grader = (item: Item, seen: Observation) => Grade | undefined;

const lower = (s: string) => s.toLowerCase();

/** Every expected phrase is in the answer. */
export const answerContains: Grader = (item, seen) => {
  const wanted = item.expect.contains;
  if (!wanted?.length) return undefined;
  const missing = wanted.filter((w) => !lower(seen.answer).includes(lower(w)));
  return {
    grader: "answer contains",
    pass: missing.length === 0,
    why: missing.length ? `missing ${missing.map((m) => `"${m}"`).join(", ")}` : `has ${wanted.join(", ")}`,
  };
};

/** The answer matches the expected pattern. */
export const answerMatches: Grader = (item, seen) => {
  if (!item.expect.matches) return undefined;
  const pass = new RegExp(item.expect.matches, "i").test(seen.answer);
  return {
    grader: "answer matches",
    pass,
    why: `${pass ? "matches" : "does not match"} /${item.expect.matches}/`,
  };
};

/** Each expected call was made with (at least) the expected arguments; `[]` means no call at all. */
export const toolCalled: Grader = (item, seen) => {
  const expected = item.expect.tools;
  if (!expected) return undefined;
  if (expected.length === 0) {
    return seen.toolCalls.length === 0
      ? { grader: "tool called", pass: true, why: "no tool called, as expected" }
      : {
          grader: "tool called",
          pass: false,
          why: `called ${seen.toolCalls.map((c) => c.name).join(", ")}; expected none`,
        };
  }
  const made = seen.toolCalls.map((c) => ({ name: c.name, args: parseArgs(c.arguments) }));
  const missing = expected.filter(
    (want) =>
      !made.some(
        (call) =>
          call.name === want.name &&
          Object.entries(want.arguments ?? {}).every(([key, value]) => sameValue(call.args[key], value)),
      ),
  );
  const shown = (t: { name: string; arguments?: unknown }) =>
    `${t.name}(${JSON.stringify(t.arguments ?? {})})`;
  if (missing.length === 0) return { grader: "tool called", pass: true, why: expected.map(shown).join(", ") };
  const got = made.length
    ? made.map((c) => shown({ name: c.name, arguments: c.args })).join(", ")
    : "no tool calls";
  return { grader: "tool called", pass: false, why: `expected ${missing.map(shown).join(", ")}; got ${got}` };
};

/** The answer cites the expected file, and a passage of that file found by search is under the expected section. */
export const citationPresent: Grader = (item, seen) => {
  const want = item.expect.citation;
  if (!want) return undefined;
  const cited = seen.citations.filter((c) => c.file === want.file);
  if (cited.length === 0) {
    const other = [...new Set(seen.citations.map((c) => c.file))];
    return {
      grader: "citation",
      pass: false,
      why: other.length ? `cites ${other.join(", ")}, not ${want.file}` : `no citation (wanted ${want.file})`,
    };
  }
  if (!want.section) return { grader: "citation", pass: true, why: `cites ${want.file}` };
  const section = want.section;
  const ids = new Set(cited.map((c) => c.fileId));
  const underSection = seen.passages.some(
    (p) => ids.has(p.fileId) && headingsOf(p.text).includes(lower(section)),
  );
  return {
    grader: "citation",
    pass: underSection,
    why: underSection
      ? `cites ${want.file} § ${section}`
      : `cites ${want.file}, but no passage found under § ${section}`,
  };
};

/**
 * The answer rests on the passages: most of its content words (beyond the question's own) appear in the
 * text file search returned. Overlap is crude next to a model-graded groundedness check, but it needs no
 * model, and it catches an answer made up without the document.
 */
export const groundedInPassages: Grader = (item, seen) => {
  if (!item.expect.citation) return undefined;
  const source = new Set(seen.passages.flatMap((p) => contentWords(p.text)));
  const asked = new Set(contentWords(item.question));
  const files = [...seen.passages.map((p) => p.file), ...seen.citations.map((c) => c.file)];
  const claimed = [...new Set(contentWords(claims(seen.answer, files)))].filter((w) => !asked.has(w));
  if (claimed.length === 0)
    return { grader: "grounded", pass: false, why: "the answer says nothing beyond the question" };
  const supported = claimed.filter((w) => source.has(w));
  const share = supported.length / claimed.length;
  return {
    grader: "grounded",
    pass: share >= GROUNDED_SHARE,
    why: `${Math.round(share * 100)}% of the answer's words are in the cited passages (needs ${GROUNDED_SHARE * 100}%)`,
  };
};
export const GROUNDED_SHARE = 0.5;

/**
 * What an answer claims, without what only says where it comes from: a line that names a cited file and
 * introduces what follows ("From employee-handbook.md (…):", "Here is what handbook.md says:"), and the
 * files' names wherever they are ("As employee-handbook.md puts it, …"). A real model's attribution and the
 * lab model's opening line are judged alike; every claim after them still has to be in the passages.
 */
function claims(answer: string, files: string[]): string {
  const named = (line: string) => files.some((file) => file !== "" && line.includes(file));
  let text = answer
    .split("\n")
    .filter((line) => !(/:\s*$/.test(line) && named(line)))
    .join("\n");
  for (const file of new Set(files)) if (file !== "") text = text.split(file).join(" ");
  return text;
}

/** The answer came within the item's bound (30 s unless the item says otherwise). */
export const withinLatency: Grader = (item, seen) => {
  const bound = item.maxLatencyMs ?? 30_000;
  return {
    grader: "latency",
    pass: seen.latencyMs <= bound,
    why: `${Math.round(seen.latencyMs)} ms (bound ${bound} ms)`,
  };
};

/** The response says which model served it: with model-router that is how you learn what ran. */
export const servedModelRecorded: Grader = (_item, seen) => ({
  grader: "served model",
  pass: Boolean(seen.model?.trim()),
  why: seen.model ? `served by ${seen.model}` : "the response names no model",
});

export const GRADERS: Grader[] = [
  answerContains,
  answerMatches,
  toolCalled,
  citationPresent,
  groundedInPassages,
  withinLatency,
  servedModelRecorded,
];

/** Every grader that applies to this item; a failed call fails all of them with its error. */
export function grade(item: Item, seen: Observation): Grade[] {
  const grades = GRADERS.map((g) => g(item, seen)).filter((g): g is Grade => g !== undefined);
  return seen.error
    ? grades.map((g) => ({ ...g, pass: false, why: `the call failed: ${seen.error}` }))
    : grades;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "string" && typeof actual === "string")
    return lower(actual.trim()) === lower(expected.trim());
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** The Markdown headings in a passage, lower-cased, without the #s. */
function headingsOf(text: string): string[] {
  return [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => lower((m[1] ?? "").trim()));
}

const STOP = new Set(
  "the a an and or of to in on at for is are was be by with as it its this that you your yours i we our can may must not no yes do does from per each every any all".split(
    " ",
  ),
);
function contentWords(text: string): string[] {
  return (lower(text).match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !STOP.has(w));
}
