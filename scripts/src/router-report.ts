/**
 * `pnpm router-report [folder] [--out file]`: which model `model-router` picked for each question, read
 * back from the transcripts the chats write with `--log` (default `transcripts/`, or LAB_TRANSCRIPTS_DIR).
 * Writes a Markdown table (demo, question, task type, served model, latency) plus a summary per task type,
 * the counterpart of the original lab's MODEL-ROUTER.md observations.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { TRANSCRIPT_MARKER } from "@lab/shared/transcript";
import { markdownTable } from "./table.ts";

export interface TurnRecord {
  demo: string;
  turn: number;
  at: string;
  question: string;
  requested: string;
  model: string;
  latencyMs: number;
  status: string;
}

/**
 * Task types, first match wins. Deliberately simple keyword rules (plus the demo's own tool) so anyone can
 * check a row by eye; printed at the top of the report.
 */
export const TASK_RULES: Array<{ type: string; rule: string; test: (t: TurnRecord) => boolean }> = [
  {
    type: "greeting",
    rule: "at most 6 words starting with hi/hello/hey/thanks/bye/good morning…",
    test: (t) =>
      words(t.question) <= 6 &&
      /^\s*(hi|hello|hey|thanks|thank you|bye|good (morning|afternoon|evening))\b/i.test(t.question),
  },
  {
    type: "recall",
    rule: "asks about something said earlier: what is my…, what did I say…, do you remember…, who am I",
    // A question, not a statement: "My name is Ada." tells, "What is my name?" recalls.
    test: (t) =>
      /\b(whats? my|what(?:'s| is| was) my|what did i (?:say|tell|ask)|do you remember|remind me|who am i)\b/i.test(
        t.question,
      ),
  },
  {
    type: "analysis",
    rule: "why/explain/compare/analyze/plan/summarize/chart/plot/calculate/trend, or over 40 words",
    test: (t) =>
      words(t.question) > 40 ||
      /\b(why|explain|compare|analy[sz]e|plan|summari[sz]e|chart|plot|calculate|trend)/i.test(t.question),
  },
  {
    type: "search/retrieval",
    rule: "demo 3 (web search) or 5 (file search), or search/find/look up/latest/news/handbook/policy",
    test: (t) =>
      /^(3|5)-/.test(t.demo) || /\b(search|find|look up|latest|news|handbook|policy)\b/i.test(t.question),
  },
  {
    type: "tool use",
    rule: "demo 1, 2, 4, 6 or 7 (functions, code, MCP, toolbox), or weather/forecast/run/issue",
    test: (t) => /^(1|2|4|6|7)-/.test(t.demo) || /\b(weather|forecast|run|issues?)\b/i.test(t.question),
  },
  { type: "chat", rule: "anything else", test: () => true },
];

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean).length;

export function classify(turn: TurnRecord): string {
  return TASK_RULES.find((r) => r.test(turn))?.type ?? "chat";
}

/** Every `<!-- lab-turn {…} -->` line of one transcript. */
export function readTurns(markdown: string): TurnRecord[] {
  const out: TurnRecord[] = [];
  const pattern = new RegExp(`^<!-- ${TRANSCRIPT_MARKER} (\\{.*\\}) -->$`, "gm");
  for (const match of markdown.matchAll(pattern)) {
    try {
      out.push(JSON.parse(match[1] ?? "") as TurnRecord);
    } catch {
      // a hand-edited line: skip it rather than lose the whole report
    }
  }
  return out;
}

export function buildReport(turns: TurnRecord[], source: string): string {
  const rows = turns.map((t) => [
    t.demo,
    clipQuestion(t.question),
    classify(t),
    t.model === t.requested ? t.model : `${t.model} (via ${t.requested})`,
    `${(t.latencyMs / 1000).toFixed(1)} s`,
  ]);
  const byType = new Map<string, TurnRecord[]>();
  for (const t of turns) byType.set(classify(t), [...(byType.get(classify(t)) ?? []), t]);
  const summary = [...byType].map(([type, list]) => {
    const models = new Map<string, number>();
    for (const t of list) models.set(t.model, (models.get(t.model) ?? 0) + 1);
    return [
      type,
      String(list.length),
      [...models].map(([m, n]) => `${m} ×${n}`).join(", "),
      `${(median(list.map((t) => t.latencyMs)) / 1000).toFixed(1)} s`,
    ];
  });
  return [
    "# Model router observations",
    "",
    `From ${turns.length} turn${turns.length === 1 ? "" : "s"} in ${source}. The served model is the response's \`model\` field; latency is question to completed answer, as the chat measured it.`,
    "",
    markdownTable(["demo", "question", "task type", "served model", "latency"], rows),
    "",
    "## By task type",
    "",
    markdownTable(["task type", "turns", "served models", "median latency"], summary),
    "",
    "## How task types are assigned",
    "",
    "First matching rule, on the question text (and the demo it was asked in):",
    "",
    ...TASK_RULES.map((r) => `- **${r.type}**: ${r.rule}`),
    "",
  ].join("\n");
}

function clipQuestion(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 70 ? `${flat.slice(0, 69)}…` : flat;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export async function routerReport(args: string[]): Promise<void> {
  const rest = args.filter((a) => a !== "--");
  const outAt = rest.indexOf("--out");
  const outArg = outAt >= 0 ? rest[outAt + 1] : undefined;
  if (outAt >= 0 && !outArg)
    throw new ConfigError("--out needs a file name, e.g. pnpm router-report -- --out MODEL-ROUTER.md.");
  const positional = rest.filter((a, i) => !a.startsWith("--") && (outAt < 0 || i !== outAt + 1));
  if (positional.length > 1)
    throw new ConfigError(`router-report takes one folder, not ${positional.join(" ")}.`);
  const folder = path.resolve(
    positional[0] ?? process.env.LAB_TRANSCRIPTS_DIR ?? path.join(repoRoot, "transcripts"),
  );
  if (!existsSync(folder)) {
    throw new ConfigError(
      `There is no transcripts folder at ${folder}: chat with --log first (e.g. pnpm 0-hello -- --log), or name the folder (pnpm router-report <folder>).`,
    );
  }
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".md") && f !== "MODEL-ROUTER.md")
    .sort();
  const turns = files.flatMap((f) => readTurns(readFileSync(path.join(folder, f), "utf8")));
  if (turns.length === 0) {
    throw new ConfigError(
      `No logged turns in ${folder}: chat with --log first (e.g. pnpm 0-hello -- --log), then run pnpm router-report again.`,
    );
  }
  const report = buildReport(turns, `${files.length} transcript${files.length === 1 ? "" : "s"} (${folder})`);
  const out = path.resolve(outArg ?? path.join(folder, "MODEL-ROUTER.md"));
  writeFileSync(out, report);
  console.log(report);
  console.log(`Written to ${out}.`);
}
