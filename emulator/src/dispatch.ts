/**
 * The per-request pipeline: normalize the path (the OpenAI client can produce `//`), answer `/healthz`,
 * check the bearer token, check the project and route, enforce `api-version` on Foundry-native routes, run
 * the handler, and turn every failure into the service's error shape. Nothing a client sends can crash
 * the process; an unexpected exception becomes one generic 500 and one line on stderr.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate } from "./auth.ts";
import type { App, RequestContext } from "./context.ts";
import { ApiError, invalidValue, notFound } from "./errors.ts";
import { readJsonObject, sendError, sendJson } from "./http.ts";
import { Router } from "./router.ts";
import { mountAgents } from "./routes/agents.ts";
import { mountContainers } from "./routes/containers.ts";
import { mountConversations } from "./routes/conversations.ts";
import { mountDeployments } from "./routes/deployments.ts";
import { mountEvals } from "./routes/evals.ts";
import { mountFiles } from "./routes/files.ts";
import { mountResponses } from "./routes/responses.ts";
import { mountToolboxes } from "./routes/toolboxes.ts";
import { mountTraces } from "./routes/traces.ts";
import { mountVectorStores } from "./routes/vector-stores.ts";
import type { Json } from "./validate.ts";

const AGENT_ENDPOINT = "/agents/:agent/endpoint/protocols/openai";

export function buildRouter(): Router {
  const router = new Router();
  mountAgents(router);
  mountDeployments(router);
  mountToolboxes(router);
  mountConversations(router, "/openai/v1", false);
  mountResponses(router, "/openai/v1", false);
  mountFiles(router, "/openai/v1");
  mountVectorStores(router, "/openai/v1");
  mountContainers(router, "/openai/v1");
  mountTraces(router); // OTLP/HTTP: <project endpoint>/v1/traces
  mountEvals(router, "/openai/v1");
  // The preview agent endpoint serves the same OpenAI routes, with the agent taken from the path.
  mountConversations(router, AGENT_ENDPOINT, true);
  mountResponses(router, AGENT_ENDPOINT, true);
  return router;
}

export function createRequestListener(app: App): (req: IncomingMessage, res: ServerResponse) => void {
  const router = buildRouter();
  return (req, res) => {
    res.setHeader("x-request-id", randomUUID());
    const clientRequestId = req.headers["x-ms-client-request-id"];
    if (typeof clientRequestId === "string") res.setHeader("x-ms-client-request-id", clientRequestId);
    dispatch(app, router, req, res).catch((error: unknown) => {
      if (app.closed) return void res.destroy(); // shutting down: in-flight work just stops
      if (error instanceof ApiError && !res.headersSent) return sendError(res, error);
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`[emulator] ${req.method} ${req.url} failed: ${reason.split("\n")[0]}`);
      // Mid-stream there is no status left to send: cutting the connection is the honest signal.
      if (res.headersSent) return void res.destroy();
      sendError(
        res,
        new ApiError(500, "internal_error", "The emulator hit an unexpected error; see its log."),
      );
    });
  };
}

async function dispatch(app: App, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  const queryStart = url.indexOf("?");
  const pathname = `/${queryStart < 0 ? url : url.slice(0, queryStart)}`.replace(/\/{2,}/g, "/");
  const query = new URLSearchParams(queryStart < 0 ? "" : url.slice(queryStart + 1));

  if (pathname === "/healthz" || pathname === "/healthz/") {
    if (method !== "GET") throw methodNotAllowed(method, ["GET"]);
    return sendJson(res, 200, { status: "ok" });
  }
  const token = authenticate(req, method, pathname);
  const segments = decodeSegments(pathname);
  if (segments[0] !== "api" || segments[1] !== "projects" || segments[2] === undefined) {
    throw notFound(
      `No route for ${method} ${pathname}. Project routes live under /api/projects/${app.project}.`,
    );
  }
  if (segments[2] !== app.project) {
    throw notFound(`Project '${segments[2]}' not found. This emulator serves the project '${app.project}'.`);
  }
  const match = router.match(method, segments.slice(3));
  if (match.kind === "not_found") throw notFound(`No route for ${method} ${pathname}.`);
  if (match.kind === "method_not_allowed") throw methodNotAllowed(method, match.allowed);
  if (match.foundry) checkApiVersion(query);

  let body: Promise<Json> | undefined;
  const ctx: RequestContext = {
    app,
    req,
    res,
    params: match.params,
    query,
    token,
    json: () => {
      body ??= readJsonObject(req);
      return body;
    },
  };
  const reply = await match.handler(ctx);
  if (reply !== undefined) sendJson(res, reply.status, reply.body);
}

function decodeSegments(pathname: string): string[] {
  try {
    return pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw invalidValue("path", `The path '${pathname}' is not valid percent-encoding.`);
  }
}

/** Foundry-native routes speak `api-version=v1`; its absence is tolerated, any other value is not. */
function checkApiVersion(query: URLSearchParams): void {
  const version = query.get("api-version");
  if (version !== null && version !== "v1") {
    throw new ApiError(
      400,
      "unsupported_api_version",
      `api-version '${version}' is not supported; use 'v1'.`,
      {
        param: "api-version",
      },
    );
  }
}

function methodNotAllowed(method: string, allowed: string[]): ApiError {
  const unique = [...new Set(allowed)];
  return new ApiError(
    405,
    "method_not_allowed",
    `Method ${method} is not allowed here; use ${unique.join(" or ")}.`,
    {
      headers: { allow: unique.join(", ") },
    },
  );
}
