/**
 * The lab model's corpus (test/corpus/*.jsonl, written for issue 11): every request, through the real
 * SDKs over HTTPS, must give its expected call, arguments or answer. A failure lists each case that
 * missed with what came back, so a regression names the request it broke.
 */
import { describe, expect, it } from "vitest";
import { type CorpusResult, runCorpus } from "./corpus/lab-model.ts";

describe("the lab model's corpus", () => {
  it("passes every case of tool choice, arguments, missing arguments, memory, general answers and holdout round 3", async () => {
    const results: CorpusResult[] = await runCorpus();
    expect(results.map((r) => r.skill)).toEqual([
      "tool-choice",
      "arguments",
      "missing-arguments",
      "memory",
      "general",
      "holdout-3",
    ]);
    expect(results.reduce((n, r) => n + r.total, 0)).toBeGreaterThanOrEqual(100);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
  }, 120_000);
});
