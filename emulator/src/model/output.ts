/**
 * The assistant message every skill ends its answer with: one `output_text` part, with the citations
 * (`file_citation`, `url_citation`, `container_file_citation`) that point into that text.
 */
import { newId } from "../ids.ts";
import type { Json } from "../validate.ts";

export function assistantMessage(text: string, annotations: Json[] = []): Json {
  return {
    id: newId("msg"),
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text, annotations, logprobs: [] }],
  };
}
