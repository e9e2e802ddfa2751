/**
 * Holdout round 4 for file search and code interpreter: the retrieval and data-questions runners over
 * cases and files of their own (holdout-4-retrieval.*, holdout-4-data.*), written and scored before
 * any fix they prompted. Cases that still miss carry `known_miss` with the reason and are left out.
 */
import { runCorpus as runData } from "./data-questions.ts";
import { runCorpus as runRetrieval } from "./retrieval.ts";

export async function runCorpus() {
  return [
    ...(await runRetrieval({ corpus: "holdout-4-retrieval" })),
    ...(await runData({ corpus: "holdout-4-data" })),
  ];
}
