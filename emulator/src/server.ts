/**
 * Starts the emulator: a local HTTPS server speaking the Foundry project data plane the lab uses.
 * It is started in-process by every demo run, so it is quick to start and never keeps a finished process
 * alive (the server and every accepted socket are unref'd; a client's own in-flight request is what keeps
 * the event loop running). Closing is orderly: streams in flight end with `response.failed` naming the
 * shutdown, other requests get up to EMULATOR_SHUTDOWN_GRACE_MS (default 3000) to finish, and only then
 * are connections cut and the database closed.
 */
import https from "node:https";
import type { Socket } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadOrCreateTlsIdentity } from "./certs.ts";
import type { App } from "./context.ts";
import { createRequestListener } from "./dispatch.ts";
import { ApiError } from "./errors.ts";
import { sendError } from "./http.ts";
import { type LocalModelSettings, localModelFromEnv } from "./model/remote/settings.ts";
import { routedModel } from "./model/routing.ts";
import type { LabModel } from "./model/types.ts";
import { AgentStore } from "./stores/agents.ts";
import { ApprovalStore } from "./stores/approvals.ts";
import { ContainerStore } from "./stores/containers.ts";
import { ConversationStore } from "./stores/conversations.ts";
import { openDatabase } from "./stores/db.ts";
import { EvalStore } from "./stores/evals.ts";
import { FileStore } from "./stores/files.ts";
import { ResponseStore } from "./stores/responses.ts";
import { ToolboxStore } from "./stores/toolboxes.ts";
import { TraceStore } from "./stores/traces.ts";
import { VectorStoreStore } from "./stores/vector-stores.ts";

export interface EmulatorOptions {
  /** SQLite db + certificate live here (created if missing). */
  dataDir: string;
  /** Default 0 = ephemeral. */
  port?: number;
  /** Default "127.0.0.1"; never 0.0.0.0 by default. */
  host?: string;
  /** Default "lab" -> base path /api/projects/lab. */
  project?: string;
  /** Default from env EMULATOR_DEPLOYMENTS (comma list) else model-router, lab-offline-mini, lab-offline-large. */
  deployments?: string[];
  /** Pause between streamed text chunks; default from env EMULATOR_STREAM_DELAY_MS else 15. */
  streamDelayMs?: number;
  /** A real model behind the emulator; default from EMULATOR_MODEL_URL and friends; null: none. */
  localModel?: LocalModelSettings | null;
}

export interface RunningEmulator {
  /** e.g. https://127.0.0.1:54321/api/projects/lab (no trailing slash). */
  endpoint: string;
  port: number;
  host: string;
  dataDir: string;
  caCertPath: string;
  caCertPem: string;
  /** The real model behind it (EMULATOR_MODEL_URL), or null. */
  localModel: LocalModelSettings | null;
  /** Stops listening, ends streams with a terminal event, waits (bounded) for requests, closes the db. */
  close(): Promise<void>;
}

/**
 * A model whose code (the lab model's parsers and skills, the local model's client: some sixty modules)
 * is loaded by the first turn that needs it rather than at every start: an embedded emulator's start
 * sits on the path to a demo's first prompt (`pnpm bench`, "first prompt"), its first turn does not.
 */
function onFirstTurn(load: () => Promise<LabModel>): LabModel {
  let model: Promise<LabModel> | undefined;
  return {
    async respond(request) {
      model ??= load();
      return (await model).respond(request);
    },
  };
}

const DEFAULT_DEPLOYMENTS = ["model-router", "lab-offline-mini", "lab-offline-large"];

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const dataDir = path.resolve(options.dataDir);
  // Read first: a bad setting stops the start with its sentence before anything is created.
  const local = options.localModel === undefined ? localModelFromEnv() : options.localModel;
  const host = options.host ?? "127.0.0.1";
  const project = options.project ?? "lab";
  const identity = await loadOrCreateTlsIdentity(dataDir);
  const db = openDatabase(dataDir);
  const files = new FileStore(db);
  const stopping = new AbortController();
  const app: App = {
    project,
    deployments: withLocal(options.deployments ?? deploymentsFromEnv(), local),
    streamDelayMs: options.streamDelayMs ?? streamDelayFromEnv(),
    agents: new AgentStore(db),
    toolboxes: new ToolboxStore(db),
    conversations: new ConversationStore(db),
    responses: new ResponseStore(db),
    approvals: new ApprovalStore(db),
    files,
    vectorStores: new VectorStoreStore(db, files),
    containers: new ContainerStore(db, dataDir),
    model: routedModel(
      onFirstTurn(async () => (await import("./model/lab-model.ts")).createLabModel()),
      local && {
        settings: local,
        model: onFirstTurn(async () =>
          (await import("./model/remote/local-model.ts")).createLocalModel(local),
        ),
      },
    ),
    localModel: local,
    stopping: stopping.signal,
    traces: new TraceStore(dataDir),
    evals: new EvalStore(dataDir),
    closed: false,
  };

  const listener = createRequestListener(app);
  const inFlight = new Set<Promise<void>>();
  const server = https.createServer({ cert: identity.certPem, key: identity.keyPem }, (req, res) => {
    if (stopping.signal.aborted) {
      sendError(
        res,
        new ApiError(503, "service_unavailable", "The emulator is shutting down.", {
          headers: { connection: "close" },
        }),
      );
      return;
    }
    const done = new Promise<void>((resolve) => res.once("close", resolve));
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
    listener(req, res);
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    socket.unref();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    db.close();
    throw error;
  }
  server.unref();

  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `https://${urlHost}:${port}/api/projects/${encodeURIComponent(project)}`,
    port,
    host,
    dataDir,
    caCertPath: identity.certPath,
    caCertPem: identity.certPem,
    localModel: local,
    close() {
      closing ??= (async () => {
        stopping.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Streams end at their next event; a turn still running gets the grace period, then is cut.
        const grace = new AbortController();
        await Promise.race([
          Promise.all(inFlight),
          sleep(shutdownGraceMs(), undefined, { signal: grace.signal }).catch(() => {}),
        ]);
        grace.abort();
        app.closed = true;
        for (const socket of sockets) socket.destroy();
        await closed;
        db.close();
        app.traces.close();
        app.evals.close();
      })();
      return closing;
    },
  };
}

function listen(server: https.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function shutdownGraceMs(): number {
  const raw = process.env.EMULATOR_SHUTDOWN_GRACE_MS?.trim();
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : 3000;
}

function deploymentsFromEnv(): string[] {
  const names = (process.env.EMULATOR_DEPLOYMENTS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  return names.length > 0 ? names : DEFAULT_DEPLOYMENTS;
}

/** The local model is a deployment of its own name, so an agent can name it directly. */
function withLocal(names: string[], local: LocalModelSettings | null): string[] {
  return local === null || names.includes(local.name) ? names : [...names, local.name];
}

function streamDelayFromEnv(): number {
  const raw = process.env.EMULATOR_STREAM_DELAY_MS;
  const value = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : 15;
}
