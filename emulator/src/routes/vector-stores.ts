/**
 * Vector stores and their files (`openai.vectorStores.*`) under `/openai/v1`, plus
 * `POST /vector_stores/{id}/search`. Attaching a file answers `in_progress` at once and indexes it a
 * moment later in this process; while a file is `in_progress`, reads carry `openai-poll-after-ms`, which
 * the SDK's `uploadAndPoll`/`createAndPoll` honour.
 */
import { type App, param, type Reply, type RequestContext } from "../context.ts";
import { fileNotFound, invalidPayload, invalidValue, notFound, vectorStoreNotFound } from "../errors.ts";
import { sendJson } from "../http.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import type { ExpiresAfter, VectorStoreFile } from "../stores/vector-stores.ts";
import {
  isObject,
  type Json,
  optionalArray,
  optionalMetadata,
  optionalObject,
  optionalString,
  requiredString,
} from "../validate.ts";

/** Indexing starts this long after the attach, so the first poll sees `in_progress` like on the service. */
const INDEX_DELAY_MS = 20;
/** What the emulator suggests between polls. */
const POLL_AFTER_MS = "40";

export function mountVectorStores(router: Router, prefix: string): void {
  const base = `${prefix}/vector_stores`;
  router.add("POST", base, createStore, false);
  router.add("GET", base, listStores, false);
  router.add("GET", `${base}/:id`, getStore, false);
  router.add("POST", `${base}/:id`, updateStore, false);
  router.add("DELETE", `${base}/:id`, deleteStore, false);
  router.add("POST", `${base}/:id/search`, searchStore, false);
  router.add("POST", `${base}/:id/files`, attachFile, false);
  router.add("GET", `${base}/:id/files`, listStoreFiles, false);
  router.add("GET", `${base}/:id/files/:file`, getStoreFile, false);
  router.add("DELETE", `${base}/:id/files/:file`, detachFile, false);
}

function readExpiresAfter(body: Json): ExpiresAfter | null | undefined {
  const value = optionalObject(body, "expires_after");
  if (value === undefined) return body.expires_after === null ? null : undefined;
  if (value.anchor !== "last_active_at") {
    throw invalidValue("expires_after.anchor", "'expires_after.anchor' must be 'last_active_at'.");
  }
  const days = value.days;
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 365) {
    throw invalidValue("expires_after.days", "'expires_after.days' must be an integer from 1 to 365.");
  }
  return { anchor: "last_active_at", days };
}

function readAttributes(body: Json): VectorStoreFile["attributes"] {
  const value = optionalObject(body, "attributes");
  if (value === undefined) return null;
  for (const [key, v] of Object.entries(value)) {
    if (!["string", "number", "boolean"].includes(typeof v)) {
      throw invalidPayload(`attributes.${key}`, `'attributes.${key}' must be a string, number or boolean.`);
    }
  }
  return value as Record<string, string | number | boolean>;
}

/** Attaches and schedules indexing in this process (skipped if the emulator closes meanwhile). */
function attach(app: App, storeId: string, fileId: string, attributes: VectorStoreFile["attributes"]) {
  const file = app.vectorStores.attach(storeId, fileId, attributes);
  if (file.status === "in_progress") {
    setTimeout(() => {
      if (!app.closed) app.vectorStores.index(storeId, fileId);
    }, INDEX_DELAY_MS);
  }
  return file;
}

async function createStore(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const fileIds = (optionalArray(body, "file_ids") ?? []).map((id, i) => {
    if (typeof id !== "string") throw invalidPayload(`file_ids[${i}]`, `'file_ids[${i}]' must be a string.`);
    if (ctx.app.files.get(id) === undefined) throw fileNotFound(id, `file_ids[${i}]`);
    return id;
  });
  const store = ctx.app.vectorStores.create(
    optionalString(body, "name") ?? "",
    optionalMetadata(body) ?? {},
    readExpiresAfter(body) ?? null,
  );
  const id = String(store.id);
  for (const fileId of fileIds) attach(ctx.app, id, fileId, null);
  return { status: 200, body: ctx.app.vectorStores.get(id) };
}

function listStores(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  return {
    status: 200,
    body: { object: "list", ...paginate(ctx.app.vectorStores.list(), page, (s) => String(s.id)) },
  };
}

