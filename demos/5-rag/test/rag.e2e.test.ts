/**
 * Demo 5 end to end, as a learner runs it: `pnpm 5-rag` and `pnpm 5-rag:reset` as child processes with
 * piped stdin against a fresh emulator; the SDK checks what they left behind. Bad documents and a
 * vector store deleted behind the demo's back each get one sentence, and the state stays usable.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  live,
  repoRoot,
  run,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.close();
});

const agentName = () => `rag-test-${Math.random().toString(36).slice(2, 8)}`;

interface Saved {
  agent?: { name: string; version: string };
  knowledge?: { vectorStoreId: string; fileId: string; fileName: string; sha256: string };
}

function savedState(env: NodeJS.ProcessEnv): Saved {
  const file = path.join(env.LAB_STATE_DIR ?? "", "5-rag.lab-state.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { projects: Record<string, Saved> };
  return Object.values(parsed.projects)[0] ?? {};
}

async function statusOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    const e = err as { status?: number; statusCode?: number };
    return e.status ?? e.statusCode ?? -1;
  }
}

/** Vector stores this agent's runs made (named after the agent), as the service lists them. */
async function storesOf(name: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const store of backend.openai.vectorStores.list()) {
    if (store.name === `${name}-knowledge`) ids.push(store.id);
  }
  return ids;
}

describe("pnpm 5-rag", () => {
  it("indexes the handbook, answers with cited sections, reuses the store, and reset removes everything", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    const first = await runLab(["5-rag"], {
      env,
      input: ["How many days of paid annual leave do I get?", "Can I accept a gift from a supplier?"],
    });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Indexed employee-handbook\.md into vector store vs_\w+/);
    expect(first.stdout).toContain(`Created agent ${env.AGENT_NAME} version 1 with file search`);
    if (!live) {
      // The marker sits right after the cited text, and the footnote names the file, section and passage.
      expect(first.stdout).toMatch(/27 days of paid annual leave[^\n]*\[\d\]/);
      expect(first.stdout).toMatch(
        /\[\d\] employee-handbook\.md · § 2\.2 Annual leave — "Full-time employees receive 27 days/,
      );
      expect(first.stdout).toMatch(
        /\[1\] employee-handbook\.md · § 8\.3 Gifts and hospitality — "You may accept small gifts/,
      );
    }
    const state = savedState(env);
    expect(state.knowledge?.fileName).toBe("employee-handbook.md");
    const store = await backend.openai.vectorStores.retrieve(state.knowledge?.vectorStoreId ?? "");
    expect(store.metadata).toMatchObject({ created_by: "foundry-agent-lab", demo: "5-rag" });
    expect(store.expires_after).toEqual({ anchor: "last_active_at", days: 7 });
    const agent = await backend.project.agents.get(env.AGENT_NAME);
    expect(agent.versions.latest.definition).toMatchObject({
      tools: [{ type: "file_search", vector_store_ids: [store.id] }],
    });

    const again = await runLab(["5-rag"], { env, input: ["Is alcohol reimbursed?"] });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `Vector store ${store.id} already holds employee-handbook.md; reusing it.`,
    );
    expect(again.stdout).toContain(`Agent ${env.AGENT_NAME} version 1 is unchanged`);
    expect(await storesOf(env.AGENT_NAME)).toEqual([store.id]);

    const reset = await runLab(["5-rag:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`vector store ${store.id}: deleted`);
    expect(reset.stdout).toContain(`file ${state.knowledge?.fileId} (employee-handbook.md): deleted`);
    expect(await statusOf(backend.project.agents.get(env.AGENT_NAME))).toBe(404);
    expect(await statusOf(backend.openai.vectorStores.retrieve(store.id))).toBe(404);
    expect(await statusOf(backend.openai.files.retrieve(state.knowledge?.fileId ?? ""))).toBe(404);
    expect(await storesOf(env.AGENT_NAME)).toEqual([]);
    const twice = await runLab(["5-rag:reset"], { env });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain("Demo 5 is reset.");
  });

  it("a changed document replaces the store; a store deleted elsewhere is noticed and remade", async () => {
    const dir = tempDir("lab-rag-doc-");
    const doc = path.join(dir, "policy.md");
    writeFileSync(
      doc,
      "# Policy\n\n## Bicycles\n\nBicycles are parked in the courtyard rack, never in corridors.\n",
    );
    const env = { ...backend.env, AGENT_NAME: agentName(), RAG_DOCUMENT: doc };
    expect((await runLab(["5-rag"], { env })).code).toBe(0);
    const firstStore = savedState(env).knowledge?.vectorStoreId ?? "";

    writeFileSync(
      doc,
      "# Policy\n\n## Bicycles\n\nBicycles are parked in the basement garage from now on.\n",
    );
    const changed = await runLab(["5-rag"], { env, input: ["Where are bicycles parked?"] });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain(
      `policy.md changed since it was indexed; replacing vector store ${firstStore}.`,
    );
    expect(changed.stdout).toContain("basement garage");
    const secondStore = savedState(env).knowledge?.vectorStoreId ?? "";
    expect(secondStore).not.toBe(firstStore);
    expect(await storesOf(env.AGENT_NAME)).toEqual([secondStore]);

    await backend.openai.vectorStores.delete(secondStore);
    const chatAlone = await run(path.join(repoRoot, "demos/5-rag/src/chat.ts"), [], { env, input: ["hi"] });
    expect(chatAlone.code).toBe(1);
    expect(chatAlone.stderr).toContain(
      `The vector store ${secondStore} this agent searches no longer exists`,
    );
    const repaired = await runLab(["5-rag"], { env, input: ["Where are bicycles parked?"] });
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain(`The vector store ${secondStore} recorded for this demo is gone`);
    expect(repaired.stdout).toContain("basement garage");
    expect(savedState(env).knowledge?.vectorStoreId).not.toBe(secondStore);
    await runLab(["5-rag:reset"], { env });
    expect(await storesOf(env.AGENT_NAME)).toEqual([]);
  });
});

