/**
 * Demo 8 · the hosted agent's HTTP server: the contract a Foundry hosted-agent container serves
 * (health probes, the Responses routes as JSON and SSE, platform headers, graceful shutdown). Run as a
 * program (`node src/server.ts`, the container's entry) it calls the model through the Foundry project in
 * FOUNDRY_PROJECT_ENDPOINT with the container's managed identity; `pnpm 8-hosted:serve` runs the same server
 * against the lab's backend.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { requestSpans } from "@lab/shared/spans";
import express, { type NextFunction, type Request, type Response } from "express";
import type OpenAI from "openai";
import { ApiError, readCreateRequest } from "./protocol.ts";
import { ResponseStore, type StoredResponse, type StreamEvent } from "./responses.ts";

export const DEFAULT_PORT = 8088;
export const HEALTH_PATH = "/readiness";
export const SERVER_ID = `foundry-agent-lab-hosted/0.1.0 node/${process.versions.node}`;
const BODY_LIMIT = "1mb";

export interface ServerSettings {
  port: number;
  host: string;
  /** Seconds between `: keep-alive` comments on a quiet stream (SSE_KEEPALIVE_INTERVAL); 0 turns them off. */
  keepAliveSeconds: number;
  /** How long SIGTERM waits for in-flight turns before cancelling them (SHUTDOWN_GRACE_SECONDS). */
  graceSeconds: number;
}

/** Reads PORT, HOST, SSE_KEEPALIVE_INTERVAL and SHUTDOWN_GRACE_SECONDS; a bad value is one sentence. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const number = (name: string, fallback: number, ok: (n: number) => boolean, example: string) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || !ok(value)) {
      throw new Error(`${name} is "${raw}"; use ${example}.`);
    }
    return value;
  };
  return {
    port: number(
      "PORT",
      DEFAULT_PORT,
      (n) => Number.isInteger(n) && n >= 0 && n < 65536,
      "a port number such as 8088",
    ),
    // Loopback unless told otherwise: the container sets HOST=0.0.0.0 so the platform can reach it.
    host: env.HOST?.trim() || "127.0.0.1",
    keepAliveSeconds: number(
      "SSE_KEEPALIVE_INTERVAL",
      15,
      (n) => n >= 0,
      "seconds, such as 15 (0 turns it off)",
    ),
    graceSeconds: number("SHUTDOWN_GRACE_SECONDS", 30, (n) => n >= 0, "seconds, such as 30"),
  };
}

export interface HostedServer {
  /** A URL a client on this machine can use, e.g. http://127.0.0.1:8088. */
  url: string;
  host: string;
  port: number;
  deployment: string;
  /** Stops accepting requests, lets running turns finish for up to `graceSeconds`, then closes. */
  close(graceSeconds?: number): Promise<void>;
}

export interface HostedServerOptions extends Partial<ServerSettings> {
  /** The project's OpenAI client: `project.getOpenAIClient()`. */
  openai: OpenAI;
  /** The model deployment the agent calls. */
  deployment: string;
}

