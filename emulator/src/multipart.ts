/**
 * Multipart uploads (`openai.files.create`). File bodies get their own cap, well above the 1 MiB JSON
 * cap; the platform's own parser (`Response.formData()`) reads the parts. An oversized body is drained,
 * not parsed, so the client reads a clear 400 instead of a reset connection.
 */
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.ts";

/** Largest file the emulator accepts (the service allows more; the lab needs far less). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Room for the multipart framing around the file. */
const FRAMING_BYTES = 64 * 1024;

export const fileTooLarge = (bytes?: number) =>
  new ApiError(
    400,
    "file_too_large",
    `The file is too large${bytes === undefined ? "" : ` (${bytes} bytes)`}: files can be at most ${MAX_FILE_BYTES / 1024 / 1024} MB here.`,
    { param: "file" },
  );

export async function readMultipart(req: IncomingMessage): Promise<FormData> {
  const type = req.headers["content-type"] ?? "";
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ApiError(400, "invalid_request", "Uploads must be sent as multipart/form-data.");
  }
  const body = await readCapped(req, MAX_FILE_BYTES + FRAMING_BYTES);
  try {
    return await new Response(body, { headers: { "content-type": type } }).formData();
  } catch {
    throw new ApiError(400, "invalid_request", "The multipart body could not be parsed.");
  }
}

function readCapped(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= cap) chunks.push(chunk);
      else chunks.length = 0; // keep draining, keep nothing
    });
    req.on("end", () => (size > cap ? reject(fileTooLarge(size)) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new ApiError(400, "incomplete_body", "The request body ended early."));
    });
  });
}
