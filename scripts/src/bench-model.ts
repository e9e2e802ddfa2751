/**
 * `pnpm bench`, the lab model: the pass rate of every corpus under `emulator/test/corpus/` (each module
 * there that exports `runCorpus` starts its own emulator and runs its requests through the real SDKs),
 * per skill, with the time each corpus took. The target is 100 % (the tests assert it); the table shows
 * where a change to the model stands without reading test output. Below it, each holdout round's rate
 * with the known misses the tests leave out counted in: the honest score on requests not fitted to.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chooseTool } from "@lab/emulator/model/skills/function-calls";
import type { Json } from "@lab/emulator/validate";
import { repoRoot } from "@lab/shared/config";
import { markdownTable } from "./table.ts";

interface CorpusResult {
  skill: string;
  passed: number;
  total: number;
  failures: string[];
}

type Runner = () => Promise<CorpusResult[]>;

interface Case {
  id: string;
  tools?: string | string[];
  turns?: string[];
  say: string;
  tool_choice?: unknown;
  expect: { calls?: Array<{ name: string }>; text?: string[] };
}

/**
 * How tool choice was made before issue 11, kept here only as the baseline: a tool is chosen when any
 * word of its name or description (4+ letters, first 5 letters compared) appears in the message.
 */
function prefixChoice(tools: Json[], text: string): string | undefined {
  const stop = new Set([
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
  const said = new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((w) => w.slice(0, 5)));
  const about = (tool: Json) =>
    (
      `${String(tool.name).replace(/_/g, " ")} ${String(tool.description ?? "")}`
        .toLowerCase()
        .match(/[a-z]{4,}/g) ?? []
    ).some((w) => !stop.has(w) && said.has(w.slice(0, 5)));
  return tools.find(about)?.name as string | undefined;
}

function scoredChoice(lexicon: boolean) {
  return (tools: Json[], text: string) => chooseTool(tools, text, { lexicon });
}

/**
 * Tool choice alone, three ways, on every single-turn corpus case with tools: which tool (or none) each
 * method picks against the one the case expects (a call, a question naming the tool, or none for any
 * other answer). The model uses the last row.
 */
function toolChoiceMethods(folder: string): string {
  const catalogue = JSON.parse(readFileSync(path.join(folder, "tools.json"), "utf8")) as {
    tools: Record<string, Json>;
    sets: Record<string, string[]>;
  };
  const skillOf = new Map<Case, string>();
  const cases: Case[] = ["tool-choice", "arguments", "missing-arguments", "memory", "general"].flatMap(
    (skill) =>
      readFileSync(path.join(folder, `${skill}.jsonl`), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
          const c = JSON.parse(line) as Case;
          skillOf.set(c, skill);
          return c;
        }),
  );
  const usable = cases.filter(
    (c) => c.tools !== undefined && !c.turns?.length && c.tool_choice === undefined,
  );
  const methods: Array<[string, (tools: Json[], text: string) => string | undefined]> = [
    ["name/description word, 5-letter prefix (before issue 11)", prefixChoice],
    ["Porter stems and slips, weighted name/description/parameters", scoredChoice(false)],
    ["… plus the lexicon of related words (used)", scoredChoice(true)],
  ];
  const rows = methods.map(([label, choose]) => {
    let right = 0;
    for (const c of usable) {
      const names = typeof c.tools === "string" ? (catalogue.sets[c.tools] ?? [c.tools]) : (c.tools ?? []);
      const tools = names.map((n) => catalogue.tools[n]).filter((t): t is Json => t !== undefined);
      // A question for a missing argument names its tool; other text answers call none.
      const fragments = (c.expect.text ?? []).join(" ").toLowerCase();
      const asks = skillOf.get(c) === "missing-arguments";
      const expected =
        c.expect.calls?.[0]?.name ?? (asks ? names.find((n) => fragments.includes(n)) : undefined);
      if (choose(tools, c.say) === expected) right++;
    }
    return [label, `${right}/${usable.length}`, `${((100 * right) / usable.length).toFixed(1)} %`];
  });
  return markdownTable(["tool choice by", "right", "accuracy"], rows);
}

