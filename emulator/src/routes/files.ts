/**
 * Files (`openai.files.*`) under `/openai/v1`: multipart upload, retrieve, list, content, delete.
 * A deleted file also leaves every vector store it was part of.
 */
import { param, type Reply, type RequestContext } from "../context.ts";
import { ApiError, fileNotFound, invalidValue } from "../errors.ts";
import { nowSeconds } from "../ids.ts";
import { fileTooLarge, MAX_FILE_BYTES, readMultipart } from "../multipart.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";

const PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"];

export function mountFiles(router: Router, prefix: string): void {
  router.add("POST", `${prefix}/files`, uploadFile, false);
  router.add("GET", `${prefix}/files`, listFiles, false);
  router.add("GET", `${prefix}/files/:id`, getFile, false);
  router.add("DELETE", `${prefix}/files/:id`, deleteFile, false);
  router.add("GET", `${prefix}/files/:id/content`, fileContent, false);
}

async function uploadFile(ctx: RequestContext): Promise<Reply> {
  const form = await readMultipart(ctx.req);
  const file = form.get("file");
  const purpose = form.get("purpose");
  if (!(file instanceof File))
    throw new ApiError(400, "invalid_request", "'file' is required.", { param: "file" });
  if (typeof purpose !== "string" || !PURPOSES.includes(purpose)) {
    throw invalidValue("purpose", `'purpose' must be one of ${PURPOSES.join(", ")}.`);
  }
  if (file.size > MAX_FILE_BYTES) throw fileTooLarge(file.size);
  if (file.size === 0) {
    throw new ApiError(400, "empty_file", `The file '${file.name}' is empty.`, { param: "file" });
  }
  const seconds = Number(form.get("expires_after[seconds]") ?? Number.NaN);
  const expiresAt = Number.isFinite(seconds) ? nowSeconds() + seconds : null;
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { status: 200, body: ctx.app.files.create(file.name || "upload", purpose, bytes, expiresAt) };
}

function listFiles(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  const files = ctx.app.files.list(ctx.query.get("purpose") || undefined);
  return { status: 200, body: { object: "list", ...paginate(files, page, (f) => f.id) } };
}

function existing(ctx: RequestContext) {
  const id = param(ctx, "id");
  const file = ctx.app.files.get(id);
  if (file === undefined) throw fileNotFound(id);
  return file;
}

function getFile(ctx: RequestContext): Reply {
  return { status: 200, body: existing(ctx) };
}

function deleteFile(ctx: RequestContext): Reply {
  const { id } = existing(ctx);
  ctx.app.vectorStores.detachEverywhere(id);
  ctx.app.files.delete(id);
  return { status: 200, body: { id, object: "file", deleted: true } };
}

function fileContent(ctx: RequestContext): undefined {
  const file = existing(ctx);
  const bytes = ctx.app.files.content(file.id) ?? new Uint8Array();
  ctx.res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": bytes.byteLength,
    "content-disposition": attachment(file.filename),
  });
  ctx.res.end(bytes);
  return undefined;
}

/**
 * `content-disposition` for a download of any name: an ASCII fallback and the exact name (RFC 6266 with
 * RFC 8187 `filename*`); a raw non-Latin-1 name in a header would make Node throw, and the download a 500.
 */
export function attachment(name: string): string {
  const exact = name.toWellFormed();
  const ascii = exact.replace(/[^ -~]|["\\]/g, "_");
  const encoded = encodeURIComponent(exact).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
