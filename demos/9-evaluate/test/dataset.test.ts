/**
 * Datasets: the shipped ones load, and a bad line stops the run with the file, the line and what to fix.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../shared/test/support.ts";
import { loadDataset } from "../src/dataset.ts";

const datasets = path.join(import.meta.dirname, "..", "datasets");
const write = (text: string) => {
  const file = path.join(tempDir("lab-dataset-"), "mine.jsonl");
  writeFileSync(file, text);
  return file;
};

describe("loadDataset", () => {
  it("loads the shipped datasets, each item with something to check", () => {
    for (const name of ["weather", "handbook"]) {
      const { items } = loadDataset(path.join(datasets, `${name}.jsonl`));
      expect(items.length).toBeGreaterThanOrEqual(5);
      for (const item of items) expect(Object.keys(item.expect).length).toBeGreaterThan(0);
    }
  });

  it("names the file and line of a bad item", () => {
    const ok = '{"id":"a","question":"Hi?","expect":{"contains":["x"]}}';
    expect(() => loadDataset(write(`${ok}\n{"id":"b","question":"Hi?"`))).toThrow(
      "mine.jsonl line 2 is not valid JSON: each line of a dataset is one JSON object.",
    );
    expect(() => loadDataset(write(`${ok}\n{"id":"b","question":"","expect":{}}`))).toThrow(
      'mine.jsonl line 2: "question" must be a non-empty string.',
    );
    expect(() => loadDataset(write(`${ok}\n${ok}`))).toThrow('mine.jsonl has two items with id "a".');
    expect(() => loadDataset(write('{"id":"c","question":"Hi?","expect":{"matches":"(["}}'))).toThrow(
      '"expect.matches" is not a valid regular expression',
    );
    expect(() => loadDataset(path.join(datasets, "nope.jsonl"))).toThrow("cannot be read");
  });
});
