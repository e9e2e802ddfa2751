/** One tool call, one line: the call line fits the terminal and shows a duration only when there is one. */
import { stripVTControlCharacters } from "node:util";
import { afterEach, expect, it } from "vitest";
import { formatToolCall as colored } from "../src/terminal.ts";

const formatToolCall = (call: Parameters<typeof colored>[0]) => stripVTControlCharacters(colored(call));

const columns = Object.getOwnPropertyDescriptor(process.stdout, "columns");
afterEach(() => {
  if (columns) Object.defineProperty(process.stdout, "columns", columns);
  else delete (process.stdout as { columns?: number }).columns;
});

const issues = JSON.stringify(
  [1, 2, 3].map((n) => ({ number: n, title: `Issue number ${n} with a long title`, state: "open" })),
  null,
  2,
);

it("a server-side call (no duration) shows no made-up '0 ms'", () => {
  const line = formatToolCall({ name: "list_issues", arguments: '{"state":"open"}', ok: true, output: "[]" });
  expect(line).toBe('  ⚙ list_issues({"state":"open"}) → []');
});

it("a timed call shows its duration", () => {
  const line = formatToolCall({ name: "f", arguments: "{}", ok: true, output: "ok", durationMs: 12.4 });
  expect(line).toBe("  ⚙ f({}) 12 ms → ok");
});

it("the line is cut to the terminal's width instead of wrapping", () => {
  for (const width of [120, 80]) {
    Object.defineProperty(process.stdout, "columns", { value: width, configurable: true });
    const line = formatToolCall({
      name: "list_issues",
      arguments: '{"state":"open"}',
      ok: true,
      output: issues,
    });
    expect(line.length).toBeLessThan(width);
    expect(line).toMatch(/→ \[ \{ "number": 1, .*…$/);
  }
});
