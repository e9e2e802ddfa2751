/**
 * The user's turns, read from the chat's readline: one line each, except that
 * - a multi-line paste at a terminal is one turn, sent with Enter like a typed line (the terminal marks
 *   pastes when asked to: "bracketed paste", ESC[?2004h, which Node's readline reports as the keys
 *   paste-start and paste-end);
 * - a ``` fenced block is one turn, from its opening line to its closing fence, typed or piped line by
 *   line (so Python can be given to the code interpreter even where a terminal does not mark pastes).
 * When stdin is not a terminal, a question asked in the middle of a turn (an approval) takes the next
 * line of the same input as its answer, so a piped script holds the answers too ({@link InputLines.next}).
 */
import type readline from "node:readline";

/** A line that opens or closes a fenced block; "```print(1)```" on one line does both, so it is neither. */
const FENCE = /^\s*(?:```(?!.*```)|~~~(?!.*~~~))/;

export interface TurnOptions {
  /** Called when a turn continues on the next line (an open fence), and when it is complete again. */
  continues?(open: boolean): void;
}

export interface InputLine {
  text: string;
  /** The line came inside a terminal's paste (its last line is still waiting for Enter). */
  pasted: boolean;
}

/** Every line readline reads, in order, for whoever reads next: the turns, or a question in a turn. */
export class InputLines {
  // Whether a line came inside a paste is known only when readline emits it, so lines are queued here.
  private readonly queue: InputLine[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  private pasting = false;
  private readonly detach: () => void;

  constructor(rl: readline.Interface, options: { interactive: boolean }) {
    const onKey = (_: string, key?: { name?: string }) => {
      if (key?.name === "paste-start") this.pasting = true;
      else if (key?.name === "paste-end") this.pasting = false;
    };
    const onLine = (text: string) => {
      this.queue.push({ text, pasted: this.pasting });
      this.wake?.();
    };
    const onClose = () => {
      this.ended = true;
      this.wake?.();
    };
    const stopMarking = () => process.stdout.write("\x1b[?2004l");
    rl.on("line", onLine);
    rl.once("close", onClose);
    if (options.interactive) {
      process.stdin.on("keypress", onKey);
      process.stdout.write("\x1b[?2004h");
      process.once("exit", stopMarking); // also on process.exit(), so the shell gets plain pastes back
    }
    this.detach = () => {
      rl.off("line", onLine);
      rl.off("close", onClose);
      if (options.interactive) {
        process.stdin.off("keypress", onKey);
        process.off("exit", stopMarking);
        stopMarking();
      }
    };
  }

  /**
   * The next line, waiting for it if need be; undefined once the input has ended and every line is read.
   * An aborted `signal` stops the wait (throwing its reason) without taking a line.
   */
  async next(signal?: AbortSignal): Promise<InputLine | undefined> {
    for (;;) {
      signal?.throwIfAborted();
      const line = this.queue.shift();
      if (line !== undefined) return line;
      if (this.ended) return undefined;
      let wake = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.wake = wake;
      signal?.addEventListener("abort", wake, { once: true });
      await woken;
      signal?.removeEventListener("abort", wake);
      if (this.wake === wake) this.wake = undefined;
    }
  }

  close(): void {
    this.detach();
  }
}

export async function* turnsFrom(lines: InputLines, options: TurnOptions = {}): AsyncGenerator<string> {
  const held: string[] = [];
  for (let next = await lines.next(); next !== undefined; next = await lines.next()) {
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
}
