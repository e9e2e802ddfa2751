import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, raw, startLab } from "./support.ts";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(() => lab.close());

describe("conversations through the OpenAI client", () => {
  it("creates with items and metadata, retrieves, updates and deletes", async () => {
    const conversation = await lab.openai.conversations.create({
      items: [{ type: "message", role: "user", content: "Hi" }],
      metadata: { topic: "demo" },
    });
    expect(conversation.id).toMatch(/^conv_/);
    expect(conversation.metadata).toEqual({ topic: "demo" });
    expect(typeof conversation.created_at).toBe("number");
    expect(Math.abs(conversation.created_at - Date.now() / 1000)).toBeLessThan(5);

    const again = await lab.openai.conversations.retrieve(conversation.id);
    expect(again).toMatchObject({ id: conversation.id, object: "conversation", metadata: { topic: "demo" } });

    const updated = await lab.openai.conversations.update(conversation.id, {
      metadata: { topic: "changed" },
    });
    expect(updated.metadata).toEqual({ topic: "changed" });

    const items = await lab.openai.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "Hi" }],
    });

    const deleted = await lab.openai.conversations.delete(conversation.id);
    expect(deleted).toMatchObject({ id: conversation.id, object: "conversation.deleted", deleted: true });
    await expect(lab.openai.conversations.retrieve(conversation.id)).rejects.toMatchObject({ status: 404 });
    await expect(lab.openai.conversations.items.list(conversation.id)).rejects.toMatchObject({ status: 404 });
  });

  it("adds, lists (newest first, paged), retrieves and deletes items", async () => {
    const { id } = await lab.openai.conversations.create();
    const added = await lab.openai.conversations.items.create(id, {
      items: Array.from({ length: 5 }, (_, i) => ({
        type: "message" as const,
        role: "user" as const,
        content: `turn ${i}`,
      })),
    });
    expect(added.data).toHaveLength(5);
    expect(added.data.every((item) => item.id?.startsWith("msg_"))).toBe(true);

    const texts: string[] = [];
    for await (const item of lab.openai.conversations.items.list(id, { limit: 2 })) {
      if (item.type === "message" && item.content[0]?.type === "input_text") texts.push(item.content[0].text);
    }
    expect(texts).toEqual(["turn 4", "turn 3", "turn 2", "turn 1", "turn 0"]);

    const asc = await lab.openai.conversations.items.list(id, { order: "asc", limit: 2 });
    expect(asc.data.map((item) => item.id)).toEqual(added.data.slice(0, 2).map((item) => item.id));
    expect(asc.has_more).toBe(true);

    const firstId = String(added.data[0]?.id);
    const fetched = await lab.openai.conversations.items.retrieve(firstId, { conversation_id: id });
    expect(fetched.id).toBe(firstId);

    const after = await lab.openai.conversations.items.delete(firstId, { conversation_id: id });
    expect(after.id).toBe(id);
    await expect(
      lab.openai.conversations.items.retrieve(firstId, { conversation_id: id }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const left = await lab.openai.conversations.items.list(id, { limit: 100 });
    expect(left.data).toHaveLength(4);
  });

  it("accepts content parts and unknown item types, and rejects malformed items naming the field", async () => {
    const { id } = await lab.openai.conversations.create({
      items: [{ type: "message", role: "user", content: [{ type: "input_text", text: "parts" }] }],
    });
    const custom = await raw(lab, "POST", `/openai/v1/conversations/${id}/items`, {
      body: JSON.stringify({ items: [{ type: "future_item_kind", payload: 1 }] }),
    });
    expect(custom.status).toBe(200);
    expect(custom.json).toMatchObject({ object: "list", data: [{ type: "future_item_kind", payload: 1 }] });

    const badRole = await raw(lab, "POST", `/openai/v1/conversations/${id}/items`, {
      body: JSON.stringify({ items: [{ type: "message", role: "robot", content: "x" }] }),
    });
    expect(badRole.status).toBe(400);
    expect(badRole.json).toMatchObject({ error: { code: "invalid_value", param: "items[0].role" } });

    const notArray = await raw(lab, "POST", `/openai/v1/conversations/${id}/items`, {
      body: JSON.stringify({ items: "hello" }),
    });
    expect(notArray.json).toMatchObject({ error: { code: "invalid_payload", param: "items" } });

    const badMeta = await raw(lab, "POST", "/openai/v1/conversations", {
      body: JSON.stringify({ metadata: { n: 1 } }),
    });
    expect(badMeta.status).toBe(400);
    expect(badMeta.json).toMatchObject({ error: { param: "metadata.n" } });
  });

  it("is also served under the agent endpoint", async () => {
    await lab.project.agents.createVersion("endpoint-agent", { kind: "prompt", model: "model-router" });
    const agentClient = lab.project.getOpenAIClient({
      azureConfig: { agentName: "endpoint-agent", allowPreview: true },
    });
    const conversation = await agentClient.conversations.create({ metadata: { via: "agent-endpoint" } });
    const seen = await lab.openai.conversations.retrieve(conversation.id);
    expect(seen.metadata).toEqual({ via: "agent-endpoint" });
  });
});
