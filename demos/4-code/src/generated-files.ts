/**
 * The files an answer's code generated. The service does not attach them to the answer: it cites them,
 * as `container_file_citation` annotations on the answer's text, and each one is downloaded from the
 * container the code ran in with `containers.files.content.retrieve(file_id, {container_id})`.
 */
import type OpenAI from "openai";
import type { Response } from "openai/resources/responses/responses";

export interface GeneratedFile {
  containerId: string;
  fileId: string;
  filename: string;
}

/** Every file cited in the response's messages, once each, in the order they are cited. */
export function generatedFiles(response: Response): GeneratedFile[] {
  const files = new Map<string, GeneratedFile>();
  for (const item of response.output) {
    if (item.type !== "message") continue;
    for (const part of item.content) {
      if (part.type !== "output_text") continue;
      for (const a of part.annotations) {
        if (a.type !== "container_file_citation" || files.has(a.file_id)) continue;
        files.set(a.file_id, { containerId: a.container_id, fileId: a.file_id, filename: a.filename });
      }
    }
  }
  return [...files.values()];
}

export async function download(openai: OpenAI, file: GeneratedFile): Promise<Buffer> {
  const content = await openai.containers.files.content.retrieve(file.fileId, {
    container_id: file.containerId,
  });
  return Buffer.from(await content.arrayBuffer());
}

/** A name safe to use as a local file name (the model chooses the original). */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  return base.replace(/[^\w.\- ]/g, "_").replace(/^\.+/, "") || "file";
}
