/**
 * Request bodies in, JSON out. Bodies are capped at 1 MiB (the lab never needs more, and a cap keeps a
 * runaway client from filling memory) and at MAX_JSON_DEPTH levels of nesting; everything that leaves carries `content-type: application/json`,
 * because without it the openai SDK hands callers raw text instead of an object.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Deepest nesting of objects and arrays a JSON body may have: 64, the default of .NET's System.Text.Json
 * that Azure services are built on. Deeper bodies never reach code that walks them recursively (a 9 KB
 * body nested 4,300 levels overflowed the stack and became a 500, which the SDKs then retried).
 */
export const MAX_JSON_DEPTH = 64;

// `connection: close`: the rest of an oversized body is drained and dropped, never parsed.
const tooLarge = () =>
  new ApiError(413, "payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes.`, {
    headers: { connection: "close" },
  });

/** Reads the whole body as text, refusing more than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return; // keep draining so the client can read our 413 instead of a reset
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
    // A client that hangs up mid-body: settle, so the handler does not wait forever.
    req.on("close", () => {
      if (!req.complete) reject(new ApiError(400, "incomplete_body", "The request body ended early."));
    });
  });
}

/** Parses a JSON object body; an empty body is `{}` (the SDKs send `{}` or nothing for empty creates). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === "") return {};
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new ApiError(
      400,
      "invalid_payload",
      `The request body nests JSON more than ${MAX_JSON_DEPTH} levels deep; flatten it.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "invalid_payload", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** The deepest nesting of `{`/`[` in JSON text, outside strings; one pass, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.status, error.toBody(), error.headers);
}
