/**
 * Printing a streamed response as it arrives. Text deltas go straight to the terminal; with --trace,
 * every stream event type and output item is shown too, so learners can watch the protocol.
 */
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { dim } from "./terminal.ts";

export interface StreamView {
  /** Print the type of each stream event and output item (the --trace flag). */
  trace: boolean;
  /** Where the text goes (the chat's stdout). */
  write(text: string): void;
  /**
   * Whether the terminal's cursor is at the start of a line, when others write to it too (the chat's
   * `Agent › `, a demo's own lines); trace lines and the end of the answer then start a new line.
   */
  atLineStart?(): boolean;
}

/** Thrown when a stream ends with `response.failed`, an `error` event, or no `response.completed`. */
export class StreamError extends Error {
  override name = "StreamError";
}

/**
 * Consumes a Responses stream, printing text as it arrives, and returns the final response
 * (`response.completed`, or `response.incomplete`) together with the text that was shown.
 */
export async function printStream(
  stream: AsyncIterable<ResponseStreamEvent>,
  view: StreamView,
): Promise<{ response: Response; text: string }> {
  let text = "";
  let deltas = 0;
  let wroteLineEnd = true;
  const emit = (chunk: string) => {
    view.write(chunk);
    if (chunk.length) wroteLineEnd = chunk.endsWith("\n");
  };
  const atLineStart = () => (view.atLineStart ? view.atLineStart() : wroteLineEnd);
  const traceLine = (line: string) => {
    if (!view.trace) return;
    if (!atLineStart()) emit("\n");
    emit(`${dim(`  · ${line}`)}\n`);
  };
  const flushDeltas = () => {
    if (deltas > 0) traceLine(`response.output_text.delta ×${deltas}`);
    deltas = 0;
  };
  let final: Response | undefined;
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") {
      if (view.trace && deltas === 0) traceLine("response.output_text.delta …");
      deltas++;
      text += event.delta;
      emit(event.delta);
      continue;
    }
    flushDeltas();
    if (event.type === "response.output_item.added" || event.type === "response.output_item.done") {
      traceLine(
        `${event.type}  ${event.item.type}${"id" in event.item && event.item.id ? ` ${event.item.id}` : ""}`,
      );
    } else {
      traceLine(event.type);
    }
    if (event.type === "response.completed" || event.type === "response.incomplete") final = event.response;
    if (event.type === "response.failed") {
      throw new StreamError(event.response.error?.message ?? "the service reported that the response failed");
    }
    if (event.type === "error") throw new StreamError(event.message);
  }
  flushDeltas();
  if (!atLineStart()) emit("\n");
  if (!final) throw new StreamError("the stream ended before the response was complete");
  return { response: final, text };
}
