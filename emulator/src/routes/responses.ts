/**
 * The Responses API (`openai.responses.*`), mounted under `/openai/v1` and under the agent endpoint.
 * A turn is: read and resolve the request, ask the model for a plan of output items, then either answer
 * with JSON or play the plan as events. Events are kept per response, so a stream can be resumed
 * (`GET /responses/{id}?stream=true&starting_after=N`) and a background response (`background: true`:
 * queued → in_progress → completed) can be followed, retrieved while it runs, or cancelled. The turn is
 * saved (and appended to its conversation) before the final event goes out, so a client that sends its
 * next turn right away always sees this one.
 */
import { type App, param, type Reply, type RequestContext } from "../context.ts";
import { ApiError, invalidValue, notFound } from "../errors.ts";
import { paginate, parsePageParams } from "../paging.ts";
import {
  abandoned,
  cancelled,
  completed,
  type ResponseObject,
  responseShell,
  withLogprobs,
} from "../response-object.ts";
import { readTurn, type Turn } from "../response-request.ts";
import type { Router } from "../router.ts";
import { SseWriter } from "../sse.ts";
import { emitItem } from "../stream-items.ts";
import type { Json } from "../validate.ts";

export function mountResponses(router: Router, prefix: string, foundry: boolean): void {
  router.add("POST", `${prefix}/responses`, createResponse, foundry);
  router.add("POST", `${prefix}/responses/compact`, compact, foundry);
  router.add("GET", `${prefix}/responses/:id`, getResponse, foundry);
  router.add("DELETE", `${prefix}/responses/:id`, deleteResponse, foundry);
  router.add("POST", `${prefix}/responses/:id/cancel`, cancelResponse, foundry);
  router.add("GET", `${prefix}/responses/:id/input_items`, listInputItems, foundry);
}

/** Streams of this process, running or recently finished, by response id (their events, for resuming). */
const streams = new WeakMap<App, Map<string, SseWriter>>();
const KEPT_STREAMS = 200;

function streamsOf(app: App): Map<string, SseWriter> {
  const found = streams.get(app) ?? new Map<string, SseWriter>();
  streams.set(app, found);
  return found;
}

async function createResponse(ctx: RequestContext): Promise<Reply | undefined> {
  const turn = readTurn(ctx.app, await ctx.json(), ctx.params.agent);
  const plan = await ctx.app.model.respond({
    deployment: turn.deployment,
    instructions: turn.instructions,
    tools: turn.tools,
    items: [...turn.history, ...turn.input],
    toolChoice: turn.toolChoice,
    include: turn.include,
    app: ctx.app,
  });
  const shell = responseShell(turn, plan.model);
  const output = plan.output.map(withLogprobs);
  if (!turn.stream && !turn.background) {
    const response = completed(shell, turn, output);
    if (turn.store) ctx.app.responses.save({ response, inputItems: turn.input, history: turn.history });
    appendToConversation(ctx.app, turn, response);
    return { status: 200, body: response };
  }
  const sse = new SseWriter({
    delayMs: ctx.app.streamDelayMs,
    dropAfterTextDeltas: ctx.token.startsWith("lab-drop-stream") ? 2 : undefined,
    background: turn.background,
  });
  // Stored from the start, so `GET /responses/{id}` answers while the turn runs.
  if (turn.store) ctx.app.responses.save({ response: shell, inputItems: turn.input, history: turn.history });
  keep(ctx.app, shell.id, sse);
  if (turn.stream) sse.attach(ctx.res);
  const running = play(ctx.app, turn, shell, output, sse).catch((error: unknown) => {
    sse.end();
    console.error(`[emulator] response ${shell.id} failed: ${(error as Error).message ?? String(error)}`);
  });
  if (!turn.stream) return { status: 200, body: shell };
  await running;
  return undefined;
}

