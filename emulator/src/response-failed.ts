/**
 * When the model itself fails before any output (a local model server down, too slow, busy, or answering
 * something that is not a model's reply: a ModelError), a client that asked for a stream still gets one,
 * ending in `response.failed` with the error's one sentence, which is where streaming clients look for
 * it. A JSON request, or any other error, stays the HTTP error in the service's shape.
 */
import type { Handler } from "./context.ts";
import { ModelError } from "./errors.ts";
import { responseShell } from "./response-object.ts";
import { readTurn } from "./response-request.ts";
import { SseWriter } from "./sse.ts";

export function failsAsStream(handler: Handler): Handler {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (error) {
      if (!(error instanceof ModelError) || ctx.res.headersSent) throw error;
      // The body was read and checked before the model ran, so this reads the same turn again.
      const turn = readTurn(ctx.app, await ctx.json(), ctx.params.agent);
      if (!turn.stream) throw error;
      const shell = responseShell(turn, error.model ?? turn.deployment);
      const sse = new SseWriter({ delayMs: 0 });
      sse.attach(ctx.res);
      sse.send({ type: "response.created", response: shell });
      sse.send({ type: "response.in_progress", response: shell });
      const failed = { ...shell, status: "failed", error: { code: error.code, message: error.message } };
      sse.finish({ type: "response.failed", response: failed });
      return undefined;
    }
  };
}
