/**
 * Server-sent events framing for streamed responses: `event:` + `data:` lines, a growing
 * `sequence_number`, and detection of a client that went away (then every later write is skipped, so a
 * disconnect stops the stream quietly). The `lab-drop-stream` fault cuts the socket after a set number of
 * text deltas, which is how tests prove a client survives a network loss mid-answer. When the emulator
 * shuts down (`stop`), producing stops too, but the client still gets one last event (`finish`).
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Json } from "./validate.ts";

export interface SseOptions {
  /** Pause between text chunks, so a terminal shows the answer arriving. */
  delayMs: number;
  /** Fault injection: destroy the socket after this many `response.output_text.delta` events. */
  dropAfterTextDeltas?: number | undefined;
  /** Aborted when the emulator begins to shut down: stop producing, then `finish` with a last event. */
  stop?: AbortSignal | undefined;
}

export class SseWriter {
  private readonly res: ServerResponse;
  private readonly options: SseOptions;
  private sequence = 0;
  private textDeltas = 0;
  private gone = false;

  constructor(res: ServerResponse, options: SseOptions) {
    this.res = res;
    this.options = options;
    res.on("close", () => {
      if (!res.writableFinished) this.gone = true;
    });
  }

  /** True when the client disconnected (or the fault cut it), or the emulator is stopping: stop producing. */
  get aborted(): boolean {
    return this.clientGone || this.options.stop?.aborted === true;
  }

  get clientGone(): boolean {
    return this.gone || this.res.destroyed;
  }

  open(): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    this.res.flushHeaders();
  }

  send(event: Json & { type: string }): void {
    if (this.aborted) return;
    this.write(event);
  }

  /** A lifecycle event (created, in_progress): sent even while the emulator stops, so the stream is whole. */
  announce(event: Json & { type: string }): void {
    if (!this.clientGone) this.write(event);
  }

  /** The last event, sent even while the emulator stops (a terminal event), then the end of the stream. */
  finish(event: Json & { type: string }): void {
    if (this.clientGone) return;
    this.write(event);
    this.res.end();
  }

  private write(event: Json & { type: string }): void {
    const { type, ...rest } = event;
    const data = { type, sequence_number: this.sequence++, ...rest };
    const frame = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    if (type === "response.output_text.delta" && this.dropsAfterThis()) {
      // Cut the connection only once this delta is on the wire, so the client really sees it first.
      this.gone = true;
      this.res.write(frame, () => this.res.socket?.destroy());
      return;
    }
    this.res.write(frame);
  }

  async pause(): Promise<void> {
    if (this.options.delayMs <= 0 || this.aborted) return;
    // A shutdown cuts the pause short, so the last event goes out at once.
    await sleep(this.options.delayMs, undefined, { signal: this.options.stop }).catch(() => {});
  }

  end(): void {
    if (!this.aborted) this.res.end();
  }

  private dropsAfterThis(): boolean {
    this.textDeltas++;
    const limit = this.options.dropAfterTextDeltas;
    return limit !== undefined && this.textDeltas >= limit;
  }
}
