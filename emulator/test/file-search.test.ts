/**
 * Files, vector stores and file search through the real openai SDK: multipart upload, uploadAndPoll
 * (which must see `in_progress` and honour `openai-poll-after-ms`), search, the file_search tool in
 * responses (JSON and SSE), the bad inputs, deletes, and a restart that keeps the index.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksOf } from "../src/retrieval/blocks.ts";
import { chunkDocument } from "../src/retrieval/chunking.ts";
import { quotesFor } from "../src/retrieval/fts.ts";
import { type Lab, promptAgent, raw, startLab, tempDir } from "./support.ts";

const GUIDE = `# Field guide

Welcome to the field guide. It explains how the team travels, claims money and stays safe.

## Travel

### Booking flights

Book flights through the travel portal at least fourteen days ahead. Economy class is the default for
flights under six hours; business class needs a director's approval.

### Hotels

Hotels are reimbursed up to 180 euros a night in capitals and 130 euros elsewhere, breakfast included.

## Expenses

### Meals

Meals on business trips are covered up to 60 euros a day. Alcohol is never reimbursed.

### Claims

Submit expense claims within thirty days with itemised receipts attached in the expenses app.
`;

let lab: Lab;
const agentBody = (name: string) => ({ agent_reference: { type: "agent_reference" as const, name } });

beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab.close());

async function storeWithGuide(name = "guide") {
  const store = await lab.openai.vectorStores.create({
    name,
    metadata: { created_by: "foundry-agent-lab", demo: "test" },
    expires_after: { anchor: "last_active_at", days: 7 },
  });
  const file = await lab.openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(GUIDE), "field-guide.md"),
  );
  return { store, file };
}

describe("files", () => {
  it("uploads multipart, retrieves, lists, downloads and deletes", async () => {
    const file = await lab.openai.files.create({
      file: await toFile(Buffer.from("hello file"), "hello.txt"),
      purpose: "assistants",
    });
    expect(file).toMatchObject({ object: "file", bytes: 10, filename: "hello.txt", purpose: "assistants" });
    expect(file.id).toMatch(/^file_/);
    expect(await lab.openai.files.retrieve(file.id)).toEqual(file);
    const listed = [];
    for await (const f of lab.openai.files.list({ purpose: "assistants" })) listed.push(f.id);
    expect(listed).toContain(file.id);
    const content = await lab.openai.files.content(file.id);
    expect(await content.text()).toBe("hello file");
    expect(await lab.openai.files.delete(file.id)).toEqual({ id: file.id, object: "file", deleted: true });
    await expect(lab.openai.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an empty file and a file over 20 MB with a 400 that says why", async () => {
    await expect(
      lab.openai.files.create({ file: await toFile(Buffer.alloc(0), "empty.md"), purpose: "assistants" }),
    ).rejects.toMatchObject({ status: 400, error: { code: "empty_file" } });
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 97);
    await expect(
      lab.openai.files.create({ file: await toFile(big, "big.txt"), purpose: "assistants" }),
    ).rejects.toMatchObject({ status: 400, error: { code: "file_too_large" } });
  });
});

describe("vector stores", () => {
  it("create with metadata and expiry; uploadAndPoll waits for indexing; counts and usage follow", async () => {
    const { store, file } = await storeWithGuide();
    expect(store).toMatchObject({
      object: "vector_store",
      name: "guide",
      metadata: { created_by: "foundry-agent-lab", demo: "test" },
      expires_after: { anchor: "last_active_at", days: 7 },
    });
    expect(store.id).toMatch(/^vs_/);
    expect(store.expires_at).toBe((store.last_active_at ?? 0) + 7 * 86_400);
    expect(file).toMatchObject({ object: "vector_store.file", status: "completed", last_error: null });
    expect(file.usage_bytes).toBe(Buffer.byteLength(GUIDE));
    const again = await lab.openai.vectorStores.retrieve(store.id);
    expect(again.status).toBe("completed");
    expect(again.file_counts).toMatchObject({ completed: 1, total: 1, in_progress: 0 });
    const files = [];
    for await (const f of lab.openai.vectorStores.files.list(store.id)) files.push(f.id);
    expect(files).toEqual([file.id]);
    const stores = [];
    for await (const s of lab.openai.vectorStores.list()) stores.push(s.id);
    expect(stores).toContain(store.id);
  });

  it("a new attachment is in_progress with openai-poll-after-ms until it is indexed", async () => {
    const store = await lab.openai.vectorStores.create({ name: "poll" });
    const uploaded = await lab.openai.files.create({
      file: await toFile(Buffer.from(GUIDE), "g.md"),
      purpose: "assistants",
    });
    const attached = await lab.openai.vectorStores.files.create(store.id, { file_id: uploaded.id });
    expect(attached.status).toBe("in_progress");
    const first = await raw(lab, "GET", `/openai/v1/vector_stores/${store.id}/files/${uploaded.id}`);
    expect(first.json).toMatchObject({ status: "in_progress" });
    expect(first.headers.get("openai-poll-after-ms")).toMatch(/^\d+$/);
    const done = await lab.openai.vectorStores.files.poll(store.id, uploaded.id);
    expect(done.status).toBe("completed");
  });

  it("search ranks the section that answers the question first", async () => {
    const { store } = await storeWithGuide("search");
    const page = await lab.openai.vectorStores.search(store.id, {
      query: "How much can I spend on a hotel?",
    });
    const [best] = page.data;
    expect(best?.filename).toBe("field-guide.md");
    expect(best?.content[0]?.text).toContain("### Hotels");
    expect(best?.score).toBeGreaterThan(0);
    expect(best?.score).toBeLessThanOrEqual(1);
    const meals = await lab.openai.vectorStores.search(store.id, {
      query: "is alcohol reimbursed",
      max_num_results: 1,
    });
    expect(meals.data).toHaveLength(1);
    expect(meals.data[0]?.content[0]?.text).toContain("Alcohol is never reimbursed");
  });

  it("a binary file fails indexing with last_error; an unknown store is a 404", async () => {
    const store = await lab.openai.vectorStores.create({ name: "bad" });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const failed = await lab.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(png, "notes.txt"),
    );
    expect(failed.status).toBe("failed");
    expect(failed.last_error).toMatchObject({ code: "unsupported_file" });
    expect(failed.last_error?.message).toContain("binary");
    const counts = (await lab.openai.vectorStores.retrieve(store.id)).file_counts;
    expect(counts).toMatchObject({ failed: 1, completed: 0 });
    await expect(lab.openai.vectorStores.retrieve("vs_0000")).rejects.toMatchObject({ status: 404 });
    await expect(
      lab.openai.vectorStores.files.create("vs_0000", { file_id: "file_x" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("deleting a file takes it out of the store; deleting the store is final", async () => {
    const { store, file } = await storeWithGuide("deletes");
    await lab.openai.files.delete(file.id);
    const page = await lab.openai.vectorStores.search(store.id, { query: "hotel" });
    expect(page.data).toEqual([]);
    expect(await lab.openai.vectorStores.delete(store.id)).toEqual({
      id: store.id,
      object: "vector_store.deleted",
      deleted: true,
    });
    await expect(lab.openai.vectorStores.retrieve(store.id)).rejects.toMatchObject({ status: 404 });
    await expect(lab.openai.vectorStores.delete(store.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("the file_search tool in responses", () => {
  it("emits file_search_call, quotes the passage and cites the file; results only with include", async () => {
    const { store, file } = await storeWithGuide("tool");
    await lab.project.agents.createVersion("fs-agent", {
      ...promptAgent(),
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    const plain = await lab.openai.responses.create(
      { input: "What is the hotel limit in capitals?" },
      { body: agentBody("fs-agent") },
    );
    const [call, message] = plain.output;
    expect(call).toMatchObject({
      type: "file_search_call",
      status: "completed",
      queries: ["What is the hotel limit in capitals?"],
      results: null,
    });
    expect(plain.output_text).toContain("180 euros a night in capitals");
    expect(plain.output_text).toContain("offline lab model");
    const part = message?.type === "message" ? message.content[0] : undefined;
    const annotations = part?.type === "output_text" ? part.annotations : [];
    expect(annotations[0]).toMatchObject({
      type: "file_citation",
      file_id: file.id,
      filename: "field-guide.md",
    });
    const index = (annotations[0] as { index: number }).index;
    expect(plain.output_text.slice(0, index)).toMatch(/180 euros[^\n]*$/);

    const withResults = await lab.openai.responses.create(
      { input: "When must expense claims be submitted?", include: ["file_search_call.results"] },
      { body: agentBody("fs-agent") },
    );
    const fsCall = withResults.output[0];
    expect(fsCall?.type === "file_search_call" && fsCall.results?.[0]).toMatchObject({
      file_id: file.id,
      filename: "field-guide.md",
      text: expect.stringContaining("within thirty days"),
    });
  });

  it("streams file_search_call events, then text with annotation.added after the cited text", async () => {
    const { store } = await storeWithGuide("stream");
    await lab.project.agents.createVersion("fs-stream", {
      ...promptAgent(),
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    const stream = await lab.openai.responses.create(
      { input: "Which class is the default for flights?", stream: true },
      { body: agentBody("fs-stream") },
    );
    const types: string[] = [];
    let text = "";
    let citedAt = -1;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.output_text.annotation.added") citedAt = text.length;
    }
    const order = [
      "response.file_search_call.in_progress",
      "response.file_search_call.searching",
      "response.file_search_call.completed",
      "response.output_text.annotation.added",
      "response.completed",
    ].map((t) => types.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text.slice(0, citedAt)).toContain("Economy class is the default");
    // The helper accumulates the same response, citations included.
    const helper = lab.openai.responses.stream(
      { input: "Which class is the default for flights?" },
      { body: agentBody("fs-stream") },
    );
    const final = await helper.finalResponse();
    const msg = final.output.find((o) => o.type === "message");
    const content = msg?.type === "message" ? msg.content[0] : undefined;
    expect(content?.type === "output_text" && content.annotations.length).toBeGreaterThan(0);
  });

  it("a vector store deleted elsewhere is a 404 naming it; the index survives a restart", async () => {
    const dataDir = tempDir();
    const first = await startLab({ dataDir });
    const store = await first.openai.vectorStores.create({ name: "restart" });
    await first.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(GUIDE), "guide.md"),
    );
    await first.project.agents.createVersion("fs-restart", {
      ...promptAgent(),
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    await first.close();
    const second = await startLab({ dataDir });
    try {
      const answer = await second.openai.responses.create(
        { input: "Is alcohol reimbursed with meals?" },
        { body: agentBody("fs-restart") },
      );
      expect(answer.output_text).toContain("Alcohol is never reimbursed");
      await second.openai.vectorStores.delete(store.id);
      await expect(
        second.openai.responses.create({ input: "Hotels?" }, { body: agentBody("fs-restart") }),
      ).rejects.toMatchObject({ status: 404, error: { message: expect.stringContaining(store.id) } });
    } finally {
      await second.close();
    }
  });
});

describe("file search over documents laid out another way (issue 11)", () => {
  it("quotes the sentence under a heading that has no blank line after it, and cites it", async () => {
    const store = await lab.openai.vectorStores.create({ name: "tight-headings" });
    const doc =
      "# Kitchen rules\n## Fridge\nThe fridge is emptied every Friday at 16:00.\n## Coffee\nThe coffee machine is descaled on Mondays.\n";
    const file = await lab.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(doc), "kitchen.md"),
    );
    const answer = await lab.openai.responses.create({
      model: "model-router",
      input: "When is the fridge emptied?",
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    expect(answer.output_text).toMatch(/\n- The fridge is emptied every Friday at 16:00\.$/);
    const message = answer.output.find((o) => o.type === "message");
    const part = message?.type === "message" ? message.content[0] : undefined;
    expect(part?.type === "output_text" && part.annotations).toEqual([
      { type: "file_citation", file_id: file.id, filename: "kitchen.md", index: answer.output_text.length },
    ]);
    const search = await lab.openai.vectorStores.search(store.id, { query: "coffee machine" });
    expect(search.data[0]?.content[0]?.text).toBe("## Coffee\nThe coffee machine is descaled on Mondays.");
  });

  it("says the documents do not cover a question none of their passages speaks about, and quotes nothing", async () => {
    const { store } = await storeWithGuide("uncovered");
    const answer = await lab.openai.responses.create({
      model: "model-router",
      input: "What is the dress code for hotels?",
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
      include: ["file_search_call.results"],
    });
    expect(answer.output_text).toContain(
      'The attached documents do not cover "What is the dress code for hotels?"',
    );
    expect(answer.output_text).toContain('No passage mentions "dress" or "code"');
    expect(answer.output_text).not.toContain("180 euros");
    const call = answer.output[0];
    // The search still ran and found the hotel passage; the model just has nothing to quote from it.
    expect(call?.type === "file_search_call" && call.results?.length).toBeGreaterThan(0);
    const message = answer.output.find((o) => o.type === "message");
    expect(
      message?.type === "message" &&
        message.content[0]?.type === "output_text" &&
        message.content[0].annotations,
    ).toEqual([]);
  });

  it("searches again with related words when the question's own word is in no passage, and lists both queries", async () => {
    const store = await lab.openai.vectorStores.create({ name: "rewrite" });
    const doc = "# Travel\nFlights under 2 hours are not allowed unless no train connection exists.\n";
    await lab.openai.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(doc), "travel.md"));
    const answer = await lab.openai.responses.create({
      model: "model-router",
      input: "Can I fly?",
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    expect(answer.output_text).toContain("- Flights under 2 hours are not allowed");
    const call = answer.output[0];
    expect(call?.type === "file_search_call" && call.queries).toEqual([
      "Can I fly?",
      expect.stringMatching(/^Can I fly\? .*\bflights\b/),
    ]);
  });

  it("still answers every question of demo 5's handbook set (none is refused as not covered)", async () => {
    const root = path.resolve(import.meta.dirname, "../../demos/5-rag");
    const questions = JSON.parse(readFileSync(path.join(root, "test/handbook-questions.json"), "utf8")) as {
      question: string;
    }[];
    const store = await lab.openai.vectorStores.create({ name: "handbook" });
    await lab.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(readFileSync(path.join(root, "data/employee-handbook.md")), "employee-handbook.md"),
    );
    const refused: string[] = [];
    for (const { question } of questions) {
      const answer = await lab.openai.responses.create({
        model: "model-router",
        input: question,
        tools: [{ type: "file_search", vector_store_ids: [store.id] }],
      });
      if (!answer.output_text.includes("\n- ")) refused.push(question);
    }
    expect(refused).toEqual([]);
    // A country the handbook never names is the user's detail: "Working from abroad" still answers it.
    const abroad = await lab.openai.responses.create({
      model: "model-router",
      input: "Can I work from Spain for a month?",
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });
    expect(abroad.output_text).toContain("You may work from another country for up to 20 working days");
  });

  it("answers every question of the retrieval corpus as expected", { timeout: 60_000 }, async () => {
    const { runCorpus } = await import("./corpus/retrieval.ts");
    const [result] = await runCorpus();
    expect(result?.total).toBeGreaterThanOrEqual(40);
    expect(result?.failures).toEqual([]);
  });

  it("answers them from the documents when the agent also has a code interpreter with CSVs on the same subjects", {
    timeout: 60_000,
  }, async () => {
    const { runCorpus } = await import("./corpus/retrieval.ts");
    const [result] = await runCorpus({ data: true });
    expect(result?.failures).toEqual([]);
  });
});

describe("document structure (retrieval/blocks.ts)", () => {
  const kinds = (text: string) =>
    blocksOf(text).map((b) => (b.kind === "heading" ? `h${b.level}:${b.title}` : b.kind));

  it("finds headings of every kind, with or without a blank line after them", () => {
    expect(kinds("# A\ntext\n## B\nmore")).toEqual(["h1:A", "paragraph", "h2:B", "paragraph"]);
    expect(kinds("Title\n=====\nintro\n\nPart\n----\nbody")).toEqual([
      "h1:Title",
      "paragraph",
      "h2:Part",
      "paragraph",
    ]);
    expect(kinds("**Battery**\nTwo cells.")).toEqual(["h6:Battery", "paragraph"]);
    // Plain text: short title lines, numbered or ending in a colon.
    expect(
      kinds("RUNBOOK\n\nPriorities:\nP1 is an outage.\n\n2.1 Closing tickets\nClose after 7 days."),
    ).toEqual(["h2:RUNBOOK", "h3:Priorities", "paragraph", "h2:2.1 Closing tickets", "paragraph"]);
    // A short line in a Markdown file is text, not a title; a list item is an item.
    expect(kinds("# A\n\nNote\nthis\n\n- one\n- two")).toEqual(["h1:A", "paragraph", "item", "item"]);
  });

  it("reads pipe tables and space-aligned tables; quotes a row with its column names, by its own cells", () => {
    const pipes = "| City | Stock |\n|---|---|\n| Oslo | 12 |\n| Bergen | 7 |";
    expect(blocksOf(pipes)).toMatchObject([
      {
        kind: "table",
        header: ["City", "Stock"],
        rows: [
          ["Oslo", "12"],
          ["Bergen", "7"],
        ],
      },
    ]);
    const spaced = "Country   Allowance\nFrance    32 EUR\nGermany   28 EUR";
    expect(blocksOf(spaced)).toMatchObject([
      {
        kind: "table",
        rows: [
          ["France", "32 EUR"],
          ["Germany", "28 EUR"],
        ],
      },
    ]);
    expect(quotesFor(spaced, "What is the allowance in France?").map((q) => q.sentence)).toEqual([
      "Country: France; Allowance: 32 EUR",
    ]);
  });

  it("keeps passages verbatim, skips front matter and thematic breaks, and quotes a sentence with the one that continues it", () => {
    const doc =
      "---\ntitle: x\n---\n# Returns\nShipping is free for damaged items. Otherwise a fee of 4.95 euros applies.\n\n***\n";
    for (const chunk of chunkDocument(doc)) expect(doc).toContain(chunk.text);
    expect(blocksOf(doc).map((b) => b.kind)).toEqual(["code", "heading", "paragraph"]);
    expect(quotesFor(doc, "Is shipping free?").map((q) => q.sentence)).toEqual([
      "Shipping is free for damaged items.",
      "Otherwise a fee of 4.95 euros applies.",
    ]);
  });
});
