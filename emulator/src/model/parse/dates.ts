/**
 * Dates and times in a request ("7pm", "19:30", "tomorrow", "next Friday at noon", "24 December",
 * "2026-12-24"), read by chrono-node (a well-kept natural-language date parser with no dependencies)
 * against the emulator's clock, in its local time zone: the lab runs on the user's own machine. A
 * duration ("for 30 minutes") is not a date. Each result says which parts the user actually gave.
 */
import { createRequire } from "node:module";
import type * as Chrono from "chrono-node/en";
import type { Span } from "./spans.ts";

/**
 * chrono-node's English parser (the same one as its top-level `parse`, without the fifteen other
 * locales: 52 modules instead of 266), loaded the first time a request is read for dates rather
 * than at every emulator start, which sits on the path to a demo's first prompt (`pnpm bench`).
 * Synchronous (`require`) because the readers that ask for dates are; the cost falls on that one turn.
 */
let chrono: typeof Chrono | undefined;
const englishDates = (): typeof Chrono => {
  chrono ??= createRequire(import.meta.url)("chrono-node/en") as typeof Chrono;
  return chrono;
};

export interface WhenSpan extends Span {
  /** YYYY-MM-DD, when the user named a day (or a weekday, "tomorrow", …). */
  date?: string;
  /** HH:MM (24-hour), when the user named a time of day. */
  time?: string;
  /** The full local date and time, ISO 8601 without offset (implied parts filled in). */
  dateTime: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * "3 minute", "90 seconds", "two weeks": how long, not when (chrono reads them as that long from now).
 * A word and its unit are apart: "yesterday" and "today" end in "day" but are days.
 */
const DURATION =
  /^(?:\d+(?:\.\d+)?[\s-]*|[a-z]+[\s-]+)(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)$/i;

export function whenIn(text: string, now: Date = new Date()): WhenSpan[] {
  const out: WhenSpan[] = [];
  for (const r of englishDates().parse(text, now, { forwardDate: true })) {
    if (/^(?:for|during|within)\b/i.test(r.text) || DURATION.test(r.text.trim())) continue;
    // A bare number ("4" in "for 4") is not a time; chrono needs a colon, am/pm or a day word for one.
    if (/^\d{1,2}$/.test(r.text.trim())) continue;
    // A range ("2027-07-01 to 2027-07-08", "tomorrow until Friday") gives a start and an end.
    // A dash cuts "3-7 March", never an ISO date's own dashes.
    const cut =
      /\s+(?:to|until|till|through|thru|-|–)\s+/i.exec(r.text) ??
      (/\d{4}-\d/.test(r.text) ? null : /(?<=\d(?:st|nd|rd|th)?)\s*[-–]\s*(?=\d)/i.exec(r.text));
    if (r.end !== undefined && r.end !== null && cut !== null) {
      out.push(span(r.start, r.text.slice(0, cut.index), r.index));
      const endText = r.text.slice(cut.index + cut[0].length);
      out.push(span(r.end, endText, r.index + r.text.length - endText.length));
      continue;
    }
    const start = dayBefore(text, r);
    if (start !== undefined) out.push(start);
    out.push(span(r.start, r.text, r.index));
  }
  return out;
}

/**
 * "the 14th to the 18th of December": chrono reads the end only; the bare day before "to" is the start,
 * in the end's month (or the month before, when its day is later than the end's).
 */
function dayBefore(text: string, r: Chrono.ParsedResult): WhenSpan | undefined {
  if (!r.start.isCertain("month") || !r.start.isCertain("day")) return undefined;
  const m = /\b((\d{1,2})(?:st|nd|rd|th)?)\s+(?:to|until|till|through|thru)\s+(?:the\s+)?$/i.exec(
    text.slice(0, r.index),
  );
  const said = m?.[1] ?? "";
  const day = Number(m?.[2]);
  if (m === null || day < 1 || day > 31) return undefined;
  const end = r.start.date();
  const date = localDate(
    new Date(end.getFullYear(), end.getMonth() - (day > end.getDate() ? 1 : 0), day, 12),
  );
  return { text: said, index: m.index, end: m.index + said.length, date, dateTime: `${date}T12:00:00` };
}

function span(component: Chrono.ParsedResult["start"], text: string, index: number): WhenSpan {
  const d = component.date();
  const hasDay = ["day", "weekday"].some((k) => component.isCertain(k as Chrono.Component));
  const hasTime = component.isCertain("hour");
  const out: WhenSpan = {
    text,
    index,
    end: index + text.length,
    dateTime: `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:00`,
  };
  if (hasDay || /\b(?:today|tonight|tomorrow|yesterday|now)\b/i.test(text)) out.date = localDate(d);
  if (hasTime) out.time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (out.date === undefined && out.time === undefined) out.date = localDate(d);
  return out;
}
