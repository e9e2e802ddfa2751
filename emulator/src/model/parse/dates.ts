/**
 * Dates and times in a request ("7pm", "19:30", "tomorrow", "next Friday at noon", "24 December",
 * "2026-12-24"), read by chrono-node (a well-kept natural-language date parser with no dependencies)
 * against the emulator's clock, in its local time zone: the lab runs on the user's own machine. A
 * duration ("for 30 minutes") is not a date. Each result says which parts the user actually gave.
 */
import * as chrono from "chrono-node";
import type { Span } from "./spans.ts";

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

export function whenIn(text: string, now: Date = new Date()): WhenSpan[] {
  const out: WhenSpan[] = [];
  for (const r of chrono.parse(text, now, { forwardDate: true })) {
    if (/^(?:for|during|within)\b/i.test(r.text)) continue;
    // A bare number ("4" in "for 4") is not a time; chrono needs a colon, am/pm or a day word for one.
    if (/^\d{1,2}$/.test(r.text.trim())) continue;
    const d = r.start.date();
    const hasDay = ["day", "weekday"].some((k) => r.start.isCertain(k as chrono.Component));
    const hasTime = r.start.isCertain("hour");
    const span: WhenSpan = {
      text: r.text,
      index: r.index,
      end: r.index + r.text.length,
      dateTime: `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:00`,
    };
    if (hasDay || /\b(?:today|tonight|tomorrow|yesterday|now)\b/i.test(r.text)) span.date = localDate(d);
    if (hasTime) span.time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (span.date === undefined && span.time === undefined) span.date = localDate(d);
    out.push(span);
  }
  return out;
}
