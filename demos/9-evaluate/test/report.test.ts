/**
 * The Markdown report: the run's median latency once (each item keeps its own), the graders' pass counts,
 * and with --compare both runs' figures side by side.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../shared/test/support.ts";
import type { Dataset, Item } from "../src/dataset.ts";
import { grade, type Observation } from "../src/graders.ts";
import { type ItemResult, summarize, writeReport } from "../src/report.ts";

const items: Item[] = [
  { id: "oslo", question: "Weather in Oslo?", expect: { contains: ["Oslo"] } },
  { id: "paris", question: "Weather in Paris?", expect: { contains: ["Paris"] } },
  { id: "rome", question: "Weather in Rome?", expect: { contains: ["Rome"] } },
];
const dataset: Dataset = { name: "weather", file: "/lab/datasets/weather.jsonl", items };

function run(version: string, latencies: number[], answer: (item: Item) => string) {
  const results: ItemResult[] = items.map((item, i) => {
    const seen: Observation = {
      answer: answer(item),
      toolCalls: [],
      citations: [],
      passages: [],
      latencyMs: latencies[i] ?? 0,
      model: "lab-offline-mini",
    };
    const grades = grade(item, seen);
    return { item, seen, grades, pass: grades.every((g) => g.pass) };
  });
  return summarize(dataset, { name: "eval-weather", version }, results);
}

describe("writeReport", () => {
  it("gives the median latency once per run, not on every grader's row", () => {
    const result = run(
      "2",
      [120, 480, 310],
      (item) => `It is mild in ${item.id === "rome" ? "Rome" : "town"}.`,
    );
    expect(result.graders.length).toBeGreaterThan(1); // several grader rows, one latency figure
    const md = readFileSync(writeReport(tempDir("lab-eval-md-"), "emulator", result), "utf8");
    expect(md.match(/median latency/g)).toEqual(["median latency"]);
    expect(md).toContain("- median latency: 310 ms");
    expect(md).toContain("| grader | passed |\n| --- | --- |\n");
    expect(md).toContain("| answer contains | 1/3 |");
    // Each item still shows its own latency.
    expect(md).toMatch(/\| paris \| fail: answer contains: .* \| lab-offline-mini \| 480 ms \| {2}\|/);
  });

  it("with a comparison, each run's median once, side by side", () => {
    const before = run("1", [900, 700, 800], () => "No idea.");
    const after = run(
      "2",
      [100, 300, 200],
      (item) => `Sunny in ${item.id[0]?.toUpperCase()}${item.id.slice(1)}.`,
    );
    const md = readFileSync(writeReport(tempDir("lab-eval-md-"), "emulator", after, before), "utf8");
    expect(md).toContain("- median latency: 200 ms");
    expect(md).toContain("| median latency | 800 ms | 200 ms |");
    expect(md.match(/median latency/g)).toHaveLength(2);
    expect(md).toContain("| pass rate | 0% | 100% |");
  });
});
