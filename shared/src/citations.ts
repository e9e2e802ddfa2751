/**
 * Numbered footnotes for cited answers (web search, file search). `watch(stream)` passes a Responses
 * stream through unchanged and, when a citation arrives right where the printed text ends (the service
 * sends `response.output_text.annotation.added` after the text it cites), prints its marker ` [n]` in
 * place. `print(response)` then lists the footnotes, including citations that only the final response
 * carried. What a footnote says is the demo's business: it passes `describe`.
 */
import type { Response, ResponseOutputText, ResponseStreamEvent } from "openai/resources/responses/responses";
import { dim } from "./terminal.ts";

export type Annotation = ResponseOutputText["annotations"][number];

/** A file_search_call result (present when the request had `include: ["file_search_call.results"]`). */
export interface SearchResult {
  file_id?: string;
  filename?: string;
  text?: string;
  score?: number;
}

export interface CitationContext {
  /** The text of the cited part, as far as it has arrived. */
  text: string;
  /** Results of this response's file searches, when the request included them. */
  results: SearchResult[];
}

export interface Footnote {
  /** Citations with the same key share one number. */
  key: string;
  /** The footnote line after its number. */
  text: string;
}

export class Footnotes {
  private readonly describe: (annotation: Annotation, context: CitationContext) => Footnote | undefined;
  private readonly write: (text: string) => void;
  private readonly notes: Footnote[] = [];
  private readonly texts = new Map<string, string>();
  private readonly seen = new Set<string>();
  private readonly results: SearchResult[] = [];

  constructor(
    describe: (annotation: Annotation, context: CitationContext) => Footnote | undefined,
    write: (text: string) => void = (text) => process.stdout.write(text),
  ) {
    this.describe = describe;
    this.write = write;
  }

  async *watch(stream: AsyncIterable<ResponseStreamEvent>): AsyncIterable<ResponseStreamEvent> {
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") {
        const key = `${event.output_index}:${event.content_index}`;
        this.texts.set(key, (this.texts.get(key) ?? "") + event.delta);
      } else if (event.type === "response.output_item.done" && event.item.type === "file_search_call") {
        this.results.push(...((event.item.results ?? []) as SearchResult[]));
      } else if (event.type === "response.output_text.annotation.added") {
        const key = `${event.output_index}:${event.content_index}`;
        const text = this.texts.get(key) ?? "";
        this.seen.add(`${key}:${event.annotation_index}`);
        const n = this.number(event.annotation as Annotation, text);
        // The marker goes in place only if the citation points at the end of what is on screen.
        if (n !== undefined && position(event.annotation as Annotation) === text.length)
          this.write(` [${n}]`);
      }
      yield event;
    }
  }

  /** Lists the footnotes under the answer (and numbers citations the stream did not announce). */
  print(response: Response): void {
    for (const [outputIndex, item] of response.output.entries()) {
      if (item.type === "file_search_call") {
        for (const result of (item.results ?? []) as SearchResult[])
          if (!this.results.includes(result)) this.results.push(result);
      }
      if (item.type !== "message") continue;
      for (const [contentIndex, part] of item.content.entries()) {
        if (part.type !== "output_text") continue;
        for (const [i, annotation] of part.annotations.entries()) {
          if (!this.seen.has(`${outputIndex}:${contentIndex}:${i}`)) this.number(annotation, part.text);
        }
      }
    }
    for (const [i, note] of this.notes.entries()) this.write(`${dim(`  [${i + 1}]`)} ${note.text}\n`);
  }

  private number(annotation: Annotation, text: string): number | undefined {
    const note = this.describe(annotation, { text, results: this.results });
    if (note === undefined) return undefined;
    const found = this.notes.findIndex((n) => n.key === note.key);
    if (found >= 0) return found + 1;
    this.notes.push(note);
    return this.notes.length;
  }
}

/** Where a citation points: the end of a url_citation's span, a file_citation's index. */
function position(annotation: Annotation): number {
  if ("end_index" in annotation) return annotation.end_index;
  if ("index" in annotation) return annotation.index;
  return -1;
}

/** The sentence(s) just before `index` in `text`: what a citation at `index` vouches for. */
export function citedPassage(text: string, index: number): string {
  const before = text.slice(0, index);
  const start = Math.max(before.lastIndexOf("\n"), 0);
  return before
    .slice(start)
    .replace(/^\s*[-*]\s+/, "")
    .trim();
}
