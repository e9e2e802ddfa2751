/**
 * The user's turns, read from the chat's readline: one line each, except that
 * - a multi-line paste at a terminal is one turn, sent with Enter like a typed line (the terminal marks
 *   pastes when asked to: "bracketed paste", ESC[?2004h, which Node's readline reports as the keys
 *   paste-start and paste-end);
 * - a ``` fenced block is one turn, from its opening line to its closing fence, typed or piped line by
 *   line (so Python can be given to the code interpreter even where a terminal does not mark pastes).
 */
import type readline from "node:readline";

/** A line that opens or closes a fenced block; "```print(1)```" on one line does both, so it is neither. */
const FENCE = /^\s*(?:```(?!.*```)|~~~(?!.*~~~))/;

export interface TurnOptions {
  /** A terminal: ask it to mark pastes. */
  interactive: boolean;
  /** Called when a turn continues on the next line (an open fence), and when it is complete again. */
  continues?(open: boolean): void;
}

export async function* turnsFrom(rl: readline.Interface, options: TurnOptions): AsyncGenerator<string> {
  let pasting = false;
  const onKey = (_: string, key?: { name?: string }) => {
    if (key?.name === "paste-start") pasting = true;
    else if (key?.name === "paste-end") pasting = false;
  };
  // Whether a line came inside a paste is known only when readline emits it, so lines are queued here.
  const queue: { text: string; pasted: boolean }[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const onLine = (text: string) => {
    queue.push({ text, pasted: pasting });
    wake?.();
  };
  const onClose = () => {
    closed = true;
    wake?.();
  };
  const stopMarking = () => process.stdout.write("\x1b[?2004l");
  rl.on("line", onLine);
  rl.once("close", onClose);
  if (options.interactive) {
    process.stdin.on("keypress", onKey);
    process.stdout.write("\x1b[?2004h");
    process.once("exit", stopMarking); // also on process.exit(), so the shell gets plain pastes back
  }
  try {
    const held: string[] = [];
    for (;;) {
      const next = queue.shift();
      if (next === undefined) {
        if (closed) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      held.push(next.text);
      if (next.pasted) continue; // the paste's last line is still in the input, waiting for Enter
      const fences = held.filter((line) => FENCE.test(line)).length;
      if (fences % 2 === 1) {
        options.continues?.(true);
        continue;
      }
      if (fences > 0) options.continues?.(false);
      yield held.splice(0).join("\n");
    }
    if (held.length > 0) yield held.join("\n");
  } finally {
    rl.off("line", onLine);
    rl.off("close", onClose);
    if (options.interactive) {
      process.stdin.off("keypress", onKey);
      process.off("exit", stopMarking);
      stopMarking();
    }
  }
}
