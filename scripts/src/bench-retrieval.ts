/**
 * `pnpm bench`, demos 3 and 5: file search on the emulator. Ingestion (upload + index, as
 * `uploadAndPoll` sees it) for the handbook and for a generated 5 MB corpus; file-search turn latency
 * over that corpus against a plain turn in the same run; and retrieval quality on the handbook question
 * set (hit rate at 3 and mean reciprocal rank), through the real SDK.
 */
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { startEmulator } from "@lab/emulator/server";
import { agentReference } from "@lab/shared/agents";
import { repoRoot } from "@lab/shared/config";
import { stats } from "./bench-kit.ts";
import { markdownTable } from "./table.ts";

const TURNS = Number(process.env.BENCH_SEARCH_TURNS ?? 40);
const CORPUS_BYTES = 5 * 1024 * 1024;

/** A deterministic 5 MB Markdown corpus: sections of sentences over a 2,000-word vocabulary. */
function generateCorpus(file: string): string[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const syllables = ["ka", "lo", "mi", "ren", "tus", "va", "do", "qui", "sel", "mar", "ten", "bri"];
  const vocabulary = Array.from({ length: 2000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * 12)]).join(""),
  );
  const word = () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)] ?? "lo";
  const parts: string[] = ["# Generated corpus\n"];
  let size = 0;
  for (let s = 0; size < CORPUS_BYTES; s++) {
    const sentences = Array.from({ length: 8 }, () => `${Array.from({ length: 14 }, word).join(" ")}.`);
    const section = `\n## Section ${s}: ${word()} ${word()}\n\n${sentences.join(" ")}\n`;
    parts.push(section);
    size += section.length;
  }
  writeFileSync(file, parts.join(""));
  return Array.from({ length: TURNS }, () => `What about ${word()} and ${word()} ${word()}?`);
}

export async function benchRetrieval(work: string): Promise<void> {
  const emulator = await startEmulator({ dataDir: path.join(work, "emulator"), streamDelayMs: 0 });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  const project = new AIProjectClient(emulator.endpoint, {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const openai = project.getOpenAIClient();
  const lines: string[][] = [];
  const ms = (n: number) => n.toFixed(1);

  const ingest = async (file: string) => {
    const started = performance.now();
    const store = await openai.vectorStores.create({ name: path.basename(file) });
    const done = await openai.vectorStores.files.uploadAndPoll(store.id, createReadStream(file));
    if (done.status !== "completed") throw new Error(`bench: ${file} was not indexed (${done.status})`);
    return { store: store.id, ms: performance.now() - started };
  };
  const handbook = path.join(repoRoot, "demos", "5-rag", "data", "employee-handbook.md");
  const handbookRuns = [];
  for (let i = 0; i < 3; i++) handbookRuns.push(await ingest(handbook));
  lines.push([
    "ingest handbook (19 KB, uploadAndPoll)",
    ms(stats(handbookRuns.map((r) => r.ms)).median),
    "",
    "3 runs",
  ]);

  const corpusFile = path.join(work, "corpus-5mb.md");
  const questions = generateCorpus(corpusFile);
  const corpus = await ingest(corpusFile);
  lines.push(["ingest generated corpus (5 MB, uploadAndPoll)", ms(corpus.ms), "", "1 run"]);

  // The same turn with and without file search over the 5 MB store.
  const plain = await project.agents.createVersion("bench-plain", { kind: "prompt", model: "model-router" });
  const searching = await project.agents.createVersion("bench-search", {
    kind: "prompt",
    model: "model-router",
    tools: [{ type: "file_search", vector_store_ids: [corpus.store] }],
  });
  const turn = async (agent: { name: string; version: string }, input: string) => {
    const t = performance.now();
    await openai.responses.create({ input }, { body: agentReference(agent) });
    return performance.now() - t;
  };
  await turn(plain, "warm up");
  await turn(searching, questions[0] ?? "");
  const plainTimes: number[] = [];
  const searchTimes: number[] = [];
  for (const question of questions) {
    plainTimes.push(await turn(plain, question));
    searchTimes.push(await turn(searching, question));
  }
  const base = stats(plainTimes);
  const fs = stats(searchTimes);
  lines.push(["plain turn (baseline)", ms(base.median), ms(base.p95), "1.0×"]);
  lines.push([
    "file-search turn over the 5 MB corpus",
    ms(fs.median),
    ms(fs.p95),
    `${(fs.median / base.median).toFixed(1)}×`,
  ]);

  // Retrieval quality on the handbook question set, through vectorStores.search.
  const set = JSON.parse(
    readFileSync(path.join(repoRoot, "demos", "5-rag", "test", "handbook-questions.json"), "utf8"),
  ) as { question: string; section: string }[];
  const store = handbookRuns[0]?.store ?? "";
  let hits = 0;
  let reciprocal = 0;
  for (const { question, section } of set) {
    const page = await openai.vectorStores.search(store, { query: question, max_num_results: 10 });
    const rank = page.data.findIndex((r) => r.content.some((c) => c.text.includes(`### ${section}`)));
    if (rank >= 0 && rank < 3) hits++;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  await emulator.close();

  console.log(`\nFile search on the emulator (SQLite FTS5, BM25; ${TURNS} turns each):\n`);
  const header = ["measurement", "median ms", "p95 ms", "ratio / note"];
  console.log(markdownTable(header, lines));
  console.log(
    `\nRetrieval quality, ${set.length} handbook questions: hit rate at 3 = ${((100 * hits) / set.length).toFixed(1)}%, MRR = ${(reciprocal / set.length).toFixed(3)}`,
  );
}