type MissRunner = (options: { corpus: string; knownMisses: boolean }) => Promise<CorpusResult[]>;

/**
 * Each holdout round's rate with its known misses counted: the cases in `holdout-N-known-misses.jsonl`
 * (or carrying `known_miss` in a JSON corpus) are run as well, so a miss fixed since shows as passed.
 */
async function holdoutRates(folder: string, rows: string[][]): Promise<string> {
  const fitted = new Map(rows.map((r) => [r[0] ?? "", { passed: Number(r[1]), total: Number(r[2]) }]));
  const corpus = (file: string) => import(pathToFileURL(path.join(folder, file)).href);
  const functions = (await corpus("lab-model.ts")) as {
    runCorpus: (skills: string[]) => Promise<CorpusResult[]>;
  };
  const retrieval = (await corpus("retrieval.ts")) as { runCorpus: MissRunner };
  const data = (await corpus("data-questions.ts")) as { runCorpus: MissRunner };
  const rounds = [...fitted.keys()].filter((skill) => /^holdout-\d+/.test(skill));
  const out: string[][] = [];
  for (const skill of rounds) {
    const known = fitted.get(skill) ?? { passed: 0, total: 0 };
    let misses: CorpusResult[] = [];
    if (readdirSync(folder).includes(`${skill}-known-misses.jsonl`))
      misses = await functions.runCorpus([`${skill}-known-misses`]);
    else if (skill.endsWith("-retrieval"))
      misses = await retrieval.runCorpus({ corpus: skill, knownMisses: true });
    else if (skill.endsWith("-data")) misses = await data.runCorpus({ corpus: skill, knownMisses: true });
    const passed = known.passed + misses.reduce((n, r) => n + r.passed, 0);
    const total = known.total + misses.reduce((n, r) => n + r.total, 0);
    out.push([skill, `${passed}/${total}`, `${((100 * passed) / Math.max(1, total)).toFixed(1)} %`]);
  }
  return markdownTable(["holdout round", "passed (known misses counted)", "pass rate"], out);
}

export async function benchModel(): Promise<void> {
  const folder = path.join(repoRoot, "emulator", "test", "corpus");
  const rows: string[][] = [];
  const failures: string[] = [];
  let passed = 0;
  let total = 0;
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    const module = (await import(pathToFileURL(path.join(folder, file)).href)) as { runCorpus?: Runner };
    if (typeof module.runCorpus !== "function") continue;
    const started = performance.now();
    const results = await module.runCorpus();
    const ms = performance.now() - started;
    for (const [i, r] of results.entries()) {
      rows.push([
        r.skill,
        String(r.passed),
        String(r.total),
        `${((100 * r.passed) / Math.max(1, r.total)).toFixed(1)} %`,
        i === 0 ? `${file} (${ms.toFixed(0)} ms in all)` : file,
      ]);
      passed += r.passed;
      total += r.total;
      failures.push(...r.failures.map((f) => `${r.skill}: ${f}`));
    }
  }
  rows.push([
    "all",
    String(passed),
    String(total),
    `${((100 * passed) / Math.max(1, total)).toFixed(1)} %`,
    "",
  ]);
  console.log(
    "\nThe lab model on its corpora (requests written outside the demos, through the real SDKs):\n",
  );
  console.log(markdownTable(["skill", "passed", "cases", "pass rate", "corpus"], rows));
  if (failures.length > 0) console.log(`\nMisses:\n${failures.map((f) => `- ${f}`).join("\n")}`);
  console.log(
    "\nHoldout rounds with their known misses counted (the table above leaves those out, so each of its\n" +
      "rows reads 100 %; the other corpora were written alongside the fixes and are partly fitted):\n",
  );
  console.log(await holdoutRates(folder, rows));
  console.log("\nTool choice alone (single-turn corpus cases with tools; the expected tool, or none):\n");
  console.log(toolChoiceMethods(folder));
}
