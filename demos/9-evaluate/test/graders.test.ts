/**
 * Every grader on a right and a wrong answer: each must pass the first and fail the second, and say why
 * in words that name what was missing.
 */
import { describe, expect, it } from "vitest";
import type { Item } from "../src/dataset.ts";
import {
  answerContains,
  answerMatches,
  citationPresent,
  grade,
  groundedInPassages,
  type Observation,
  servedModelRecorded,
  toolCalled,
  withinLatency,
} from "../src/graders.ts";

const seen = (over: Partial<Observation>): Observation => ({
  answer: "",
  toolCalls: [],
  citations: [],
  passages: [],
  latencyMs: 100,
  model: "gpt-5-mini",
  ...over,
});
const item = (expect: Item["expect"], over: Partial<Item> = {}): Item => ({
  id: "x",
  question: "How many days of leave?",
  expect,
  ...over,
});

const LEAVE =
  "### 2.2 Annual leave\n\nFull-time employees receive 27 days of paid annual leave per calendar year, plus public holidays.";

describe("graders", () => {
  it("answer contains: every phrase, any case; names the missing ones", () => {
    const i = item({ contains: ["Oslo", "3.7"] });
    expect(answerContains(i, seen({ answer: "In OSLO it is 3.7 °C." }))?.pass).toBe(true);
    const wrong = answerContains(i, seen({ answer: "In Oslo it is 4 °C." }));
    expect(wrong).toMatchObject({ pass: false, why: 'missing "3.7"' });
    expect(answerContains(item({}), seen({}))).toBeUndefined();
  });

  it("answer matches: a case-insensitive pattern", () => {
    const i = item({ matches: "no place|not found" });
    expect(answerMatches(i, seen({ answer: "No place called Atlantis was found." }))?.pass).toBe(true);
    expect(answerMatches(i, seen({ answer: "It is sunny in Atlantis." }))?.pass).toBe(false);
  });

  it("tool called: the expected calls with the expected arguments; [] means none", () => {
    const i = item({ tools: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const right = seen({ toolCalls: [{ name: "get_weather", arguments: '{"city":"paris"}' }] });
    expect(toolCalled(i, right)?.pass).toBe(true);
    const wrongCity = toolCalled(
      i,
      seen({ toolCalls: [{ name: "get_weather", arguments: '{"city":"Lyon"}' }] }),
    );
    expect(wrongCity).toMatchObject({ pass: false });
    expect(wrongCity?.why).toBe('expected get_weather({"city":"Paris"}); got get_weather({"city":"Lyon"})');
    expect(toolCalled(i, seen({}))?.why).toContain("got no tool calls");
    const none = item({ tools: [] });
    expect(toolCalled(none, seen({}))?.pass).toBe(true);
    expect(toolCalled(none, right)?.pass).toBe(false);
  });

  it("citation: the expected file, from a passage under the expected section", () => {
    const i = item({ citation: { file: "employee-handbook.md", section: "2.2 Annual leave" } });
    const cited = { citations: [{ file: "employee-handbook.md", fileId: "f1" }] };
    expect(
      citationPresent(
        i,
        seen({ ...cited, passages: [{ file: "employee-handbook.md", fileId: "f1", text: LEAVE }] }),
      )?.pass,
    ).toBe(true);
    const otherSection = citationPresent(
      i,
      seen({
        ...cited,
        passages: [
          { file: "employee-handbook.md", fileId: "f1", text: "### 4.4 Corporate cards\n\nLimit 5,000." },
        ],
      }),
    );
    expect(otherSection).toMatchObject({
      pass: false,
      why: "cites employee-handbook.md, but no passage found under § 2.2 Annual leave",
    });
    expect(citationPresent(i, seen({}))?.why).toBe("no citation (wanted employee-handbook.md)");
    expect(citationPresent(i, seen({ citations: [{ file: "other.md", fileId: "f2" }] }))?.why).toBe(
      "cites other.md, not employee-handbook.md",
    );
  });

  it("grounded: an answer from the passage passes, a made-up one fails", () => {
    const i = item({ citation: { file: "employee-handbook.md" } });
    const passages = [{ file: "employee-handbook.md", fileId: "f1", text: LEAVE }];
    expect(
      groundedInPassages(
        i,
        seen({ passages, answer: "Full-time employees receive 27 days of paid annual leave per year." }),
      )?.pass,
    ).toBe(true);
    const invented = groundedInPassages(
      i,
      seen({ passages, answer: "Everyone gets unlimited vacation and a yearly bonus trip to Hawaii." }),
    );
    expect(invented?.pass).toBe(false);
    expect(invented?.why).toMatch(/^\d+% of the answer's words are in the cited passages/);
  });

  it("grounded: a line that only names the cited file is no claim; what follows it still must be", () => {
    const i = item({ citation: { file: "employee-handbook.md", section: "8.3 Gifts and hospitality" } });
    const passages = [
      {
        file: "employee-handbook.md",
        fileId: "f1",
        text:
          "### 8.3 Gifts and hospitality\n\nYou may accept small gifts from suppliers or clients worth up to 50 " +
          "euros, such as a book or a box of chocolates. Register any gift or invitation worth more in the gifts register.",
      },
    ];
    const citations = [{ file: "employee-handbook.md", fileId: "f1" }];
    const opening =
      "From employee-handbook.md (the offline lab model quotes the passages file search found; it writes no answer of its own):\n\n";
    const quoted = groundedInPassages(
      { ...i, question: "Can I accept a gift from a supplier?" },
      seen({
        passages,
        citations,
        answer: `${opening}- You may accept small gifts from suppliers or clients worth up to 50 euros, such as a book or a box of chocolates.`,
      }),
    );
    expect(quoted).toMatchObject({ pass: true, why: expect.stringMatching(/^100% /) });
    // A real model's attribution reads the same way.
    const attributed = groundedInPassages(
      i,
      seen({
        passages,
        citations,
        answer: "As employee-handbook.md puts it, small gifts worth up to 50 euros are fine.",
      }),
    );
    expect(attributed?.pass).toBe(true);
    // The opening line excuses nothing after it.
    const invented = groundedInPassages(
      i,
      seen({
        passages,
        citations,
        answer: `${opening}- Any gift is fine if your manager signs a waiver form today.`,
      }),
    );
    expect(invented?.pass).toBe(false);
  });

  it("latency: within the item's bound, or 30 s", () => {
    expect(withinLatency(item({}), seen({ latencyMs: 29_000 }))?.pass).toBe(true);
    expect(withinLatency(item({}), seen({ latencyMs: 31_000 }))?.pass).toBe(false);
    expect(withinLatency(item({}, { maxLatencyMs: 50 }), seen({ latencyMs: 100 }))?.why).toBe(
      "100 ms (bound 50 ms)",
    );
  });

  it("served model: the response must name the model that answered", () => {
    expect(servedModelRecorded(item({}), seen({}))?.pass).toBe(true);
    expect(servedModelRecorded(item({}), seen({ model: undefined }))).toMatchObject({
      pass: false,
      why: "the response names no model",
    });
  });

  it("a failed call fails every grader with its error", () => {
    const grades = grade(item({ contains: ["27"] }), seen({ answer: "27", error: "429 throttled" }));
    expect(grades.length).toBeGreaterThan(0);
    expect(grades.every((g) => !g.pass && g.why === "the call failed: 429 throttled")).toBe(true);
  });
});
