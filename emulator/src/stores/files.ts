/**
 * Uploaded files (`openai.files.*`): metadata as the service returns it, and the bytes, both in SQLite so
 * every process sharing the data folder sees the same files.
 */
import type { DatabaseSync } from "node:sqlite";
import { newId, nowSeconds } from "../ids.ts";
import type { Json } from "../validate.ts";

export interface FileObject extends Json {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: "processed";
  status_details: null;
  expires_at: number | null;
}

export class FileStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  create(filename: string, purpose: string, content: Uint8Array, expiresAt: number | null): FileObject {
    const file: FileObject = {
      id: newId("file"),
      object: "file",
      bytes: content.byteLength,
      created_at: nowSeconds(),
      filename,
      purpose,
      status: "processed",
      status_details: null,
      expires_at: expiresAt,
    };
    this.db
      .prepare("INSERT INTO files (id, body, content) VALUES (?, ?, ?)")
      .run(file.id, JSON.stringify(file), content);
    return file;
  }

  get(id: string): FileObject | undefined {
    const row = this.db.prepare("SELECT body FROM files WHERE id = ?").get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as FileObject);
  }

  content(id: string): Uint8Array | undefined {
    const row = this.db.prepare("SELECT content FROM files WHERE id = ?").get(id);
    return row === undefined ? undefined : (row.content as Uint8Array);
  }

  /** Oldest first; optionally only one purpose. */
  list(purpose: string | undefined): FileObject[] {
    return this.db
      .prepare("SELECT body FROM files ORDER BY seq")
      .all()
      .map((row) => JSON.parse(String(row.body)) as FileObject)
      .filter((file) => purpose === undefined || file.purpose === purpose);
  }

  delete(id: string): boolean {
    return Number(this.db.prepare("DELETE FROM files WHERE id = ?").run(id).changes) > 0;
  }
}
