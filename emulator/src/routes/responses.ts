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
import type { ModelReply } from "../model/types.ts";
import { paginate, parsePageParams } from "../paging.ts";
import { claimApprovals } from "../response-approvals.ts";
import { failsAsStream } from "../response-failed.ts";
import {
  abandoned,
  cancelled,
  completed,
  failedWith,
  type ResponseObject,
  responseShell,
  stoppedByShutdown,
  withLogprobs,
} from "../response-object.ts";
import { readTurn, type Turn } from "../response-request.ts";
import type { Router } from "../router.ts";
import { SseWriter } from "../sse.ts";
import { emitItem } from "../stream-items.ts";
import { LiveStream } from "../stream-live.ts";
import type { Json } from "../validate.ts";

export function mountResponses(router: Router, prefix: string, foundry: boolean): void {
  router.add("POST", `${prefix}/responses`, failsAsStream(createResponse), foundry);
  router.add("POST", `${prefix}/responses/compact`, compact, foundry);
  router.add("GET", `${prefix}/responses/:id`, getResponse, foundry);
  router.add("DELETE", `${prefix}/responses/:id`, deleteResponse, foundry);
  router.add("POST", `${prefix}/responses/:id/cancel`, cancelResponse, foundry);
  router.add("GET", `${prefix}/responses/:id/input_items`, listInputItems, foundry);
}

/**
 * Streamed and background responses of this process, running or recently finished: their events (for
 * resuming) and, while they run, the response as it stands. A response is saved once, when it ends, so
 * the store sees one finished response per id, as with a JSON turn.
 */
interface Live {
  sse: SseWriter;
  turn: Turn;
  response: ResponseObject;
  /** Deleted while it ran: it ends without being saved. */
  deleted: boolean;
  /** The output items played to the end so far. */
  delivered: Json[];
  /** The lifecycle events, once sent. */
  announced: Promise<void> | undefined;
}
const lives = new WeakMap<App, Map<string, Live>>();
const KEPT_STREAMS = 200;

function livesOf(app: App): Map<string, Live> {
  let found = lives.get(app);
  if (found === undefined) {
    const kept = new Map<string, Live>();
    // Saved as failed the moment the emulator begins to stop: a background response has no request the
    // shutdown waits for, so the database could close before its own loop sees the stop.
    const saveAll = () => {
      for (const live of kept.values()) saveStopped(app, live);
    };
    app.stopping.addEventListener("abort", saveAll, { once: true });
    lives.set(app, kept);
    found = kept;
  }
  return found;
}

function saveStopped(app: App, live: Live): void {
  if (live.sse.finished || live.sse.cancelled || live.deleted) return;
  persist(app, live.turn, stoppedByShutdown(live.response, live.turn, live.delivered));
}

/** A stored response that is still running in this process, if it is. */
function running(ctx: RequestContext): Live | undefined {
  const live = livesOf(ctx.app).get(param(ctx, "id"));
  return live !== undefined && !live.sse.finished && live.turn.store && !live.deleted ? live : undefined;
}

async function createResponse(ctx: RequestContext): Promise<Reply | undefined> {
  const turn = readTurn(ctx.app, await ctx.json(), ctx.params.agent);
  // Approval answers are checked and taken before the model runs; a turn that fails gives them back.
  const releaseApprovals = claimApprovals(ctx.app, turn);
  const sse = new SseWriter({
    delayMs: ctx.app.streamDelayMs,
    dropAfterTextDeltas: ctx.token.startsWith("lab-drop-stream") ? 2 : undefined,
    background: turn.background,
    stop: ctx.app.stopping,
  });
  // A streamed turn opens its stream at the model's first word when the model shows its work as it goes
  // (a background one plays its plan: it has no client waiting for the first word).
  let early: Live | undefined;
  const live =
    turn.stream && !turn.background
      ? new LiveStream((model) => {
          early = start(ctx, turn, sse, model);
          void announce(early);
          return early;
        })
      : undefined;
  // A model waiting on a server stops when its answer is no longer wanted: the client left (before the
  // stream opened, or after), or the emulator stops. A background turn outlives its client.
  const signal = turn.background ? ctx.app.stopping : AbortSignal.any([sse.signal, untilGone(ctx)]);
  let plan: ModelReply | undefined;
  let failure: unknown;
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
        ...(live === undefined ? {} : { live }),
        signal,
      }),
    );
    plan = await (turn.stream ? unlessStopping(ctx.app.stopping, planning) : planning);
  } catch (error) {
    releaseApprovals();
    // Before the stream opened, a failure is the request's error (or a stream of one event: failsAsStream).
    if (early === undefined) throw error;
    failure = error;
  }
  if (early !== undefined) {
    if (plan === undefined) live?.cut();
    await play(ctx.app, early, (plan?.output ?? early.delivered).map(withLogprobs), {
      failure,
      usage: plan?.usage,
    }).catch((error: unknown) => {
      sse.end();
      console.error(`[emulator] response ${early?.response.id} failed: ${(error as Error).message}`);
    });
    return undefined;
  }
  // undefined: the emulator began to stop while the model still worked; the stream ends with response.failed.
  const output = (plan?.output ?? []).map(withLogprobs);
  if (!turn.stream && !turn.background) {
    const response = completed(
      responseShell(turn, plan?.model ?? turn.deployment),
      turn,
      output,
      plan?.usage,
    );
    persist(ctx.app, turn, response);
    finishTurn(ctx.app, turn, response);
    return { status: 200, body: response };
  }
  const started = start(ctx, turn, sse, plan?.model ?? turn.deployment);
  const playing = play(ctx.app, started, output, { usage: plan?.usage }).catch((error: unknown) => {
    sse.end();
    console.error(
      `[emulator] response ${started.response.id} failed: ${(error as Error).message ?? String(error)}`,
    );
  });
  if (!turn.stream) return { status: 200, body: started.response };
  await playing;
  return undefined;
}

