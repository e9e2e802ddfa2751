import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, promptAgent, raw, startLab } from "./support.ts";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab.close());

describe("agents through AIProjectClient", () => {
  it("creates versions 1, 2, … and reads them back with metadata, description and dates", async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const v1 = await lab.project.agents.createVersion("crud-agent", promptAgent(), {
      description: "first",
      metadata: { lesson: "0" },
    });
    expect(v1).toMatchObject({
      name: "crud-agent",
      version: "1",
      description: "first",
      metadata: { lesson: "0" },
    });
    expect(v1.created_at).toBeInstanceOf(Date);
    expect(v1.created_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(v1.created_at.getTime()).toBeLessThanOrEqual(Date.now());

    const v2 = await lab.project.agents.createVersion(
      "crud-agent",
      promptAgent("lab-offline-mini", "Be brief."),
    );
    expect(v2.version).toBe("2");

    const agent = await lab.project.agents.get("crud-agent");
    expect(agent.name).toBe("crud-agent");
    expect(agent.versions.latest.version).toBe("2");
    expect(agent.versions.latest.definition).toMatchObject({ kind: "prompt", model: "lab-offline-mini" });

    const fetched = await lab.project.agents.getVersion("crud-agent", "1");
    expect(fetched.definition).toMatchObject({
      model: "model-router",
      instructions: "You are the lab's test agent.",
    });

    const versions = [];
    for await (const v of lab.project.agents.listVersions("crud-agent", { order: "asc" }))
      versions.push(v.version);
    expect(versions).toEqual(["1", "2"]);

    const removed = await lab.project.agents.deleteVersion("crud-agent", "2");
    expect(removed).toMatchObject({ name: "crud-agent", version: "2", deleted: true });
    expect((await lab.project.agents.get("crud-agent")).versions.latest.version).toBe("1");
    // Numbers only grow: a deleted "2" is never reused.
    expect((await lab.project.agents.createVersion("crud-agent", promptAgent())).version).toBe("3");

    const deleted = await lab.project.agents.delete("crud-agent");
    expect(deleted).toMatchObject({ object: "agent.deleted", name: "crud-agent", deleted: true });
    await expect(lab.project.agents.get("crud-agent")).rejects.toMatchObject({
      statusCode: 404,
      code: "not_found",
    });
  });

  it("pages through more agents than one page holds, in both orders", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `paged-${i}`);
    for (const name of names) await lab.project.agents.createVersion(name, promptAgent());

    const asc: string[] = [];
    for await (const agent of lab.project.agents.list({ limit: 2, order: "asc" })) {
      if (agent.name.startsWith("paged-")) asc.push(agent.name);
    }
    expect(asc).toEqual(names);

    const desc: string[] = [];
    for await (const agent of lab.project.agents.list({ limit: 3, order: "desc" })) {
      if (agent.name.startsWith("paged-")) desc.push(agent.name);
    }
    expect(desc).toEqual([...names].reverse());

    const page = await raw(lab, "GET", "/agents?api-version=v1&limit=2&order=asc");
    expect(page.json).toMatchObject({
      has_more: true,
      first_id: expect.any(String),
      last_id: expect.any(String),
    });
    for (const name of names) await lab.project.agents.delete(name);
  });

  it("pages through versions and filters agents by kind", async () => {
    for (let i = 0; i < 5; i++) await lab.project.agents.createVersion("many-versions", promptAgent());
    const seen: string[] = [];
    for await (const v of lab.project.agents.listVersions("many-versions", { limit: 2 }))
      seen.push(v.version);
    expect(seen).toEqual(["5", "4", "3", "2", "1"]);

    const prompt: string[] = [];
    for await (const a of lab.project.agents.list({ kind: "prompt" })) prompt.push(a.name);
    expect(prompt).toContain("many-versions");
    const hosted: string[] = [];
    for await (const a of lab.project.agents.list({ kind: "hosted" })) hosted.push(a.name);
    expect(hosted).toEqual([]);
  });

  it("rejects bad names and definitions with a 400 that names the field", async () => {
    await expect(lab.project.agents.createVersion("bad name!", promptAgent())).rejects.toMatchObject({
      statusCode: 400,
      code: "invalid_value",
    });
    await expect(lab.project.agents.createVersion("x".repeat(64), promptAgent())).rejects.toMatchObject({
      statusCode: 400,
    });
    const noModel = await raw(lab, "POST", "/agents/no-model/versions?api-version=v1", {
      body: JSON.stringify({ definition: { kind: "prompt" } }),
    });
    expect(noModel.status).toBe(400);
    expect(noModel.json).toMatchObject({ error: { code: "invalid_payload", param: "definition.model" } });
    const noKind = await raw(lab, "POST", "/agents/no-kind/versions?api-version=v1", {
      body: JSON.stringify({ definition: { model: "model-router" } }),
    });
    expect(noKind.json).toMatchObject({ error: { param: "definition.kind" } });
  });

  it("answers 404 for unknown agents and versions, naming them", async () => {
    await expect(lab.project.agents.getVersion("nobody", "1")).rejects.toMatchObject({ statusCode: 404 });
    await lab.project.agents.createVersion("one-version", promptAgent());
    const missing = lab.project.agents.getVersion("one-version", "9");
    await expect(missing).rejects.toMatchObject({ statusCode: 404, message: expect.stringContaining("'9'") });
    await expect(lab.project.agents.delete("nobody")).rejects.toMatchObject({ statusCode: 404 });
    await expect(lab.project.agents.deleteVersion("one-version", "9")).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("accepts api-version=v1 or none, and rejects any other", async () => {
    await lab.project.agents.createVersion("versioned", promptAgent());
    expect((await raw(lab, "GET", "/agents/versioned")).status).toBe(200);
    const other = await raw(lab, "GET", "/agents/versioned?api-version=2025-05-01");
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ error: { param: "api-version" } });
  });
});