export async function startServer(options: HostedServerOptions): Promise<HostedServer> {
  const settings = { ...settingsFromEnv({}), ...definedOnly(options) };
  const store = new ResponseStore(options.openai, options.deployment);
  let draining = false;
  let openRequests = 0;
  let onIdle: (() => void) | undefined;

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use(requestSpans); // tracing (--otel): one server span per request, continuing the caller's trace
  // Platform headers (section 10): a request id on every answer, the server's identity, and while
  // draining, no connection reuse.
  app.use((req, res, next) => {
    openRequests++;
    res.on("close", () => {
      openRequests--;
      if (openRequests === 0) onIdle?.();
    });
    res.setHeader(
      "x-request-id",
      req.get("x-request-id") ?? req.get("x-ms-client-request-id") ?? randomUUID(),
    );
    res.setHeader("x-platform-server", SERVER_ID);
    if (draining) res.setHeader("connection", "close");
    next();
  });

  app.use(hostIsAddressOrLocalhost(settings.host));

  // Probes answer before anything else, and say "not ready" while the server drains.
  app.get(HEALTH_PATH, (_req, res) => {
    res.status(draining ? 503 : 200).json({ status: draining ? "draining" : "healthy" });
  });
  app.get("/liveness", (_req, res) => {
    res.json({ status: "alive" });
  });

  const routes = express.Router();
  routes.use(express.json({ limit: BODY_LIMIT }));

  routes.post("/responses", async (req, res) => {
    if (draining)
      throw new ApiError(503, "shutting_down", "The agent is shutting down; retry on another replica.");
    const request = readCreateRequest(req.body);
    const forcedId = req.get("x-agent-response-id");
    if (forcedId !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(forcedId)) {
      throw new ApiError(
        400,
        "invalid_value",
        "x-agent-response-id must be 1-128 letters, digits, '_' or '-'.",
        "x-agent-response-id",
      );
    }
    if (request.sessionId) res.setHeader("x-agent-session-id", request.sessionId);

    if (!request.stream) {
      const stored = store.start(request, forcedId);
      if (request.background) return void res.json(stored.accepted);
      res.on("close", () => store.cancel(stored, "client disconnected"));
      await stored.finished;
      return sendResponse(res, stored);
    }

    // Server-sent events: headers go out with the first event, so a 404 for an unknown
    // previous_response_id, or the deployment's 429 before the turn began, is still a plain JSON error.
    const stored = store.start(request, forcedId, sse(res));
    const stop = keepAlive(res, settings.keepAliveSeconds);
    if (!request.background) res.on("close", () => store.cancel(stored, "client disconnected"));
    await stored.finished;
    stop();
    if (!res.headersSent) return sendResponse(res, stored);
    res.end();
  });

  routes.get("/responses/:id", async (req, res) => {
    const stored = store.get(req.params.id as string);
    if (req.query.stream !== "true") return void res.json(stored.response);
    // Resuming a stream (`responses.stream({ response_id, starting_after })`): the events after N, then
    // the rest as they happen.
    const raw = req.query.starting_after;
    const after = raw === undefined ? -1 : Number(raw);
    if (!Number.isInteger(after) || after < -1) {
      throw new ApiError(
        400,
        "invalid_value",
        "'starting_after' must be a sequence number (an integer).",
        "starting_after",
      );
    }
    store.follow(stored, after, sse(res));
    if (!res.headersSent) sse(res)(undefined);
    const stop = keepAlive(res, settings.keepAliveSeconds);
    await stored.finished;
    stop();
    res.end();
  });

  routes.delete("/responses/:id", (req, res) => {
    const id = req.params.id as string;
    store.delete(id);
    res.json({ id, object: "response.deleted", deleted: true });
  });

  routes.post("/responses/:id/cancel", async (req, res) => {
    const stored = store.get(req.params.id as string);
    // Cancelling a finished background response answers it as it ended (the call is idempotent).
    if (!stored.controller && stored.request.background) return void res.json(stored.response);
    if (!stored.controller && stored.response.status !== "cancelled") {
      throw new ApiError(
        400,
        "invalid_state",
        `Response '${stored.id}' is ${stored.response.status}; only a running response can be cancelled.`,
        "response_id",
      );
    }
    store.cancel(stored, "cancelled");
    await stored.finished;
    res.json(stored.response);
  });

  routes.get("/responses/:id/input_items", (req, res) => {
    const stored = store.get(req.params.id as string);
    res.json(page(stored.inputItems, req.query));
  });

  // The same routes under /v1, for clients whose base URL ends in /v1.
  app.use(routes);
  app.use("/v1", routes);

  app.use((req, _res, next) => {
    next(new ApiError(404, "not_found", `No route for ${req.method} ${req.path}.`));
  });
  app.use(errorHandler);

  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `Port ${settings.port} on ${settings.host} is already in use: stop what uses it, or set PORT to a free port.`
            : `Could not listen on ${settings.host}:${settings.port} (${err.code ?? err.message}): check HOST and PORT.`,
        ),
      );
    });
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const reachable = ["0.0.0.0", "::"].includes(settings.host) ? "127.0.0.1" : settings.host;

  let closing: Promise<void> | undefined;
  const close = (graceSeconds = settings.graceSeconds) => {
    closing ??= (async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const bound = delay(graceSeconds * 1000);
      await Promise.race([Promise.all(store.running().map((r) => r.finished)), bound.promise]);
      // Past the bound: running turns are cancelled, and their streams still end with an event.
      for (const running of store.running()) store.cancel(running, "server shutting down");
      await Promise.all(store.running().map((r) => r.finished));
      if (openRequests > 0) {
        const idle = new Promise<void>((resolve) => (onIdle = resolve));
        await Promise.race([idle, delay(2_000).promise]);
      }
      bound.cancel();
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };

  return {
    url: `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`,
    host: settings.host,
    port,
    deployment: options.deployment,
    close,
  };
}

function sendResponse(res: Response, stored: StoredResponse): void {
  if (stored.rateLimited) {
    // The deployment said "too many requests": so do we, with its retry-after, so the client backs off.
    const { retryAfter, message } = stored.rateLimited;
    res
      .status(429)
      .set({ "x-platform-error-source": "upstream", ...(retryAfter ? { "retry-after": retryAfter } : {}) });
    res.json({ error: { type: "rate_limit_error", code: "rate_limit_exceeded", message, param: null } });
    return;
  }
  if (stored.response.status === "failed") {
    // The model deployment failed, not the client: say so, and ask the SDK not to retry the turn.
    res.status(502).set({ "x-platform-error-source": "upstream", "x-should-retry": "false" });
    res.json({
      error: {
        type: "server_error",
        code: "model_error",
        message: (stored.response.error as { message?: string } | null)?.message ?? "The model call failed.",
        param: null,
      },
    });
    return;
  }
  res.json(stored.response);
}

/** An SSE writer for one connection: the headers with the first event, then `event:` + `data:` frames. */
function sse(res: Response) {
  return (event: StreamEvent | undefined) => {
    if (!res.headersSent) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
    }
    if (event && !res.writableEnded) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
}

