/**
 * Retrieval quality on the handbook: each question in handbook-questions.json names the section that
 * answers it; through the real SDK (`vectorStores.search`), that section must be among the top three
 * passages for at least 90% of the questions. The emulator's ranking is what is measured here (on Azure,
 * the service's own); `pnpm bench` prints the same hit rate and MRR.
 */
import { createReadStream, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBackend, type TestBackend } from "../../../shared/test/support.ts";

const dir = path.resolve(import.meta.dirname, "..");
const questions = JSON.parse(readFileSync(path.join(dir, "test", "handbook-questions.json"), "utf8")) as {
  question: string;
  section: string;
}[];

let backend: TestBackend;
let storeId = "";
beforeAll(async () => {
  backend = await startBackend();
  const store = await backend.openai.vectorStores.create({ name: "retrieval-quality" });
  storeId = store.id;
  const file = await backend.openai.vectorStores.files.uploadAndPoll(
    store.id,
    createReadStream(path.join(dir, "data", "employee-handbook.md")),
  );
  expect(file.status).toBe("completed");
});
afterAll(async () => {
  await backend.openai.vectorStores.delete(storeId).catch(() => undefined);
  await backend?.close();
});

it(`the answering section is in the top 3 for at least 90% of ${questions.length} handbook questions`, async () => {
  expect(questions.length).toBeGreaterThanOrEqual(25);
  const misses: string[] = [];
  for (const { question, section } of questions) {
    const page = await backend.openai.vectorStores.search(storeId, { query: question, max_num_results: 3 });
    const texts = page.data.map((result) => result.content.map((c) => c.text).join("\n"));
    if (!texts.some((text) => text.includes(`### ${section}`)))
      misses.push(`${question} (wanted ${section})`);
  }
  expect(misses.length / questions.length, `missed:\n${misses.join("\n")}`).toBeLessThanOrEqual(0.1);
});
