/**
 * The lab model's shared parsing layer, on requests it was not written around: numbers with units and
 * currencies, dates and times against a fixed clock, proper names, quoted text and cue words.
 */
import { describe, expect, it } from "vitest";
import { cueOf } from "../src/model/parse/cues.ts";
import { whenIn } from "../src/model/parse/dates.ts";
import { guard, properNames, quoted, unguard } from "../src/model/parse/entities.ts";
import { related } from "../src/model/parse/lexicon.ts";
import { numbers } from "../src/model/parse/numbers.ts";
import { contentStems, stem } from "../src/model/parse/words.ts";

const tuesday = new Date(2026, 11, 1, 9, 40); // Tue 1 Dec 2026, 09:40 local

describe("the parsing layer", () => {
  it("guards addresses, URLs, versions and decimals against rules that cut at punctuation", () => {
    const said =
      "Mail ada.l@example.co.uk, see https://example.org/a?b=1&c=2. Node.js 24.11.1 costs 1,234.50. Oslo.Then";
    const guarded = guard(said);
    expect(guarded).toHaveLength(said.length);
    // What a sentence splitter sees: only the real full stops and commas are left.
    expect(guarded.replace(/[^.,:?=&]/g, "")).toBe(",...");
    expect(guarded.split(/(?<=\.)\s*/).map(unguard)).toEqual([
      "Mail ada.l@example.co.uk, see https://example.org/a?b=1&c=2.",
      "Node.js 24.11.1 costs 1,234.50.",
      "Oslo.",
      "Then",
    ]);
    expect(unguard(guarded)).toBe(said);
  });

  it("reads numbers with their units and currencies, not the digits of times or dates", () => {
    const values = (text: string) =>
      numbers(text).map(({ value, unit, currency }) => ({ value, unit, currency }));
    expect(values("a party of six, $12.50 each")).toEqual([
      { value: 6, unit: undefined, currency: undefined },
      { value: 12.5, unit: "each", currency: "USD" },
    ]);
    expect(values("EUR 1,200 or 3k yen")).toEqual([
      { value: 1200, unit: undefined, currency: "EUR" },
      { value: 3000, unit: undefined, currency: "JPY" },
    ]);
    expect(values("twenty-five people")).toEqual([{ value: 25, unit: "people", currency: undefined }]);
    expect(values("at 19:30 on 2026-12-24, or 7pm")).toEqual([]);
    expect(values("10 pounds")[0]).toMatchObject({ value: 10, unit: "pounds", currency: "GBP" });
    expect(values("swam for half an hour")).toEqual([{ value: 0.5, unit: "hour", currency: undefined }]);
    expect(values("half a table")).toEqual([{ value: 0.5, unit: undefined, currency: undefined }]);
  });

  it("reads dates and times against the clock, and leaves durations alone", () => {
    const when = (text: string) => whenIn(text, tuesday).map(({ date, time }) => ({ date, time }));
    expect(when("tomorrow at 7pm")).toEqual([{ date: "2026-12-02", time: "19:00" }]);
    expect(when("after 19:30")).toEqual([{ date: undefined, time: "19:30" }]);
    expect(when("on 14 March 2027")).toEqual([{ date: "2027-03-14", time: undefined }]);
    expect(when("next Friday at noon")).toEqual([{ date: "2026-12-11", time: "12:00" }]);
    expect(when("for 30 minutes")).toEqual([]);
  });

  it("finds proper names, but not the words that start a request", () => {
    const names = (text: string) => properNames(text).map((n) => n.text);
    expect(names("What's the weather in Rio de Janeiro and São Paulo?")).toEqual([
      "Rio de Janeiro",
      "São Paulo",
    ]);
    expect(names("Book Luigi's for Friday")).toEqual(["Luigi's"]);
    expect(names("Oslo is cold. When is the next train?")).toEqual(["Oslo"]);
    expect(names("a cab from Heathrow Terminal 5")).toEqual(["Heathrow Terminal 5"]);
    expect(quoted(`Translate 'good morning' and “thank you”, not Luigi's`).map((q) => q.text)).toEqual([
      "good morning",
      "thank you",
    ]);
  });

  it("knows which cue word a parameter listens for, from its name and then its description", () => {
    expect(cueOf("station", "Departure station")).toBe("from");
    expect(cueOf("destination_city", "")).toBe("to");
    expect(cueOf("restaurant", "")).toBe("at");
    expect(cueOf("location", "City and country")).toBe("in");
    expect(cueOf("attendees", "")).toBe("with");
    expect(cueOf("amount", "How much")).toBeUndefined();
  });

  it("stems words and relates them through the lexicon", () => {
    expect(stem("departures")).toBe(stem("departure"));
    expect(contentStems("Get the current weather for a given city")).toEqual(["weather", "citi"]);
    expect(related(stem("warm"), stem("weather"))).toBe(true);
    expect(related(stem("cab"), stem("taxi"))).toBe(true);
    expect(related(stem("warm"), stem("train"))).toBe(false);
    // Irregular simple pasts stem as their verb; past participles, which name columns, do not.
    expect(stem("swam")).toBe(stem("swim"));
    expect(stem("ran")).toBe(stem("running"));
    expect(stem("driven")).not.toBe(stem("drives"));
    expect(related(stem("dentist"), stem("doctor"))).toBe(true);
  });
});