/** A long turn (a slow model, a long tool) must not look like a dead connection to proxies. */
function keepAlive(res: Response, seconds: number): () => void {
  if (seconds <= 0) return () => {};
  const timer = setInterval(() => {
    if (res.headersSent && !res.writableEnded) res.write(": keep-alive\n\n");
  }, seconds * 1000);
  return () => clearInterval(timer);
}

/** `GET …/input_items` paging like the service: limit (1-100, default 20), order, after. */
function page<T extends { id?: string }>(items: T[], query: Request["query"]) {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ApiError(400, "invalid_value", "'limit' must be an integer from 1 to 100.", "limit");
  }
  const order = query.order ?? "desc";
  if (order !== "asc" && order !== "desc")
    throw new ApiError(400, "invalid_value", "'order' must be asc or desc.", "order");
  let list = order === "asc" ? [...items] : [...items].reverse();
  if (typeof query.after === "string") {
    const at = list.findIndex((i) => i.id === query.after);
    if (at < 0) throw new ApiError(400, "invalid_value", `'after' names no item of this response.`, "after");
    list = list.slice(at + 1);
  }
  const data = list.slice(0, limit);
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: list.length > limit,
  };
}

/**
 * DNS rebinding: a web page whose own name was re-pointed at this machine reaches the server with that
 * name in Host, so only `localhost` and IP addresses (what HOST binds to) are answered. Bound to every
 * interface (`HOST=0.0.0.0`, inside a container) the platform's ingress chooses the Host: no check.
 */
function hostIsAddressOrLocalhost(bound: string) {
  const everywhere = ["0.0.0.0", "::"].includes(bound);
  const allowed = /^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[\da-f:.]+\])(?::\d+)?$/i;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (everywhere || allowed.test(req.headers.host ?? "")) return next();
    next(
      new ApiError(
        403,
        "host_not_allowed",
        "This server only answers on its IP address or localhost.",
        "host",
      ),
    );
  };
}

/** Every failure becomes `{"error":{type, code, message, param}}`; a stack trace never leaves the process. */
function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const api = toApiError(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  const internal = api.status >= 500 && api.code === "server_error";
  if (internal) console.error(`hosted agent: ${(err as Error)?.message ?? String(err)}`);
  res
    .status(api.status)
    .set("x-platform-error-source", api.status < 500 ? "user" : "platform")
    .json({
      error: {
        type: api.status < 500 ? "invalid_request_error" : "server_error",
        code: api.code,
        message: api.message,
        param: api.param,
      },
    });
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; limit?: number };
  // Errors from express.json(): the body never reached a handler.
  if (e?.type === "entity.parse.failed")
    return new ApiError(400, "invalid_json", "The request body is not valid JSON.", "body");
  if (e?.type === "entity.too.large") {
    return new ApiError(413, "request_too_large", `The request body is larger than ${BODY_LIMIT}.`, "body");
  }
  if (e?.type === "encoding.unsupported" || e?.type === "charset.unsupported") {
    return new ApiError(415, "unsupported_encoding", "Send the body as UTF-8 JSON.", "body");
  }
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return new ApiError(e.status, "invalid_request", "The request could not be read.", "body");
  }
  return new ApiError(500, "server_error", "The agent had an internal problem; try again.");
}

function delay(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Runs until SIGTERM (what the platform sends before it stops a replica) or Ctrl-C: then drains within
 * the bound and exits 0.
 */
export function serveUntilSignal(hosted: HostedServer, graceSeconds: number): void {
  const stop = (signal: string) => {
    console.log(`${signal}: finishing in-flight turns (at most ${graceSeconds} s), then exiting.`);
    hosted.close(graceSeconds).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

/** The container's entry: the platform injects FOUNDRY_PROJECT_ENDPOINT, PORT and the agent's identity. */
async function main(): Promise<void> {
  const env = process.env;
  let settings: ServerSettings;
  const endpoint = env.FOUNDRY_PROJECT_ENDPOINT?.trim().replace(/\/+$/, "") ?? "";
  try {
    settings = settingsFromEnv(env);
    if (!endpoint) {
      throw new Error(
        "FOUNDRY_PROJECT_ENDPOINT is not set: the platform injects it into a hosted container; on your machine run `pnpm 8-hosted:serve` instead.",
      );
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const [{ AIProjectClient }, { DefaultAzureCredential }] = await Promise.all([
    import("@azure/ai-projects"),
    import("@azure/identity"),
  ]);
  // In the container, DefaultAzureCredential finds the agent's managed identity; no keys anywhere.
  const project = new AIProjectClient(endpoint, new DefaultAzureCredential());
  try {
    const hosted = await startServer({
      openai: project.getOpenAIClient(),
      deployment: env.MODEL_DEPLOYMENT?.trim() || "gpt-4.1-mini",
      ...settings,
    });
    console.log(
      `Hosted agent listening on ${hosted.url} (model deployment ${hosted.deployment}; readiness ${HEALTH_PATH})`,
    );
    serveUntilSignal(hosted, settings.graceSeconds);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

if (import.meta.main) await main();