describe.skipIf(live)("demo 5 across an emulator restart", () => {
  it("create-agent in one process, chat in the next (a new embedded emulator): the same store answers", async () => {
    const env = {
      LAB_STATE_DIR: tempDir("lab-state-"),
      EMULATOR_DATA_DIR: tempDir("lab-emulator-"),
      EMULATOR_STREAM_DELAY_MS: "0",
      AGENT_NAME: agentName(),
    };
    const created = await runLab(["5-rag"], { env });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/backend: emulator \(embedded\)/);
    const store = savedState(env).knowledge?.vectorStoreId;
    const chat = await run(path.join(repoRoot, "demos/5-rag/src/chat.ts"), [], {
      env,
      input: ["How much is the referral bonus?"],
    });
    expect(chat.stderr).toBe("");
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain(`vector store ${store}`);
    expect(chat.stdout).toContain("2,000 euros");
    expect(chat.stdout).toMatch(/\[1\] employee-handbook\.md · § 7\.5 Employee referral bonus/);
  });
});

describe.skipIf(live)("demo 5 with bad documents", () => {
  const cases = [
    { name: "empty.md", content: Buffer.alloc(0), sentence: /empty\.md is empty: put some text in it/ },
    {
      name: "scan.md",
      content: Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3, 0xff, 0xfe]),
      sentence:
        /scan\.md could not be indexed for file search \(unsupported_file\): scan\.md is a binary file/,
    },
    {
      name: "huge.txt",
      content: Buffer.alloc(20 * 1024 * 1024 + 1, 97),
      sentence: /huge\.txt is too large to upload \(.*20 MB.*\); split it into smaller files/,
    },
  ];
  for (const bad of cases) {
    it(`${bad.name}: one sentence, exit 1, nothing left behind, and the saved state still works`, async () => {
      const env = { ...backend.env, AGENT_NAME: agentName() };
      expect((await runLab(["5-rag"], { env })).code).toBe(0);
      const good = savedState(env);
      const file = path.join(tempDir("lab-rag-bad-"), bad.name);
      writeFileSync(file, bad.content);
      const result = await runLab(["5-rag"], { env: { ...env, RAG_DOCUMENT: file }, input: ["hi"] });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(bad.sentence);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stdout).toContain(`RAG_DOCUMENT now names ${bad.name}, not employee-handbook.md;`);
      // The refused document left no store behind and the working one in place, still recorded.
      expect(savedState(env)).toEqual(good);
      expect(await storesOf(env.AGENT_NAME)).toEqual([good.knowledge?.vectorStoreId]);
      const recovered = await runLab(["5-rag"], { env, input: ["How long must my password be?"] });
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toContain("already holds employee-handbook.md; reusing it.");
      expect(recovered.stdout).toContain("at least 14 characters");
      await runLab(["5-rag:reset"], { env });
    });
  }

  it("a relative RAG_DOCUMENT means a file where the user wrote it: the folder typed in, or the .env's folder", async () => {
    const here = tempDir("lab-rag-here-");
    writeFileSync(
      path.join(here, "notes.md"),
      "# Notes\n\n## Parking\n\nVisitors park on level 2 of the garage.\n",
    );
    // pnpm runs the script from the repository root and keeps the folder the command was typed in as INIT_CWD.
    const typed = await runLab(["5-rag"], {
      env: { ...backend.env, AGENT_NAME: agentName(), RAG_DOCUMENT: "notes.md", INIT_CWD: here },
      input: ["Where do visitors park?"],
    });
    expect(typed.code).toBe(0);
    expect(typed.stdout).toContain("Indexed notes.md");
    expect(typed.stdout).toContain("level 2 of the garage");
    // From the root: README.md is the root's README, not demos/5-rag/README.md.
    const fromRoot = await runLab(["5-rag"], {
      env: { ...backend.env, AGENT_NAME: agentName(), RAG_DOCUMENT: "README.md", INIT_CWD: repoRoot },
    });
    expect(fromRoot.stdout).toContain(`Indexed README.md into vector store vs_`);
    expect(fromRoot.stdout).toContain(`(${readFileSync(path.join(repoRoot, "README.md")).length} bytes)`);
    // In a .env file: next to that file.
    writeFileSync(path.join(here, ".env"), "RAG_DOCUMENT=notes.md\n");
    const fromEnvFile = await runLab(["5-rag"], {
      env: {
        ...backend.env,
        AGENT_NAME: agentName(),
        LAB_ROOT_ENV: path.join(here, ".env"),
        INIT_CWD: repoRoot,
      },
    });
    expect(fromEnvFile.code).toBe(0);
    expect(fromEnvFile.stdout).toContain("Indexed notes.md");
  });

  it("a folder or a missing path: one sentence naming RAG_DOCUMENT, exit 2, before anything is uploaded", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    const folder = tempDir("lab-rag-folder-");
    for (const [document, what] of [
      [folder, "is not a file"],
      [path.join(folder, "missing.md"), "does not exist"],
    ]) {
      const result = await runLab(["5-rag"], { env: { ...env, RAG_DOCUMENT: document }, input: ["hi"] });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `✖ RAG_DOCUMENT points at ${document}, which ${what}: set it to a text or Markdown file.`,
      );
    }
    expect(await storesOf(env.AGENT_NAME)).toEqual([]);
  });
});
