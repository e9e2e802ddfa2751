/**
 * The Responses API (`openai.responses.*`), mounted under `/openai/v1` and under the agent endpoint.
 * A turn is: read and resolve the request, ask the model for a plan of output items, then either answer
 * with JSON or stream the plan as SSE. The turn is saved (and appended to its conversation) before the
 * final event goes out, so a client that sends its next turn right away always sees this one.
 */
import { type App, param, type Reply, type RequestContext } from "../context.ts";
import { notFound } from "../errors.ts";
import type { ModelReply } from "../model/types.ts";
import { paginate, parsePageParams } from "../paging.ts";
import { claimApprovals } from "../response-approvals.ts";
import { failsAsStream } from "../response-failed.ts";
import {
  abandoned,
  completed,
  type ResponseObject,
  responseShell,
  stoppedByShutdown,
} from "../response-object.ts";
import { readTurn, type Turn } from "../response-request.ts";
import type { Router } from "../router.ts";
import { SseWriter } from "../sse.ts";
import { emitItem } from "../stream-items.ts";
import type { Json } from "../validate.ts";

export function mountResponses(router: Router, prefix: string, foundry: boolean): void {
  router.add("POST", `${prefix}/responses`, failsAsStream(createResponse), foundry);
  router.add("GET", `${prefix}/responses/:id`, getResponse, foundry);
  router.add("DELETE", `${prefix}/responses/:id`, deleteResponse, foundry);
  router.add("GET", `${prefix}/responses/:id/input_items`, listInputItems, foundry);
}

async function createResponse(ctx: RequestContext): Promise<Reply | undefined> {
  const turn = readTurn(ctx.app, await ctx.json(), ctx.params.agent);
  // Approval answers are checked and taken before the model runs; a turn that fails gives them back.
  const releaseApprovals = claimApprovals(ctx.app, turn);
  let plan: ModelReply | undefined;
  try {
    const planning = Promise.resolve(
      ctx.app.model.respond({
        deployment: turn.deployment,
        instructions: turn.instructions,
        tools: turn.tools,
        items: [...turn.history, ...turn.input],
        toolChoice: turn.toolChoice,
        include: turn.include,
        app: ctx.app,
      }),
    );
    plan = await (turn.stream ? unlessStopping(ctx.app.stopping, planning) : planning);
  } catch (error) {
    releaseApprovals();
    throw error;
  }
  if (plan === undefined) {
    // The emulator began to stop while the model still worked: the stream ends now, with response.failed.
    await streamTurn(ctx, turn, responseShell(turn, turn.deployment), []);
    return undefined;
  }
  const shell = responseShell(turn, plan.model);
  if (!turn.stream) {
    const response = completed(shell, turn, plan.output);
    persist(ctx.app, turn, response, true);
    return { status: 200, body: response };
  }
  await streamTurn(ctx, turn, shell, plan.output);
  return undefined;
}

async function streamTurn(
  ctx: RequestContext,
  turn: Turn,
  shell: ResponseObject,
  output: Json[],
): Promise<void> {
  const sse = new SseWriter(ctx.res, {
    delayMs: ctx.app.streamDelayMs,
    dropAfterTextDeltas: ctx.token.startsWith("lab-drop-stream") ? 2 : undefined,
    stop: ctx.app.stopping,
  });
  sse.open();
  sse.announce({ type: "response.created", response: shell });
  sse.announce({ type: "response.in_progress", response: shell });
  const delivered: Json[] = [];
  for (const [index, item] of output.entries()) {
    delivered.push(await emitItem(sse, item, index));
    if (sse.aborted) break;
  }
  if (sse.aborted && !sse.clientGone) {
    // The emulator is stopping: the client gets a terminal event naming why, and the turn is kept as failed.
    const response = stoppedByShutdown(shell, turn, delivered);
    persist(ctx.app, turn, response, false);
    sse.finish({ type: "response.failed", response });
    return;
  }
  if (sse.aborted) {
    // The client is gone: keep what it saw for inspection, but the conversation gains nothing.
    if (!ctx.app.closed) persist(ctx.app, turn, abandoned(shell, turn, delivered), false);
    return;
  }
  const response = completed(shell, turn, output);
  persist(ctx.app, turn, response, true);
  sse.send({ type: "response.completed", response });
  sse.end();
}

function persist(app: App, turn: Turn, response: ResponseObject, appendToConversation: boolean): void {
  if (turn.store) {
    app.responses.save({
      response,
      inputItems: turn.input,
      history: turn.history,
      previousResponseId: turn.previousResponseId,
      conversationId: turn.conversationId,
    });
  }
  // Only approval requests the client was shown to the end can be answered (an abandoned stream's cannot).
  if (appendToConversation && (turn.store || turn.conversationId !== null)) {
    app.approvals.recordIssued(response, turn.conversationId);
  }
  if (appendToConversation && turn.conversationId !== null) {
    app.conversations.addItems(turn.conversationId, [...turn.input, ...response.output]);
  }
}

/** The model's plan, or undefined when the emulator begins to stop first (its late answer is dropped). */
function unlessStopping<T>(stopping: AbortSignal, work: Promise<T>): Promise<T | undefined> {
  if (stopping.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const stop = () => resolve(undefined);
    stopping.addEventListener("abort", stop, { once: true });
    work.then(
      (value) => {
        stopping.removeEventListener("abort", stop);
        resolve(value);
      },
      (error: unknown) => {
        stopping.removeEventListener("abort", stop);
        reject(error);
      },
    );
  });
}

function stored(ctx: RequestContext) {
  const found = ctx.app.responses.get(param(ctx, "id"));
  if (found === undefined) throw notFound(`Response with id '${param(ctx, "id")}' not found.`);
  return found;
}

function getResponse(ctx: RequestContext): Reply {
  return { status: 200, body: stored(ctx).response };
}

function deleteResponse(ctx: RequestContext): Reply {
  const id = param(ctx, "id");
  if (!ctx.app.responses.delete(id)) throw notFound(`Response with id '${id}' not found.`);
  return { status: 200, body: { id, object: "response.deleted", deleted: true } };
}

function listInputItems(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  const items = stored(ctx).inputItems;
  return { status: 200, body: { object: "list", ...paginate(items, page, (item) => String(item.id)) } };
}
