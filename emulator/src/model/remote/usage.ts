/**
 * A turn's usage: the sum over its model steps of what the server reported (`prompt_tokens`,
 * `completion_tokens` and their details). A step the server sent no counts for is estimated from its
 * text (tokens.ts), so the total is never a mix of nothing and something.
 */
import { estimateTokens } from "../../tokens.ts";
import type { Json } from "../../validate.ts";
import type { ChatMessage, ChatReply } from "./chat-client.ts";

export class Usage {
  private input = 0;
  private output = 0;
  private cached = 0;
  private reasoning = 0;

  add(reply: ChatReply, messages: ChatMessage[]): void {
    if (reply.usage !== undefined) {
      this.input += reply.usage.input;
      this.output += reply.usage.output;
      this.cached += reply.usage.cached;
      this.reasoning += reply.usage.reasoning;
      return;
    }
    // An image counts as its text parts only: its tokens depend on the model's vision encoder.
    const text = (m: ChatMessage) =>
      Array.isArray(m.content)
        ? m.content.map((p) => (p.type === "text" ? p.text : "")).join("\n")
        : (m.content ?? "");
    this.input += estimateTokens(messages.map(text).join("\n"));
    this.output += estimateTokens(
      [reply.content, ...reply.toolCalls.map((c) => `${c.function.name} ${c.function.arguments}`)].join("\n"),
    );
  }

  total(): Json {
    return {
      input_tokens: this.input,
      input_tokens_details: { cached_tokens: this.cached },
      output_tokens: this.output,
      output_tokens_details: { reasoning_tokens: this.reasoning },
      total_tokens: this.input + this.output,
    };
  }
}