function storeId(ctx: RequestContext): string {
  const id = param(ctx, "id");
  if (!ctx.app.vectorStores.exists(id)) throw vectorStoreNotFound(id);
  return id;
}

function getStore(ctx: RequestContext): Reply {
  return { status: 200, body: ctx.app.vectorStores.get(storeId(ctx)) };
}

async function updateStore(ctx: RequestContext): Promise<Reply> {
  const id = storeId(ctx);
  const body = await ctx.json();
  const change: Parameters<App["vectorStores"]["update"]>[1] = {};
  const name = optionalString(body, "name");
  if (name !== undefined) change.name = name;
  const metadata = optionalMetadata(body);
  if (metadata !== undefined) change.metadata = metadata;
  const expires = readExpiresAfter(body);
  if (expires !== undefined) change.expires_after = expires;
  const updated = ctx.app.vectorStores.update(id, change);
  if (updated === undefined) throw vectorStoreNotFound(id);
  return { status: 200, body: updated };
}

function deleteStore(ctx: RequestContext): Reply {
  const id = param(ctx, "id");
  if (!ctx.app.vectorStores.delete(id)) throw vectorStoreNotFound(id);
  return { status: 200, body: { id, object: "vector_store.deleted", deleted: true } };
}

async function searchStore(ctx: RequestContext): Promise<Reply> {
  const id = storeId(ctx);
  const body = await ctx.json();
  const raw = body.query;
  const query = Array.isArray(raw) ? raw.filter((q) => typeof q === "string").join(" ") : raw;
  if (typeof query !== "string" || query.trim() === "") {
    throw invalidPayload("query", "'query' is required: a string or an array of strings.");
  }
  const max = body.max_num_results ?? 10;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 50) {
    throw invalidValue("max_num_results", "'max_num_results' must be an integer from 1 to 50.");
  }
  const threshold = isObject(body.ranking_options) ? Number(body.ranking_options.score_threshold ?? 0) : 0;
  const hits = ctx.app.vectorStores.search(id, query, max).filter((hit) => hit.score >= threshold);
  return {
    status: 200,
    body: {
      object: "vector_store.search_results.page",
      search_query: [query],
      data: hits.map((hit) => ({
        file_id: hit.fileId,
        filename: hit.filename,
        score: hit.score,
        attributes: ctx.app.vectorStores.getFile(id, hit.fileId)?.attributes ?? null,
        content: [{ type: "text", text: hit.text }],
      })),
      has_more: false,
      next_page: null,
    },
  };
}

async function attachFile(ctx: RequestContext): Promise<Reply> {
  const id = storeId(ctx);
  const body = await ctx.json();
  const fileId = requiredString(body, "file_id");
  if (ctx.app.files.get(fileId) === undefined) throw fileNotFound(fileId, "file_id");
  return { status: 200, body: attach(ctx.app, id, fileId, readAttributes(body)) };
}

function listStoreFiles(ctx: RequestContext): Reply {
  const id = storeId(ctx);
  const page = parsePageParams(ctx.query, "desc");
  const filter = ctx.query.get("filter");
  const files = ctx.app.vectorStores.listFiles(id).filter((f) => !filter || f.status === filter);
  return { status: 200, body: { object: "list", ...paginate(files, page, (f) => f.id) } };
}

function getStoreFile(ctx: RequestContext): undefined {
  const id = storeId(ctx);
  const fileId = param(ctx, "file");
  const file = ctx.app.vectorStores.getFile(id, fileId);
  if (file === undefined) throw notFound(`No file '${fileId}' in vector store '${id}'.`);
  sendJson(
    ctx.res,
    200,
    file,
    file.status === "in_progress" ? { "openai-poll-after-ms": POLL_AFTER_MS } : {},
  );
  return undefined;
}

function detachFile(ctx: RequestContext): Reply {
  const id = storeId(ctx);
  const fileId = param(ctx, "file");
  if (!ctx.app.vectorStores.detach(id, fileId))
    throw notFound(`No file '${fileId}' in vector store '${id}'.`);
  return { status: 200, body: { id: fileId, object: "vector_store.file.deleted", deleted: true } };
}
