/**
 * `pnpm reset:all` after a few demos ran against one emulator: every demo's recorded resources go, tagged
 * leftovers that no state file remembers are swept, untagged ones survive, and --dry-run deletes nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labMetadata } from "../../shared/src/metadata.ts";
import { runLab, startBackend, type TestBackend } from "../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.close();
});

const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    (err: { status?: number; statusCode?: number }) => {
      if ((err.status ?? err.statusCode) === 404) return false;
      throw err;
    },
  );

async function agentNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const a of backend.project.agents.list()) names.push(a.name);
  return names.sort();
}

async function storeIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of backend.openai.vectorStores.list()) ids.push(s.id);
  return ids;
}

function recordedConversations(): string[] {
  const dir = backend.env.LAB_STATE_DIR ?? "";
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lab-state.json"))
    .flatMap((f) => {
      const file = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as {
        projects: Record<string, { conversations?: string[] }>;
      };
      return Object.values(file.projects).flatMap((p) => p.conversations ?? []);
    });
}

describe("pnpm reset:all", () => {
  it("dry-run lists exactly what would go; the run deletes it and the tagged orphans, never the untagged", async () => {
    const env = backend.env;
    for (const [demo, line] of [
      ["0-hello", "My name is Ada."],
      ["1-tools", "hello"],
      ["3-websearch", "hello"],
      ["5-rag", "How many vacation days do I get?"],
    ] as const) {
      const run = await runLab([demo], { env, input: [line] });
      expect(run.code, `${demo}: ${run.stderr}`).toBe(0);
    }
    const conversations = recordedConversations();
    expect(conversations).toHaveLength(4);

    // A tagged orphan (its state file lost) and things the lab did not make.
    const { project, openai } = backend;
    await project.agents.createVersion(
      "orphan-agent",
      { kind: "prompt", model: "model-router" },
      { metadata: labMetadata("0-hello") },
    );
    await project.agents.createVersion(
      "someone-elses-agent",
      { kind: "prompt", model: "model-router" },
      { metadata: { owner: "team-x" } },
    );
    const orphanFile = await openai.files.create({
      file: await toFile(Buffer.from("# Orphan\n\nLeft behind."), "orphan.md"),
      purpose: "assistants",
    });
    const orphanStore = await openai.vectorStores.create({
      name: "orphan",
      metadata: labMetadata("5-rag"),
      file_ids: [orphanFile.id],
    });
    const otherFile = await openai.files.create({
      file: await toFile(Buffer.from("# Theirs\n\nKeep me."), "theirs.md"),
      purpose: "assistants",
    });
    const otherStore = await openai.vectorStores.create({ name: "theirs", file_ids: [otherFile.id] });

    const agentsBefore = await agentNames();
    expect(agentsBefore).toEqual([
      "handbook-agent",
      "hello-agent",
      "orphan-agent",
      "someone-elses-agent",
      "weather-agent",
      "web-agent",
    ]);
    const storesBefore = await storeIds();
    expect(storesBefore).toHaveLength(3);

    const dry = await runLab(["reset:all", "--", "--dry-run"], { env });
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    for (const name of ["hello-agent", "weather-agent", "web-agent", "handbook-agent"])
      expect(dry.stdout).toMatch(new RegExp(`\\| agent ${name} +\\| would delete`));
    for (const id of conversations)
      expect(dry.stdout).toMatch(new RegExp(`conversation ${id} +\\| would delete`));
    expect(dry.stdout).toMatch(/\| agent +\| orphan-agent +\| would delete/);
    expect(dry.stdout).toMatch(new RegExp(`\\| vector store \\| ${orphanStore.id} +\\| would delete`));
    expect(dry.stdout).toMatch(new RegExp(`\\| file +\\| ${orphanFile.id} +\\| would delete`));
    expect(dry.stdout).not.toContain("someone-elses-agent");
    expect(dry.stdout).not.toContain(otherStore.id);
    expect(dry.stdout).toContain("Dry run finished: nothing was deleted.");
    // Nothing was deleted.
    expect(await agentNames()).toEqual(agentsBefore);
    expect(await storeIds()).toEqual(storesBefore);
    for (const id of conversations) expect(await exists(openai.conversations.retrieve(id))).toBe(true);

    const real = await runLab(["reset:all"], { env, timeoutMs: 90_000 });
    expect(real.stderr).toBe("");
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/\| 0-hello +\| agent hello-agent +\| deleted with all its versions/);
    expect(real.stdout).toMatch(/\| agent +\| orphan-agent +\| deleted/);
    expect(real.stdout).toContain("Everything the lab created in this project is deleted.");
    expect(await agentNames()).toEqual(["someone-elses-agent"]);
    expect(await storeIds()).toEqual([otherStore.id]);
    expect(await exists(openai.files.retrieve(orphanFile.id))).toBe(false);
    expect(await exists(openai.files.retrieve(otherFile.id))).toBe(true);
    for (const id of conversations) expect(await exists(openai.conversations.retrieve(id))).toBe(false);
    expect(recordedConversations()).toEqual([]);

    // Idempotent: a second run finds nothing and still exits 0.
    const again = await runLab(["reset:all"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/\| (deleted|would delete)/);
    expect(again.stdout).toMatch(/Tagged leftovers.*\n\nnone found/);
    expect(await agentNames()).toEqual(["someone-elses-agent"]);
  });

  it("refuses an unknown flag with one sentence (exit 2)", async () => {
    const bad = await runLab(["reset:all", "--", "--everything"], { env: backend.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("reset:all takes only --dry-run, not --everything");
  });
});
