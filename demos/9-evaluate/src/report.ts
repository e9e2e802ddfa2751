/**
 * Showing an evaluation: a table per item in the terminal, a comparison of two versions, and the same
 * as a Markdown report plus a JSON file in transcripts/ (the JSON is what `pnpm traces` charts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AgentRef } from "@lab/shared/agents";
import { bold, dim, green } from "@lab/shared/terminal";
import type { Dataset, Item } from "./dataset.ts";
import type { Grade, Observation } from "./graders.ts";

export interface ItemResult {
  item: Item;
  seen: Observation;
  grades: Grade[];
  pass: boolean;
}

export interface GraderSummary {
  name: string;
  passed: number;
  total: number;
  /** Over the items this grader graded (the traces page shows it on the latency grader's row). */
  medianLatencyMs: number;
}

export interface EvalResult {
  dataset: Dataset;
  agent: AgentRef;
  items: ItemResult[];
  graders: GraderSummary[];
  /** Share of items on which every grader passed. */
  passRate: number;
  /** The run's median latency over all its items: one figure per run, not one per grader. */
  medianLatencyMs: number;
}

export function summarize(dataset: Dataset, agent: AgentRef, items: ItemResult[]): EvalResult {
  const names = [...new Set(items.flatMap((r) => r.grades.map((g) => g.grader)))];
  const graders = names.map((name) => {
    const graded = items.filter((r) => r.grades.some((g) => g.grader === name));
    return {
      name,
      passed: graded.filter((r) => r.grades.some((g) => g.grader === name && g.pass)).length,
      total: graded.length,
      medianLatencyMs: median(graded.map((r) => r.seen.latencyMs)),
    };
  });
  const passRate = items.length ? items.filter((r) => r.pass).length / items.length : 0;
  const medianLatencyMs = median(items.map((r) => r.seen.latencyMs));
  return { dataset, agent, items, graders, passRate, medianLatencyMs };
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;
const ms = (value: number) => `${Math.round(value)} ms`;

/** One line per item: pass or fail, and for a failure each failing grader's reason. */
export function printResult(result: EvalResult): void {
  const { agent, dataset } = result;
  console.log(
    `\n${bold(`${dataset.name}: ${agent.name} v${agent.version}`)} ${dim(`(${dataset.items.length} items)`)}`,
  );
  const rows = result.items.map((r) => [
    r.pass ? "✔" : "✖",
    r.item.id,
    ms(r.seen.latencyMs),
    r.pass ? `${r.grades.length} checks pass` : failures(r),
  ]);
  console.log(table(["", "item", "latency", "result"], rows));
  const perGrader = result.graders.map((g) => `${g.name} ${g.passed}/${g.total}`).join(" · ");
  console.log(
    `${result.passRate === 1 ? green(`pass rate ${pct(result.passRate)}`) : bold(`pass rate ${pct(result.passRate)}`)} ${dim(perGrader)}`,
  );
}

/** What changed between two versions: pass rates, and each item whose outcome flipped. */
export function printComparison(before: EvalResult, after: EvalResult): void {
  console.log(`\n${bold(`What changed: v${before.agent.version} → v${after.agent.version}`)}`);
  console.log(
    table(["", `v${before.agent.version}`, `v${after.agent.version}`], comparisonRows(before, after)),
  );
}

export function comparisonRows(before: EvalResult, after: EvalResult): string[][] {
  const rows = [
    ["pass rate", pct(before.passRate), pct(after.passRate)],
    ["median latency", ms(before.medianLatencyMs), ms(after.medianLatencyMs)],
  ];
  for (const g of after.graders) {
    const old = before.graders.find((b) => b.name === g.name);
    rows.push([g.name, old ? `${old.passed}/${old.total}` : "–", `${g.passed}/${g.total}`]);
  }
  for (const r of after.items) {
    const old = before.items.find((b) => b.item.id === r.item.id);
    if (old && old.pass !== r.pass)
      rows.push([
        `item ${r.item.id}`,
        old.pass ? "pass" : `fail: ${failures(old)}`,
        r.pass ? "pass" : `fail: ${failures(r)}`,
      ]);
  }
  return rows;
}

/** Writes `eval-<dataset>-<time>.md` and `.eval.json`; returns the Markdown file's path. */
export function writeReport(dir: string, backend: string, result: EvalResult, before?: EvalResult): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const base = path.join(dir, `eval-${result.dataset.name}-${stamp}`);
  const md = [
    `# Evaluation: ${result.dataset.name} on ${result.agent.name} v${result.agent.version}`,
    "",
    `- backend: ${backend}`,
    `- dataset: ${path.basename(result.dataset.file)} (${result.items.length} items)`,
    `- pass rate: ${pct(result.passRate)}`,
    `- median latency: ${ms(result.medianLatencyMs)}`,
    "",
    "| grader | passed |",
    "| --- | --- |",
    ...result.graders.map((g) => `| ${g.name} | ${g.passed}/${g.total} |`),
    "",
    "| item | result | model | latency | trace |",
    "| --- | --- | --- | --- | --- |",
    ...result.items.map(
      (r) =>
        `| ${cell(r.item.id)} | ${r.pass ? "pass" : cell(`fail: ${failures(r)}`)} | ${cell(r.seen.model ?? "")} | ${ms(r.seen.latencyMs)} | ${r.seen.traceId ?? ""} |`,
    ),
    ...(before
      ? [
          "",
          `## Compared with v${before.agent.version}`,
          "",
          `| | v${before.agent.version} | v${result.agent.version} |`,
          "| --- | --- | --- |",
          ...comparisonRows(before, result).map((row) => `| ${row.map(cell).join(" | ")} |`),
        ]
      : []),
    "",
  ].join("\n");
  writeFileSync(`${base}.md`, md);
  const json = (r: EvalResult) => ({
    dataset: r.dataset.name,
    agent: r.agent,
    passRate: r.passRate,
    medianLatencyMs: r.medianLatencyMs,
    graders: r.graders,
    items: r.items.map((i) => ({
      id: i.item.id,
      question: i.item.question,
      answer: i.seen.answer,
      model: i.seen.model,
      latencyMs: i.seen.latencyMs,
      traceId: i.seen.traceId,
      grades: i.grades,
    })),
  });
  writeFileSync(
    `${base}.eval.json`,
    JSON.stringify(
      { ...json(result), backend, startedAt: new Date().toISOString(), before: before && json(before) },
      null,
      2,
    ),
  );
  return `${base}.md`;
}

function failures(r: ItemResult): string {
  return r.grades
    .filter((g) => !g.pass)
    .map((g) => `${g.grader}: ${g.why}`)
    .join("; ");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) : 0;
}

/** A plain aligned table for the terminal; long cells wrap onto their own indented lines. */
export function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), line(width.map((w) => "─".repeat(w))), ...rows.map(line)].join("\n");
}
