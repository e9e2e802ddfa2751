/**
 * Containers (`openai.containers.*`) under `/openai/v1`: list, retrieve and delete the containers code
 * interpreter calls ran in, and list, retrieve, download and delete their files. Generated files (charts)
 * are downloaded from here: `GET /containers/{cid}/files/{fid}/content`, with the file's own content type.
 */
import path from "node:path";
import { param, type Reply, type RequestContext } from "../context.ts";
import { containerNotFound, notFound } from "../errors.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import { attachment } from "./files.ts";

export function mountContainers(router: Router, prefix: string): void {
  router.add("GET", `${prefix}/containers`, listContainers, false);
  router.add("GET", `${prefix}/containers/:cid`, getContainer, false);
  router.add("DELETE", `${prefix}/containers/:cid`, deleteContainer, false);
  router.add("GET", `${prefix}/containers/:cid/files`, listFiles, false);
  router.add("GET", `${prefix}/containers/:cid/files/:fid`, getFile, false);
  router.add("DELETE", `${prefix}/containers/:cid/files/:fid`, deleteFile, false);
  router.add("GET", `${prefix}/containers/:cid/files/:fid/content`, fileContent, false);
}

const CONTENT_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".csv": "text/csv",
  ".txt": "text/plain",
  ".json": "application/json",
};

function listContainers(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  return { status: 200, body: { object: "list", ...paginate(ctx.app.containers.list(), page, (c) => c.id) } };
}

function existing(ctx: RequestContext) {
  const id = param(ctx, "cid");
  const container = ctx.app.containers.get(id);
  if (container === undefined) throw containerNotFound(id);
  return container;
}

function getContainer(ctx: RequestContext): Reply {
  return { status: 200, body: existing(ctx) };
}

function deleteContainer(ctx: RequestContext): Reply {
  const { id } = existing(ctx);
  ctx.app.containers.delete(id);
  return { status: 200, body: { id, object: "container.deleted", deleted: true } };
}

function listFiles(ctx: RequestContext): Reply {
  const { id } = existing(ctx);
  const page = parsePageParams(ctx.query, "desc");
  return {
    status: 200,
    body: { object: "list", ...paginate(ctx.app.containers.files(id), page, (f) => f.id) },
  };
}

function existingFile(ctx: RequestContext) {
  const { id } = existing(ctx);
  const fileId = param(ctx, "fid");
  const file = ctx.app.containers.getFile(id, fileId);
  if (file === undefined) throw notFound(`No file '${fileId}' in container '${id}'.`);
  return file;
}

function getFile(ctx: RequestContext): Reply {
  return { status: 200, body: existingFile(ctx) };
}

function deleteFile(ctx: RequestContext): Reply {
  const file = existingFile(ctx);
  ctx.app.containers.deleteFile(file.container_id, file.id);
  return { status: 200, body: { id: file.id, object: "container.file.deleted", deleted: true } };
}

function fileContent(ctx: RequestContext): undefined {
  const file = existingFile(ctx);
  const bytes = ctx.app.containers.fileContent(file.container_id, file.id) ?? new Uint8Array();
  const name = path.posix.basename(file.path);
  ctx.res.writeHead(200, {
    "content-type": CONTENT_TYPES[path.posix.extname(name).toLowerCase()] ?? "application/octet-stream",
    "content-length": bytes.byteLength,
    "content-disposition": attachment(name),
    "x-content-type-options": "nosniff",
  });
  ctx.res.end(bytes);
  return undefined;
}
