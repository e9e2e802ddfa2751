/**
 * What every route handler gets: the request, its parsed pieces, and the emulator's state (stores backed
 * by SQLite, the model, the configured deployments). Handlers return a reply or, for streams, write the
 * response themselves and return undefined.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocalModelSettings } from "./model/remote/settings.ts";
import type { LabModel } from "./model/types.ts";
import type { AgentStore } from "./stores/agents.ts";
import type { ApprovalStore } from "./stores/approvals.ts";
import type { ContainerStore } from "./stores/containers.ts";
import type { ConversationStore } from "./stores/conversations.ts";
import type { EvalStore } from "./stores/evals.ts";
import type { FileStore } from "./stores/files.ts";
import type { ResponseStore } from "./stores/responses.ts";
import type { ToolboxStore } from "./stores/toolboxes.ts";
import type { TraceStore } from "./stores/traces.ts";
import type { VectorStoreStore } from "./stores/vector-stores.ts";
import type { Json } from "./validate.ts";

export interface App {
  project: string;
  deployments: string[];
  streamDelayMs: number;
  agents: AgentStore;
  toolboxes: ToolboxStore;
  conversations: ConversationStore;
  responses: ResponseStore;
  /** MCP approval requests the emulator issued, and their answers. */
  approvals: ApprovalStore;
  files: FileStore;
  vectorStores: VectorStoreStore;
  /** Code interpreter containers and the files in them. */
  containers: ContainerStore;
  model: LabModel;
  /** Aborted when close() begins: streams end with `response.failed`, new requests get a 503. */
  stopping: AbortSignal;
  /** The real model behind the emulator (EMULATOR_MODEL_URL), a deployment of its own name; null: none. */
  localModel: LocalModelSettings | null;
  /** Evals, runs and output items (`openai.evals`), in their own database file. */
  evals: EvalStore;
  /** Spans received over OTLP (`--otel`), in their own database file. */
  traces: TraceStore;
  /** True once the database is closing: late work (an aborted stream) must not touch it. */
  closed: boolean;
}

export interface RequestContext {
  app: App;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The bearer token; fault-injection tokens (`lab-drop-stream`) change how a handler behaves. */
  token: string;
  json(): Promise<Json>;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (ctx: RequestContext) => Promise<Reply | undefined> | Reply | undefined;

/** A path parameter the route pattern guarantees (e.g. `:id`); a missing one is a routing bug. */
export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`Route has no :${name} parameter.`);
  return value;
}
