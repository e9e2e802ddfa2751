/**
 * `pnpm reset:all` after a few demos ran against one emulator: every demo's recorded resources go, tagged
 * leftovers that no state file remembers are swept, untagged ones survive, and --dry-run deletes nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labMetadata } from "../../shared/src/metadata.ts";
import { runLab, startBackend, type TestBackend, tempDir } from "../../shared/test/support.ts";

let backend: TestBackend;
/** This machine's leftovers, in temp folders: MCP data, demo 4's charts, transcripts. */
let machine: { mcp: string; charts: string; transcripts: string };
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  backend = await startBackend();
  machine = { mcp: tempDir("lab-mcp-"), charts: tempDir("lab-charts-"), transcripts: tempDir("lab-tr-") };
  env = {
    ...backend.env,
    LAB_MCP_DATA_DIR: machine.mcp,
    DEMO4_OUTPUT_DIR: machine.charts,
    LAB_TRANSCRIPTS_DIR: machine.transcripts,
  };
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
    for (const [demo, line] of [
      ["0-hello", "My name is Ada."],
      ["1-tools", "hello"],
      ["3-websearch", "hello"],
      ["5-rag", "How many vacation days do I get?"],
    ] as const) {
      const run = await runLab([demo, "--", "--log"], { env, input: [line] });
      expect(run.code, `${demo}: ${run.stderr}`).toBe(0);
    }
    expect((await runLab(["router-report"], { env })).code).toBe(0);
    // What the MCP servers, demo 4 and the code interpreter leave on disk (their own tests make them).
    writeFileSync(path.join(machine.mcp, "issues.json"), '{"next": 4, "issues": []}\n');
    writeFileSync(path.join(machine.charts, "chart.svg"), "<svg/>");
    const container = path.join(backend.dataDir ?? "", "containers", "cntr_test");
    mkdirSync(container, { recursive: true });
    writeFileSync(path.join(container, "data.csv"), "a,b\n");
    const transcripts = readdirSync(machine.transcripts).sort();
    expect(transcripts).toHaveLength(5); // four chats and MODEL-ROUTER.md
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
    expect(dry.stdout).toMatch(/\| MCP servers' data \(issues\) +\| \S+ +\| would delete/);
    expect(dry.stdout).toMatch(/\| demo 4-code's saved files +\| \S+ +\| would delete/);
    expect(dry.stdout).toMatch(/\| code interpreter container folders +\| \S+ +\| would delete/);
    expect(dry.stdout).toMatch(/\| transcripts and MODEL-ROUTER.md +\| \S+ +\| would move to archive\//);
    expect(dry.stdout).toContain("Dry run finished: nothing was deleted.");
    expect(readdirSync(machine.transcripts).sort()).toEqual(transcripts);
    expect(existsSync(path.join(machine.mcp, "issues.json"))).toBe(true);
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
    // This machine is ready for the next group; the last group's transcripts are kept, dated.
    expect(readdirSync(machine.mcp)).toEqual([]);
    expect(readdirSync(machine.charts)).toEqual([]);
    expect(existsSync(container)).toBe(false);
    expect(readdirSync(machine.transcripts)).toEqual(["archive"]);
    const [dated = ""] = readdirSync(path.join(machine.transcripts, "archive"));
    expect(dated).toMatch(/^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/);
    expect(readdirSync(path.join(machine.transcripts, "archive", dated)).sort()).toEqual(transcripts);
    expect(real.stdout).toMatch(
      /\| transcripts and MODEL-ROUTER.md +\| \S+ +\| moved to archive\/\S+\/ \(5 files\)/,
    );

    // Idempotent: a second run finds nothing and still exits 0.
    const again = await runLab(["reset:all"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/\| (deleted|would delete)/);
    expect(again.stdout).toMatch(/Tagged leftovers.*\n\nnone found/);
    expect(again.stdout).toMatch(/On this machine.*\n\nnothing left/);
    expect(await agentNames()).toEqual(["someone-elses-agent"]);
  });

  it("covers every emulator route's section: after it, FOUNDRY_PROJECT_ENDPOINT at the emulator starts afresh", async () => {
    // `pnpm emulator` on its data folder (as its process would, the record names it), and the two routes
    // to it: discovered (no endpoint set), and FOUNDRY_PROJECT_ENDPOINT + NODE_EXTRA_CA_CERTS.
    const own = await startBackend();
    try {
      const dataDir = own.dataDir ?? "";
      writeFileSync(
        path.join(dataDir, "emulator.json"),
        JSON.stringify({
          endpoint: own.endpoint,
          caCertPath: own.env.NODE_EXTRA_CA_CERTS,
          pid: process.pid,
          startedAt: new Date().toISOString(),
        }),
      );
      const state = tempDir("lab-state-");
      const local = { ...env, LAB_STATE_DIR: state, EMULATOR_DATA_DIR: dataDir };
      const external = {
        ...local,
        FOUNDRY_PROJECT_ENDPOINT: own.endpoint,
        NODE_EXTRA_CA_CERTS: own.env.NODE_EXTRA_CA_CERTS,
      };
      const discovered = { ...local, FOUNDRY_PROJECT_ENDPOINT: "", NODE_EXTRA_CA_CERTS: "" };
      const first = await runLab(["0-hello"], { env: external, input: ["My name is Ada."] });
      expect(first.code, first.stderr).toBe(0);
      const viaEndpoint = /conversation (conv_\w+)/.exec(first.stdout)?.[1] ?? "";
      const second = await runLab(["0-hello"], { env: discovered, input: ["hello"] });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain("backend: emulator (pnpm emulator)");
      const viaDiscovery = /conversation (conv_\w+)/.exec(second.stdout)?.[1] ?? "";
      expect(viaDiscovery).not.toBe(viaEndpoint);

      // A section for an Azure project: not reachable from the emulator, so named and kept.
      const stateFile = path.join(state, "0-hello.lab-state.json");
      const azure = "https://lab.services.ai.azure.com/api/projects/lab";
      const saved = JSON.parse(readFileSync(stateFile, "utf8"));
      saved.projects[azure] = { conversations: ["conv_on_azure"] };
      writeFileSync(stateFile, JSON.stringify(saved));

      const dry = await runLab(["reset:all", "--", "--dry-run"], { env: discovered });
      expect(dry.stdout).toContain(`Not reached from this project: what the demos recorded for ${azure}.`);
      expect(dry.stdout).not.toContain("conv_on_azure");
      expect(dry.code, dry.stderr).toBe(0);
      for (const id of [viaEndpoint, viaDiscovery])
        expect(dry.stdout).toMatch(new RegExp(`conversation ${id} +\\| would delete`));
      expect(await exists(own.openai.conversations.retrieve(viaEndpoint))).toBe(true);

      const real = await runLab(["reset:all"], { env: discovered, timeoutMs: 90_000 });
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toContain(`| 0-hello (emulator:${own.endpoint}) | agent hello-agent`);
      expect(real.stdout).toMatch(new RegExp(`conversation ${viaEndpoint} +\\| deleted`));
      for (const id of [viaEndpoint, viaDiscovery])
        expect(await exists(own.openai.conversations.retrieve(id))).toBe(false);
      const file = JSON.parse(readFileSync(stateFile, "utf8"));
      expect(file.projects).toEqual({ [azure]: { conversations: ["conv_on_azure"] } });

      // The next group, on the endpoint route: a new conversation, nothing of Ada's.
      const next = await runLab(["0-hello"], { env: external, input: ["What is my name?"] });
      expect(next.code, next.stderr).toBe(0);
      expect(next.stdout).not.toContain(viaEndpoint);
      expect(next.stdout).not.toMatch(/Ada/);
    } finally {
      await own.close();
    }
  });

  it("pnpm reset, exactly as typed, is reset:all (not the system's reset)", async () => {
    // Asynchronously: the emulator it talks to runs in this test's own process.
    const { execFile } = await import("node:child_process");
    const dry = await new Promise<{ status: number; stdout: string }>((resolve) => {
      execFile(
        "pnpm",
        ["reset", "--", "--dry-run"],
        {
          cwd: path.join(import.meta.dirname, "..", ".."),
          env: { ...process.env, ...env, NODE_OPTIONS: "", NO_COLOR: "1" },
        },
        (err, stdout) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout }),
      );
    });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("Dry run finished: nothing was deleted.");
  });

  it("refuses an unknown flag with one sentence (exit 2)", async () => {
    const bad = await runLab(["reset:all", "--", "--everything"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("reset:all takes only --dry-run, not --everything");
  });
});
