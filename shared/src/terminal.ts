/**
 * Terminal printing. Colour only when the stream is a terminal (util.styleText checks the stream and
 * honours NO_COLOR / FORCE_COLOR), so piped output and transcripts stay plain text.
 */
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return styleText(style, text, { stream });
}

export const dim = (text: string) => paint("dim", text);
export const bold = (text: string) => paint("bold", text);
export const cyan = (text: string) => paint("cyan", text);
export const green = (text: string) => paint("green", text);
export const yellow = (text: string) => paint("yellow", text);

export function info(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** One line on stderr, marked so it stands out from the model's words. */
export function problem(text: string): void {
  process.stderr.write(`${paint("red", "✖", process.stderr)} ${text}\n`);
}

export function notice(text: string): void {
  process.stdout.write(`${yellow("!")} ${text}\n`);
}

/** Shortens a value for one-line display (tool arguments, results, questions). */
export function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * One line per tool call: name, arguments, duration (when this process timed it; a server-side call has
 * none), and the start of what went back, cut to fit the terminal's width so the line never wraps.
 */
export function formatToolCall(call: {
  name: string;
  arguments: string;
  ok: boolean;
  output: string;
  durationMs?: number;
}): string {
  const mark = call.ok ? green("⚙") : yellow("⚠");
  const args = `(${clip(call.arguments, 60)})`;
  const took = call.durationMs === undefined ? "→" : `${Math.round(call.durationMs)} ms →`;
  const used = `  ⚙ ${call.name}${args} ${took} `.length;
  const room = process.stdout.columns ? Math.max(20, process.stdout.columns - used - 1) : 90;
  return `  ${mark} ${bold(call.name)}${dim(args)} ${dim(took)} ${clip(call.output, Math.min(90, room))}`;
}
