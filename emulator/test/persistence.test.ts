import { readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/server.ts";
import { type Lab, promptAgent, raw, startLab, tempDir } from "./support.ts";

const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const agent = { agent_reference: { type: "agent_reference" as const, name: "durable" } };

describe("state lives in SQLite in the data folder", () => {
  it("keeps agents, conversations, items and responses across a restart", async () => {
    let lab: Lab = await startLab({ dataDir });
    await lab.project.agents.createVersion("durable", promptAgent(), { metadata: { keep: "yes" } });
    const conversation = await lab.openai.conversations.create({ metadata: { k: "v" } });
    const first = await lab.openai.responses.create(
      { input: "My name is Ada", conversation: conversation.id },
      { body: agent },
    );
    const endpoint = lab.emulator.endpoint;
    await lab.close();

    lab = await startLab({ dataDir });
    try {
      expect(lab.emulator.endpoint).not.toBe(""); // a new ephemeral port
      expect(lab.emulator.caCertPem).toContain("BEGIN CERTIFICATE");
      const stored = await lab.project.agents.get("durable");
      expect(stored.versions.latest.metadata).toEqual({ keep: "yes" });
      expect((await lab.openai.conversations.retrieve(conversation.id)).metadata).toEqual({ k: "v" });
      expect((await lab.openai.conversations.items.list(conversation.id)).data).toHaveLength(2);
      expect((await lab.openai.responses.retrieve(first.id)).output_text).toBe(first.output_text);
      const next = await lab.openai.responses.create(
        { input: "What is my name?", conversation: conversation.id },
        { body: agent },
      );
      expect(next.output_text).toContain("Ada");
      expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/projects\/lab$/);
    } finally {
      await lab.close();
    }
  });

  it.skipIf(process.platform === "win32")(
    "keeps its data private: 0700 folders, and the database, its WAL and shm, and the key 0600",
    async () => {
      const folder = path.join(tempDir(), "new", "data");
      const lab = await startLab({ dataDir: folder });
      try {
        await lab.openai.conversations.create({ metadata: { secret: "yes" } });
        const mode = (file: string) => statSync(path.join(folder, file)).mode & 0o777;
        expect(mode(".")).toBe(0o700);
        expect(mode("..")).toBe(0o700); // "new" was created here too
        for (const file of ["emulator.db", "emulator.db-wal", "emulator.db-shm", "emulator-key.pem"]) {
          expect({ file, mode: mode(file).toString(8) }).toEqual({ file, mode: "600" });
        }
        // Containers' files live in the database and under this folder: out of other users' reach.
        expect(readdirSync(folder)).toContain("emulator.db");
      } finally {
        await lab.close();
        rmSync(path.dirname(path.dirname(folder)), { recursive: true, force: true });
      }
    },
  );

  it("lets two emulators share one data folder without stale caches", async () => {
    const a = await startLab({ dataDir });
    const b = await startEmulator({ dataDir, streamDelayMs: 0 });
    try {
      await a.project.agents.createVersion("shared-folder", promptAgent());
      const fromB = await raw(a, "GET", `${b.endpoint}/agents/shared-folder?api-version=v1`);
      expect(fromB.json).toMatchObject({ name: "shared-folder", versions: { latest: { version: "1" } } });
      // Both write versions: numbers stay unique because the write lock is taken before reading.
      await raw(a, "POST", `${b.endpoint}/agents/shared-folder/versions`, {
        body: JSON.stringify({ definition: promptAgent() }),
      });
      const latest = await a.project.agents.createVersion("shared-folder", promptAgent());
      expect(latest.version).toBe("3");
    } finally {
      await b.close();
      await a.close();
    }
  });

  it("sends timestamps as Unix seconds", async () => {
    const lab = await startLab({ dataDir });
    try {
      const res = await raw(lab, "GET", "/agents/durable?api-version=v1");
      const created = (res.json as { versions: { latest: { created_at: number } } }).versions.latest
        .created_at;
      expect(Number.isInteger(created)).toBe(true);
      expect(Math.abs(created - Date.now() / 1000)).toBeLessThan(300);
    } finally {
      await lab.close();
    }
  });
});

describe("an unexpected failure inside a handler", () => {
  it("becomes one generic 500 in the error shape and one stderr line, and the server keeps serving", async () => {
    const { DatabaseSync } = await import("node:sqlite");
    const lab = await startLab({ dataDir });
    const lines: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => lines.push(args);
    try {
      const db = new DatabaseSync(`${dataDir}/emulator.db`);
      db.prepare("INSERT INTO conversations (id, body) VALUES ('conv_broken', '{not json')").run();
      db.close();
      const res = await raw(lab, "GET", "/openai/v1/conversations/conv_broken");
      expect(res.status).toBe(500);
      expect(res.json).toMatchObject({ error: { code: "internal_error", type: "server_error" } });
      expect(JSON.stringify(res.json)).not.toContain("JSON");
      expect(lines).toHaveLength(1);
      expect(String(lines[0]?.[0])).toMatch(/^\[emulator\] GET \S+conv_broken failed: /);
      expect((await raw(lab, "GET", "/agents")).status).toBe(200);
    } finally {
      console.error = original;
      await lab.close();
    }
  });
});