/** Aborted when the client goes away before its answer is written to the end. */
function untilGone(ctx: RequestContext): AbortSignal {
  const gone = new AbortController();
  ctx.res.once("close", () => {
    if (!ctx.res.writableFinished) gone.abort();
  });
  return gone.signal;
}

/** A streamed or background response begins: kept for resuming, and attached to its client. */
function start(ctx: RequestContext, turn: Turn, sse: SseWriter, model: string): Live {
  const shell = responseShell(turn, model);
  const live: Live = { sse, turn, response: shell, deleted: false, delivered: [], announced: undefined };
  keep(ctx.app, shell.id, live);
  if (turn.stream) sse.attach(ctx.res);
  return live;
}

/** The lifecycle events before the first item (once): created, (queued,) in_progress. */
function announce(live: Live): Promise<void> {
  live.announced ??= (async () => {
    const { sse, turn } = live;
    sse.announce({ type: "response.created", response: live.response });
    if (turn.background) {
      sse.announce({ type: "response.queued", response: live.response });
      await sse.pause();
      live.response = { ...live.response, status: "in_progress" };
    }
    sse.announce({ type: "response.in_progress", response: live.response });
  })();
  return live.announced;
}

/**
 * Plays a plan as events (from the first item not yet delivered live); `live.response` follows every
 * change of status, and the end is saved. A model that failed after its stream opened ends it failed.
 */
async function play(
  app: App,
  live: Live,
  output: Json[],
  ending: { failure?: unknown; usage?: Json | undefined },
) {
  const { sse, turn } = live;
  const end = (response: ResponseObject, event?: string) => {
    live.response = response;
    if (!live.deleted) persist(app, turn, response);
    if (event === undefined) sse.end();
    else sse.finish({ type: event, response });
  };
  await announce(live);
  const shell = live.response;
  const delivered = live.delivered;
  for (let index = delivered.length; index < output.length; index++) {
    if (sse.aborted) break;
    delivered.push(await emitItem(sse, output[index] as Json, index));
  }
  // The emulator is stopping: readers get a terminal event naming why, and the turn is kept as failed.
  if (sse.stopping && !sse.cancelled)
    return end(stoppedByShutdown(shell, turn, delivered), "response.failed");
  // Cancelled by the caller: keep what was produced; the conversation gains nothing.
  if (sse.cancelled) return end(cancelled(shell, turn, delivered), "response.incomplete");
  // The client is gone: keep what it saw for inspection, but the conversation gains nothing.
  if (sse.aborted) return end(abandoned(shell, turn, delivered));
  if (ending.failure !== undefined)
    return end(failedWith(shell, turn, delivered, ending.failure), "response.failed");
  const response = completed(shell, turn, output, ending.usage);
  if (!live.deleted) finishTurn(app, turn, response);
  end(response, "response.completed");
}

function persist(app: App, turn: Turn, response: ResponseObject): void {
  if (!turn.store || app.closed) return;
  app.responses.save({
    response,
    inputItems: turn.input,
    history: turn.history,
    previousResponseId: turn.previousResponseId,
    conversationId: turn.conversationId,
  });
}

function keep(app: App, id: string, live: Live): void {
  const kept = livesOf(app);
  kept.set(id, live);
  for (const [oldId, old] of kept) {
    if (kept.size <= KEPT_STREAMS) break;
    if (old.sse.finished) kept.delete(oldId);
  }
}

/** A completed turn: its approval requests become answerable, and its conversation gains its items. */
function finishTurn(app: App, turn: Turn, response: ResponseObject): void {
  if (app.closed) return;
  // Only approval requests the client was shown to the end can be answered (an abandoned stream's cannot).
  if (turn.store || turn.conversationId !== null) app.approvals.recordIssued(response, turn.conversationId);
  if (turn.conversationId !== null) {
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
  const live = running(ctx);
  if (live !== undefined)
    return { response: live.response, inputItems: live.turn.input, background: live.turn.background };
  const found = ctx.app.responses.get(param(ctx, "id"));
  if (found === undefined) throw notFound(`Response with id '${param(ctx, "id")}' not found.`);
  return {
    response: found.response,
    inputItems: found.inputItems,
    background: found.response.background === true,
  };
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
  const live = livesOf(ctx.app).get(id);
  if (live === undefined) {
    throw invalidValue(
      "stream",
      `Response '${id}' has no stream to resume: only responses streamed or run in the background since the emulator started keep their events.`,
    );
  }
  live.sse.attach(ctx.res, after);
  await new Promise<void>((resolve) => {
    ctx.res.once("close", resolve);
    void live.sse.done.then(resolve);
  });
  return undefined;
}

async function cancelResponse(ctx: RequestContext): Promise<Reply> {
  const { background } = stored(ctx);
  if (!background) {
    throw new ApiError(
      400,
      "invalid_request",
      "Only responses created with background=true can be cancelled.",
      {
        param: "response_id",
      },
    );
  }
  const live = running(ctx);
  if (live !== undefined) {
    live.sse.cancel();
    await live.sse.done;
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
  const live = running(ctx);
  if (live !== undefined) {
    // Deleted while it runs: it stops, and is never saved.
    live.deleted = true;
    live.sse.cancel();
  } else if (!ctx.app.responses.delete(id)) {
    throw notFound(`Response with id '${id}' not found.`);
  }
  return { status: 200, body: { id, object: "response.deleted", deleted: true } };
}

function listInputItems(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  const items = stored(ctx).inputItems;
  return { status: 200, body: { object: "list", ...paginate(items, page, (item) => String(item.id)) } };
}
