/**
 * A streamed turn whose model shows its output while it works (a local model streaming from its server):
 * the stream opens with the model's first word or item, the message being written goes out as
 * `output_text.delta`s as it grows, and every finished item with its usual events (stream-items.ts). The
 * events are the ones a planned reply plays, in the same order, so a client cannot tell the two apart
 * except by when the words arrive.
 */
import type { LiveOutput } from "./model/types.ts";
import type { SseWriter } from "./sse.ts";
import { emitItem } from "./stream-items.ts";
import { isObject, type Json } from "./validate.ts";

/** Where the live events go: the response's stream, and the items it delivered so far. */
export interface LiveTarget {
  sse: SseWriter;
  delivered: Json[];
}

interface Writing {
  id: string;
  outputIndex: number;
  sent: string;
  announced: number;
}

export class LiveStream implements LiveOutput {
  private target: LiveTarget | undefined;
  private writing: Writing | undefined;
  private readonly open: (model: string) => LiveTarget;

  /** `open` starts the response's stream under the model's name (called once, at the first event). */
  constructor(open: (model: string) => LiveTarget) {
    this.open = open;
  }

  get opened(): boolean {
    return this.target !== undefined;
  }

  text(model: string, id: string, text: string, annotations: Json[]): void {
    const { sse, delivered } = this.opening(model);
    if (sse.aborted) return;
    if (this.writing?.id !== id) {
      this.writing = { id, outputIndex: delivered.length, sent: "", announced: 0 };
      const item = { id, type: "message", role: "assistant", status: "in_progress", content: [] };
      sse.send({ type: "response.output_item.added", output_index: delivered.length, item });
      sse.send({
        type: "response.content_part.added",
        ...where(this.writing),
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      });
    }
    extend(sse, this.writing, text, annotations);
  }

  async item(model: string, item: Json): Promise<void> {
    const { sse, delivered } = this.opening(model);
    if (sse.aborted) return;
    const writing = this.writing;
    if (writing === undefined || writing.id !== item.id) {
      delivered.push(await emitItem(sse, item, delivered.length));
      return;
    }
    this.writing = undefined;
    const part = Array.isArray(item.content) && isObject(item.content[0]) ? item.content[0] : {};
    const text = typeof part.text === "string" ? part.text : "";
    const annotations = Array.isArray(part.annotations) ? part.annotations.filter(isObject) : [];
    extend(sse, writing, text, annotations);
    sse.send({ type: "response.output_text.done", ...where(writing), text, logprobs: [] });
    sse.send({ type: "response.content_part.done", ...where(writing), part });
    sse.send({ type: "response.output_item.done", output_index: writing.outputIndex, item });
    delivered.push(item);
  }

  /** The turn stopped before the model finished: the message being written is kept as far as it was shown. */
  cut(): void {
    const writing = this.writing;
    if (writing === undefined || this.target === undefined) return;
    this.writing = undefined;
    this.target.delivered.push({
      id: writing.id,
      type: "message",
      role: "assistant",
      status: "incomplete",
      content: [{ type: "output_text", text: writing.sent, annotations: [], logprobs: [] }],
    });
  }

  private opening(model: string): LiveTarget {
    this.target ??= this.open(model);
    return this.target;
  }
}

function where(writing: Writing) {
  return { item_id: writing.id, output_index: writing.outputIndex, content_index: 0 };
}

/** The new end of the text as one delta, then the citations that point into what was sent. */
function extend(sse: SseWriter, writing: Writing, text: string, annotations: Json[]): void {
  // The model only ever extends what it showed; anything else would make the deltas disagree with the text.
  if (text.length > writing.sent.length && text.startsWith(writing.sent)) {
    sse.send({
      type: "response.output_text.delta",
      ...where(writing),
      delta: text.slice(writing.sent.length),
      logprobs: [],
    });
    writing.sent = text;
  }
  for (; writing.announced < annotations.length; writing.announced++) {
    sse.send({
      type: "response.output_text.annotation.added",
      ...where(writing),
      annotation_index: writing.announced,
      annotation: annotations[writing.announced] as Json,
    });
  }
}
