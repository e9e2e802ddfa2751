import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, promptAgent, raw, startLab } from "./support.ts";

let lab: Lab;
const agent = { agent_reference: { type: "agent_reference" as const, name: "resp-agent" } };

beforeAll(async () => {
  lab = await startLab();
  await lab.project.agents.createVersion(
    "resp-agent",
    promptAgent("model-router", "You help with lab tests."),
  );
});
afterAll(() => lab.close());

describe("responses with agent_reference", () => {
  it("answers string input as an honest offline model and says which model served", async () => {
    const response = await lab.openai.responses.create({ input: "Hello, who are you?" }, { body: agent });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.id).toMatch(/^resp_/);
    expect(response.model).toBe("lab-offline-mini");
    expect(response.output_text).toContain("offline lab model");
    expect(response.output_text).toContain("not a language model");
    expect(response.output_text).toContain("You help with lab tests.");
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
    expect(response).toMatchObject({ conversation: null, previous_response_id: null, error: null });
    expect((response as unknown as { agent_reference: unknown }).agent_reference).toEqual({
      type: "agent_reference",
      name: "resp-agent",
      version: "1",
    });
  });

  it("accepts item input and routes analytic questions to the large model", async () => {
    const response = await lab.openai.responses.create(
      {
        input: [
          {
            type: "message",
            role: "user",
            content: [{ type: "input_text", text: "Explain why the sky is blue." }],
          },
        ],
      },
      { body: agent },
    );
    expect(response.model).toBe("lab-offline-large");
    expect(response.output_text).toContain("Explain why the sky is blue.");
    expect(response.output_text).toMatch(/turn 1\b/);
  });

  it("rejects the deprecated 'agent' property exactly like the service", async () => {
    const res = await raw(lab, "POST", "/openai/v1/responses", {
      body: JSON.stringify({ input: "hi", agent: { type: "agent_reference", name: "resp-agent" } }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toBe(
      '{"error":{"code":"invalid_payload","message":"The \'agent\' property is deprecated. Use \'agent_reference\' instead.","param":"agent","type":"invalid_request_error"}}',
    );
    await expect(
      lab.openai.responses.create(
        { input: "hi" },
        { body: { agent: { type: "agent_reference", name: "resp-agent" } } },
      ),
    ).rejects.toMatchObject({ status: 400, code: "invalid_payload", param: "agent" });
  });

  it("remembers across two turns of a conversation and appends both turns to it", async () => {
    const conversation = await lab.openai.conversations.create();
    const first = await lab.openai.responses.create(
      { input: "My name is Ada", conversation: conversation.id },
      { body: agent },
    );
    expect(first.output_text).toContain("Ada");
    expect(first.conversation).toEqual({ id: conversation.id });
    const second = await lab.openai.responses.create(
      { input: "What is my name?", conversation: { id: conversation.id } },
      { body: agent },
    );
    expect(second.output_text).toContain("Your name is Ada");
    expect(second.output_text).toMatch(/told me earlier/);

    const items = await lab.openai.conversations.items.list(conversation.id, { order: "asc" });
    expect(items.data.map((item) => (item.type === "message" ? item.role : item.type))).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(items.data[3]?.id).toBe(second.output[0]?.id);
  });

  it("follows the README pattern: conversation items added between turns, no input on the call", async () => {
    const conversation = await lab.openai.conversations.create({
      items: [{ type: "message", role: "user", content: "My favourite colour is teal." }],
    });
    await lab.openai.responses.create({ conversation: conversation.id }, { body: agent });
    await lab.openai.conversations.items.create(conversation.id, {
      items: [{ type: "message", role: "user", content: "What's my favourite colour?" }],
    });
    const answer = await lab.openai.responses.create({ conversation: conversation.id }, { body: agent });
    expect(answer.output_text).toContain("Your favourite colour is teal");
    const quote = await lab.openai.responses.create(
      { input: "What did I say first?", conversation: conversation.id },
      { body: agent },
    );
    expect(quote.output_text).toContain("My favourite colour is teal.");
  });

  it("chains previous_response_id recursively, and says when it was not told", async () => {
    const a = await lab.openai.responses.create({ input: "I live in Oslo." }, { body: agent });
    const b = await lab.openai.responses.create(
      { input: "I am a teacher.", previous_response_id: a.id },
      { body: agent },
    );
    const c = await lab.openai.responses.create(
      { input: "Where do I live?", previous_response_id: b.id },
      { body: agent },
    );
    expect(c.previous_response_id).toBe(b.id);
    expect(c.output_text).toContain("You live in Oslo");
    const d = await lab.openai.responses.create(
      { input: "What do I do?", previous_response_id: c.id },
      { body: agent },
    );
    expect(d.output_text).toContain("You are a teacher");
    const fresh = await lab.openai.responses.create({ input: "What is my name?" }, { body: agent });
    expect(fresh.output_text).toMatch(/haven't told me your name/);
  });

  it("stores each item of a chain once: 24 turns store about what was sent, not every turn again", async () => {
    const bytesStored = (ids: string[]) => {
      const db = new DatabaseSync(path.join(lab.emulator.dataDir, "emulator.db"), { readOnly: true });
      try {
        const row = db
          .prepare(
            `SELECT sum(length(body) + length(input_items) + length(history)) AS bytes FROM responses
              WHERE id IN (${ids.map(() => "?").join(",")})`,
          )
          .get(...ids);
        return Number(row?.bytes);
      } finally {
        db.close();
      }
    };
    const ids: string[] = [];
    let sent = 0;
    let previous: string | undefined;
    for (let turn = 1; turn <= 24; turn++) {
      const input = `Turn ${turn}: ${"notes ".repeat(2000)}`;
      sent += input.length;
      const response = await lab.openai.responses.create(
        { input, ...(previous ? { previous_response_id: previous } : {}) },
        { body: agent },
      );
      ids.push(response.id);
      previous = response.id;
    }
    // Copying the history into every response stored ~12x what was sent (1 + 2 + … + 24 turns, /24).
    expect(bytesStored(ids) / sent).toBeLessThan(2);
    // And the chain still reads whole: the model sees all 24 turns.
    const last = await lab.openai.responses.create(
      { input: "Tell me something", previous_response_id: previous },
      { body: agent },
    );
    expect(last.output_text).toContain("turn 25 of this conversation");

    // The same in a conversation: each response points at the conversation instead of copying it.
    const conversation = await lab.openai.conversations.create();
    const inConversation: string[] = [];
    for (let turn = 1; turn <= 24; turn++) {
      const input = `Turn ${turn}: ${"notes ".repeat(2000)}`;
      const response = await lab.openai.responses.create(
        { input, conversation: conversation.id },
        { body: agent },
      );
      inConversation.push(response.id);
    }
    expect(bytesStored(inConversation) / sent).toBeLessThan(2);
  });

  it("a deleted response in the middle of a chain is gone, but the turns after it keep their context", async () => {
    const a = await lab.openai.responses.create({ input: "My name is Grace." }, { body: agent });
    const b = await lab.openai.responses.create(
      { input: "I live in Bergen.", previous_response_id: a.id },
      { body: agent },
    );
    const c = await lab.openai.responses.create(
      { input: "I am a pilot.", previous_response_id: b.id },
      { body: agent },
    );
    await lab.openai.responses.delete(b.id);
    await expect(lab.openai.responses.retrieve(b.id)).rejects.toMatchObject({ status: 404 });
    expect((await raw(lab, "DELETE", `/openai/v1/responses/${b.id}`)).status).toBe(404);
    await expect(
      lab.openai.responses.create({ input: "hi", previous_response_id: b.id }, { body: agent }),
    ).rejects.toMatchObject({ status: 404, param: "previous_response_id" });
    const d = await lab.openai.responses.create(
      { input: "Where do I live?", previous_response_id: c.id },
      { body: agent },
    );
    expect(d.output_text).toContain("You live in Bergen");
    expect((await lab.openai.responses.retrieve(a.id)).output_text).toBe(a.output_text);
    // Deleting the rest removes the hidden one too: nothing of the chain is left behind.
    for (const id of [d.id, c.id, a.id]) await lab.openai.responses.delete(id);
    const db = new DatabaseSync(path.join(lab.emulator.dataDir, "emulator.db"), { readOnly: true });
    try {
      const left = db
        .prepare("SELECT count(*) AS n FROM responses WHERE id IN (?, ?, ?, ?)")
        .get(a.id, b.id, c.id, d.id);
      expect(Number(left?.n)).toBe(0);
    } finally {
      db.close();
    }
  });

  it("a response stored by an older emulator, with its history copied in, still continues", async () => {
    const message = (id: string, role: string, text: string) => ({
      type: "message",
      id,
      status: "completed",
      role,
      content: [{ type: role === "user" ? "input_text" : "output_text", text }],
    });
    const db = new DatabaseSync(path.join(lab.emulator.dataDir, "emulator.db"));
    try {
      // The row exactly as the old layout wrote it: history inline, no reference columns.
      db.prepare("INSERT INTO responses (id, body, input_items, history) VALUES (?, ?, ?, ?)").run(
        "resp_legacy",
        JSON.stringify({ id: "resp_legacy", object: "response", status: "completed", output: [] }),
        JSON.stringify([message("msg_l2", "user", "I live in Reykjavik.")]),
        JSON.stringify([message("msg_l1", "user", "My name is Ada.")]),
      );
    } finally {
      db.close();
    }
    const next = await lab.openai.responses.create(
      { input: "What is my name?", previous_response_id: "resp_legacy" },
      { body: agent },
    );
    expect(next.output_text).toContain("Ada");
    const where = await lab.openai.responses.create(
      { input: "Where do I live?", previous_response_id: next.id },
      { body: agent },
    );
    expect(where.output_text).toContain("You live in Reykjavik");
  });

  it("a response made in a conversation continues by previous_response_id with that conversation's context", async () => {
    const conversation = await lab.openai.conversations.create({
      items: [{ type: "message", role: "user", content: "My name is Linus." }],
    });
    const inConversation = await lab.openai.responses.create(
      { input: "I live in Turku.", conversation: conversation.id },
      { body: agent },
    );
    // Later conversation items are not part of that response's context.
    await lab.openai.conversations.items.create(conversation.id, {
      items: [{ type: "message", role: "user", content: "My name is Someone Else." }],
    });
    const next = await lab.openai.responses.create(
      { input: "What is my name?", previous_response_id: inConversation.id },
      { body: agent },
    );
    expect(next.output_text).toContain("Linus");
    expect(next.output_text).not.toContain("Someone Else");
  });

  it("retrieves, lists input items of, and deletes a response", async () => {
    const response = await lab.openai.responses.create(
      {
        input: [
          { role: "user", content: "one" },
          { role: "user", content: "two" },
          { role: "user", content: "three" },
        ],
        metadata: { run: "retrieve" },
      },
      { body: agent },
    );
    const again = await lab.openai.responses.retrieve(response.id);
    expect(again.output_text).toBe(response.output_text);
    expect(again.metadata).toEqual({ run: "retrieve" });

    const inputs: string[] = [];
    for await (const item of lab.openai.responses.inputItems.list(response.id, { limit: 2, order: "asc" })) {
      if (item.type === "message" && item.content[0]?.type === "input_text")
        inputs.push(item.content[0].text);
    }
    expect(inputs).toEqual(["one", "two", "three"]);

    await lab.openai.responses.delete(response.id);
    await expect(lab.openai.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    const gone = await raw(lab, "DELETE", `/openai/v1/responses/${response.id}`);
    expect(gone.status).toBe(404);
  });

  it("serves models directly without an agent, and 404s unknown deployments and agents", async () => {
    const direct = await lab.openai.responses.create({
      model: "lab-offline-mini",
      input: "Explain everything",
    });
    expect(direct.model).toBe("lab-offline-mini");
    expect(direct).toMatchObject({ agent_reference: null });

    await expect(lab.openai.responses.create({ model: "gpt-4o", input: "hi" })).rejects.toMatchObject({
      status: 404,
      code: "DeploymentNotFound",
      message: expect.stringContaining("gpt-4o"),
    });
    await lab.project.agents.createVersion("wrong-model", promptAgent("gpt-4.1-mini"));
    await expect(
      lab.openai.responses.create(
        { input: "hi" },
        { body: { agent_reference: { type: "agent_reference", name: "wrong-model" } } },
      ),
    ).rejects.toMatchObject({
      status: 404,
      code: "DeploymentNotFound",
      message: expect.stringContaining("gpt-4.1-mini"),
    });
    await expect(
      lab.openai.responses.create(
        { input: "hi" },
        { body: { agent_reference: { type: "agent_reference", name: "ghost" } } },
      ),
    ).rejects.toMatchObject({ status: 404, message: expect.stringContaining("ghost") });
    await expect(lab.openai.responses.create({ input: "hi" } as never)).rejects.toMatchObject({
      status: 400,
      param: "model",
    });
  });

  it("rejects conversation together with previous_response_id, and unknown references", async () => {
    const conversation = await lab.openai.conversations.create();
    const first = await lab.openai.responses.create({ input: "hi" }, { body: agent });
    await expect(
      lab.openai.responses.create(
        { input: "hi", conversation: conversation.id, previous_response_id: first.id },
        { body: agent },
      ),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      lab.openai.responses.create({ input: "hi", conversation: "conv_missing" }, { body: agent }),
    ).rejects.toMatchObject({ status: 404, param: "conversation" });
    await expect(
      lab.openai.responses.create({ input: "hi", previous_response_id: "resp_missing" }, { body: agent }),
    ).rejects.toMatchObject({ status: 404, param: "previous_response_id" });
  });

  it("pins a version with agent_reference.version and serves the agent endpoint (style C)", async () => {
    await lab.project.agents.createVersion("pinned", promptAgent("model-router", "Version one."));
    await lab.project.agents.createVersion("pinned", promptAgent("model-router", "Version two."));
    const v1 = await lab.openai.responses.create(
      { input: "hello" },
      { body: { agent_reference: { type: "agent_reference", name: "pinned", version: "1" } } },
    );
    expect(v1.output_text).toContain("Version one.");
    const viaEndpoint = lab.project.getOpenAIClient({
      azureConfig: { agentName: "pinned", allowPreview: true },
    });
    const latest = await viaEndpoint.responses.create({ input: "hello" });
    expect(latest.output_text).toContain("Version two.");
  });
});

describe("streaming", () => {
  it("streams with responses.stream() and finalResponse() matches the deltas", async () => {
    const conversation = await lab.openai.conversations.create();
    const stream = lab.openai.responses.stream(
      { input: "Tell me something", conversation: conversation.id },
      { body: agent },
    );
    let text = "";
    const types: string[] = [];
    stream.on("response.output_text.delta", (event) => {
      text += event.delta;
    });
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe(text);
    expect(text).toContain("Tell me something");
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(types.filter((t) => t === "response.output_text.delta").length).toBeGreaterThan(3);
    const items = await lab.openai.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(2);
  });

  it("streams with raw responses.create({stream:true}) in sequence order, and stores the result", async () => {
    const stream = await lab.openai.responses.create({ input: "Hi there", stream: true }, { body: agent });
    const sequence: number[] = [];
    let completedId = "";
    let text = "";
    for await (const event of stream) {
      sequence.push(event.sequence_number);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completedId = event.response.id;
    }
    expect(sequence).toEqual(sequence.map((_, i) => i));
    const stored = await lab.openai.responses.retrieve(completedId);
    expect(stored.output_text).toBe(text);
  });
});
