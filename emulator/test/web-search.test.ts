/**
 * Web search in the emulator: web_search_call items and url_citation annotations from the offline corpus,
 * clearly marked as such, through the real SDK (JSON and SSE), and the region/policy refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES } from "../src/model/web/corpus.ts";
import { type Lab, promptAgent, startLab } from "./support.ts";

let lab: Lab;
const body = (name: string) => ({ body: { agent_reference: { type: "agent_reference" as const, name } } });

beforeAll(async () => {
  lab = await startLab();
  await lab.project.agents.createVersion("ws-agent", { ...promptAgent(), tools: [{ type: "web_search" }] });
  await lab.project.agents.createVersion("ws-preview", {
    ...promptAgent(),
    tools: [{ type: "web_search_preview" }],
  });
});
afterAll(() => lab.close());

describe("the offline corpus", () => {
  it("has a few dozen distinct pages at stable offline URLs", () => {
    expect(PAGES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(PAGES.map((p) => p.slug)).size).toBe(PAGES.length);
  });
});

describe("web search", () => {
  it("emits web_search_call and cites corpus pages with url_citation spans", async () => {
    const response = await lab.openai.responses.create(
      { input: "Why is the sky blue?", include: ["web_search_call.action.sources"] },
      body("ws-agent"),
    );
    const [call, message] = response.output;
    expect(call).toMatchObject({
      type: "web_search_call",
      status: "completed",
      action: { type: "search", query: "Why is the sky blue?" },
    });
    const sources =
      call?.type === "web_search_call" && call.action.type === "search" ? call.action.sources : [];
    expect(sources?.[0]).toEqual({ type: "url", url: "https://offline.lab.invalid/sky-blue" });
    expect(response.output_text).toContain("offline corpus");
    expect(response.output_text).toContain("not the live web");
    const part = message?.type === "message" ? message.content[0] : undefined;
    const [first] = part?.type === "output_text" ? part.annotations : [];
    expect(first).toMatchObject({
      type: "url_citation",
      url: "https://offline.lab.invalid/sky-blue",
      title: "Why the sky is blue (offline lab corpus)",
    });
    const span =
      first?.type === "url_citation" ? response.output_text.slice(first.start_index, first.end_index) : "";
    expect(span).toContain("Rayleigh scattering");
  });

  it("without include there are no sources; web_search_preview works the same", async () => {
    const response = await lab.openai.responses.create(
      { input: "Who was Ada Lovelace?" },
      body("ws-preview"),
    );
    const call = response.output[0];
    expect(call?.type === "web_search_call" && call.action).toEqual({
      type: "search",
      query: "Who was Ada Lovelace?",
    });
    expect(response.output_text).toContain("Bernoulli numbers");
  });

  it("says plainly when the corpus has nothing on the question", async () => {
    const response = await lab.openai.responses.create({ input: "quokka xylophone" }, body("ws-agent"));
    expect(response.output[0]?.type).toBe("web_search_call");
    expect(response.output_text).toContain("none of them is about");
    // …and what it does have, so the next question can find something.
    expect(response.output_text).toMatch(/Its pages include "[^"]+", "[^"]+", "[^"]+" and "[^"]+"\./);
    // A page sharing one word with the question is not an answer to it.
    const peru = await lab.openai.responses.create(
      { input: "What is the capital of Peru?" },
      body("ws-agent"),
    );
    expect(peru.output_text).toContain('none of them is about "What is the capital of Peru?"');
    expect(peru.output_text).toContain('The nearest pages it has: "Paris, capital of France"');
    const france = await lab.openai.responses.create(
      { input: "What is the capital of France?" },
      body("ws-agent"),
    );
    expect(france.output_text).toContain("Paris");
  });

  it("a follow-up that points back searches the conversation's topic; 'tell me more' quotes what was not said", async () => {
    const conversation = await lab.openai.conversations.create();
    const ask = (input: string) =>
      lab.openai.responses.create({ conversation: conversation.id, input }, body("ws-agent"));
    const first = await ask("Who was Ada Lovelace?");
    expect(first.output_text).toContain("Bernoulli numbers");
    const more = await ask("Tell me more about her");
    const call = more.output[0];
    expect(call?.type === "web_search_call" && call.action).toMatchObject({ query: "Ada Lovelace" });
    expect(more.output_text).toContain("work with symbols");
    expect(more.output_text).not.toContain("none of them is about");

    const transistor = await lab.openai.conversations.create();
    await lab.openai.responses.create(
      { conversation: transistor.id, input: "When was the transistor invented?" },
      body("ws-agent"),
    );
    const who = await lab.openai.responses.create(
      { conversation: transistor.id, input: "who invented it?" },
      body("ws-agent"),
    );
    expect(who.output_text).toContain("Bardeen");
    // A new topic is searched as asked.
    const fresh = await ask("what is kubernetes");
    expect(fresh.output_text).toContain('none of them is about "what is kubernetes"');
  });

  it("streams in_progress → searching → completed, then text with annotations after their spans", async () => {
    const stream = await lab.openai.responses.create(
      { input: "When was the transistor invented?", stream: true },
      body("ws-agent"),
    );
    const types: string[] = [];
    let text = "";
    const cited: { end: number; at: number }[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.output_text.annotation.added") {
        const a = event.annotation as { end_index: number };
        cited.push({ end: a.end_index, at: text.length });
      }
    }
    const order = [
      "response.web_search_call.in_progress",
      "response.web_search_call.searching",
      "response.web_search_call.completed",
      "response.output_text.annotation.added",
      "response.completed",
    ].map((t) => types.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(cited.length).toBeGreaterThan(0);
    for (const c of cited) expect(c.at).toBe(c.end);
  });

  it("EMULATOR_UNAVAILABLE_TOOLS=web_search refuses like a region without it: a 400 naming the tool", async () => {
    process.env.EMULATOR_UNAVAILABLE_TOOLS = "web_search";
    try {
      await expect(
        lab.openai.responses.create({ input: "Paris?" }, body("ws-preview")),
      ).rejects.toMatchObject({
        status: 400,
        error: { code: "tool_not_supported", message: expect.stringContaining("web_search_preview") },
      });
    } finally {
      delete process.env.EMULATOR_UNAVAILABLE_TOOLS;
    }
  });
});