/** Plays a plan as events; the stored response follows every change of status. */
async function play(app: App, turn: Turn, queued: ResponseObject, output: Json[], sse: SseWriter) {
  const update = (response: ResponseObject) => {
    if (turn.store && !app.closed) app.responses.updateBody(response);
  };
  sse.send({ type: "response.created", response: queued });
  let shell = queued;
  if (turn.background) {
    sse.send({ type: "response.queued", response: queued });
    await sse.pause();
    shell = { ...queued, status: "in_progress" };
    update(shell);
  }
  sse.send({ type: "response.in_progress", response: shell });
  const delivered: Json[] = [];
  for (const [index, item] of output.entries()) {
    if (sse.aborted) break;
    delivered.push(await emitItem(sse, item, index));
  }
  if (sse.cancelled) {
    // The caller cancelled: keep what was produced; the conversation gains nothing.
    const response = cancelled(shell, turn, delivered);
    update(response);
    sse.send({ type: "response.incomplete", response });
    return sse.end();
  }
  if (sse.aborted) {
    // The client is gone: keep what it saw for inspection, but the conversation gains nothing.
    update(abandoned(shell, turn, delivered));
    return sse.end();
  }
  const response = completed(shell, turn, output);
  update(response);
  appendToConversation(app, turn, response);
  sse.send({ type: "response.completed", response });
  sse.end();
}

function keep(app: App, id: string, sse: SseWriter): void {
  const kept = streamsOf(app);
  kept.set(id, sse);
  for (const [oldId, old] of kept) {
    if (kept.size <= KEPT_STREAMS) break;
    if (old.finished) kept.delete(oldId);
  }
}

function appendToConversation(app: App, turn: Turn, response: ResponseObject): void {
  if (turn.conversationId !== null && !app.closed) {
    app.conversations.addItems(turn.conversationId, [...turn.input, ...response.output]);
  }
}

function stored(ctx: RequestContext) {
  const found = ctx.app.responses.get(param(ctx, "id"));
  if (found === undefined) throw notFound(`Response with id '${param(ctx, "id")}' not found.`);
  return found;
}

async function getResponse(ctx: RequestContext): Promise<Reply | undefined> {
  if (ctx.query.get("stream") !== "true") return { status: 200, body: stored(ctx).response };
  // Resuming a stream: every event after `starting_after` (all of them without it), then the rest live.
  const id = param(ctx, "id");
  const raw = ctx.query.get("starting_after");
  const after = raw === null ? -1 : Number(raw);
  if (!Number.isInteger(after) || after < -1) {
    throw invalidValue("starting_after", "'starting_after' must be a sequence number (an integer).");
  }
  stored(ctx); // a response kept nowhere (`store: false`) has no stream to come back to either
  const sse = streamsOf(ctx.app).get(id);
  if (sse === undefined) {
    throw invalidValue(
      "stream",
      `Response '${id}' has no stream to resume: only responses streamed or run in the background since the emulator started keep their events.`,
    );
  }
  sse.attach(ctx.res, after);
  await new Promise<void>((resolve) => {
    ctx.res.once("close", resolve);
    void sse.done.then(resolve);
  });
  return undefined;
}

async function cancelResponse(ctx: RequestContext): Promise<Reply> {
  const { response } = stored(ctx);
  if (response.background !== true) {
    throw new ApiError(
      400,
      "invalid_request",
      "Only responses created with background=true can be cancelled.",
      {
        param: "response_id",
      },
    );
  }
  const sse = streamsOf(ctx.app).get(response.id);
  if (sse !== undefined && !sse.finished) {
    sse.cancel();
    await sse.done;
  }
  // Cancelling a finished response is idempotent: it answers the response as it ended.
  return { status: 200, body: stored(ctx).response };
}

/** Compaction (`responses.compact`) is newer than this emulator: a clear 404, not a clash with `{id}`. */
function compact(): Reply {
  throw notFound(
    "POST /responses/compact is not implemented by the emulator; keep the history with 'conversation' or 'previous_response_id'.",
  );
}

function deleteResponse(ctx: RequestContext): Reply {
  const id = param(ctx, "id");
  if (!ctx.app.responses.delete(id)) throw notFound(`Response with id '${id}' not found.`);
  streamsOf(ctx.app).get(id)?.cancel();
  return { status: 200, body: { id, object: "response.deleted", deleted: true } };
}

function listInputItems(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  const items = stored(ctx).inputItems;
  return { status: 200, body: { object: "list", ...paginate(items, page, (item) => String(item.id)) } };
}
