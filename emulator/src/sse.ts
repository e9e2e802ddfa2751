/**
 * Server-sent events for one response: `event:` + `data:` lines with a growing `sequence_number`, kept
 * in order so a client can come back for the rest (`GET /responses/{id}?stream=true&starting_after=N`)
 * and several clients can read one stream. The client that asked for a foreground stream owns it: when
 * it goes away the stream stops quietly. A background response keeps going until it ends or is
 * cancelled. The `lab-drop-stream` fault cuts that first connection after a set number of text deltas,
 * which is how tests prove a client survives a network loss mid-answer. When the emulator shuts down
 * (`stop`), producing stops too, but readers still get the lifecycle events (`announce`) and one last
 * event (`finish`).
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Json } from "./validate.ts";

export interface SseOptions {
  /** Pause between text chunks, so a terminal shows the answer arriving. */
  delayMs: number;
  /** Fault injection: destroy the first connection after this many `response.output_text.delta` events. */
  dropAfterTextDeltas?: number | undefined;
  /** A background response outlives its connections; only cancel stops it. */
  background?: boolean;
  /** Aborted when the emulator begins to shut down: stop producing, then `finish` with a last event. */
  stop?: AbortSignal | undefined;
}

interface Frame {
  sequence: number;
  text: string;
}

export class SseWriter {
  private readonly options: SseOptions;
  private readonly frames: Frame[] = [];
  private readonly readers = new Set<ServerResponse>();
  private origin: ServerResponse | undefined;
  private sequence = 0;
  private textDeltas = 0;
  private originGone = false;
  private stopped = false;
  private ended = false;
  private readonly endedSignal = Promise.withResolvers<void>();
  private readonly gone = new AbortController();
  /** Aborted the moment `aborted` turns true, so work done for this stream (a model server's answer) stops. */
  readonly signal: AbortSignal;

  constructor(options: SseOptions) {
    this.options = options;
    this.signal = options.stop ? AbortSignal.any([this.gone.signal, options.stop]) : this.gone.signal;
  }

  /** True when the producer should stop: cancelled, stopping, or the foreground client went away. */
  get aborted(): boolean {
    return this.stopped || this.stopping || this.clientGone;
  }

  /** The client that asked for a foreground stream went away (a background one never counts as gone). */
  get clientGone(): boolean {
    return !this.options.background && this.originGone;
  }

  /** The emulator is shutting down. */
  get stopping(): boolean {
    return this.options.stop?.aborted === true;
  }

  /** True once `cancel()` was called (a background response the caller stopped). */
  get cancelled(): boolean {
    return this.stopped;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Resolves once the last event has been written. */
  get done(): Promise<void> {
    return this.endedSignal.promise;
  }

  cancel(): void {
    this.stopped = true;
    this.gone.abort();
  }

  /**
   * Sends the stream to `res`: every event after `startingAfter` that has already happened, then the
   * rest as it happens. The first connection attached is the one that asked for the stream.
   */
  attach(res: ServerResponse, startingAfter = -1): void {
    const first = this.origin === undefined;
    if (first) this.origin = res;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.flushHeaders();
    for (const frame of this.frames) if (frame.sequence > startingAfter) res.write(frame.text);
    if (this.ended) return void res.end();
    this.readers.add(res);
    res.on("close", () => {
      this.readers.delete(res);
      if (first && !res.writableFinished) this.loseOrigin();
    });
  }

  send(event: Json & { type: string }): void {
    if (!this.aborted) this.write(event);
  }

  /** A lifecycle event (created, queued, in_progress): sent even while stopping, so the stream is whole. */
  announce(event: Json & { type: string }): void {
    if (!this.clientGone) this.write(event);
  }

  /** The last event (also after a cancel or while stopping), then the end of the stream. */
  finish(event: Json & { type: string }): void {
    if (!this.clientGone) this.write(event);
    this.end();
  }

  private write(event: Json & { type: string }): void {
    const { type, ...rest } = event;
    const sequence = this.sequence++;
    const text = `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...rest })}\n\n`;
    this.frames.push({ sequence, text });
    for (const res of this.readers) {
      if (res.destroyed) continue;
      if (res === this.origin && type === "response.output_text.delta" && this.dropsAfterThis()) {
        // Cut the connection only once this delta is on the wire, so the client really sees it first.
        this.loseOrigin();
        this.readers.delete(res);
        res.write(text, () => res.socket?.destroy());
        continue;
      }
      res.write(text);
    }
  }

  async pause(): Promise<void> {
    if (this.options.delayMs <= 0 || this.aborted) return;
    // A shutdown cuts the pause short, so the last event goes out at once.
    await sleep(this.options.delayMs, undefined, { signal: this.options.stop }).catch(() => {});
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const res of this.readers) if (!res.destroyed) res.end();
    this.readers.clear();
    this.endedSignal.resolve();
  }

  private loseOrigin(): void {
    this.originGone = true;
    if (!this.options.background) this.gone.abort();
  }

  private dropsAfterThis(): boolean {
    this.textDeltas++;
    const limit = this.options.dropAfterTextDeltas;
    return limit !== undefined && this.textDeltas >= limit;
  }
}
