/**
 * Vector stores, their files, and the passages file search reads. A file attached to a store starts
 * `in_progress`; indexing (check the bytes, cut into passages, add them to the store's FTS5 table) runs
 * shortly after in the emulator process that accepted it, and a later poll sees `completed` or `failed`
 * with `last_error`. If that process died mid-way, the next read of the file indexes it instead.
 * Counts, status and usage are computed from the rows on every read: nothing is cached.
 */
import type { DatabaseSync } from "node:sqlite";
import { newId, nowSeconds } from "../ids.ts";
import { chunkDocument } from "../retrieval/chunking.ts";
import { addPassages, createIndex, dropIndex, type Hit, removeFile, search } from "../retrieval/fts.ts";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";
import type { FileStore } from "./files.ts";

export interface ExpiresAfter {
  anchor: "last_active_at";
  days: number;
}

interface StoredVectorStore {
  id: string;
  created_at: number;
  name: string;
  metadata: Record<string, string>;
  expires_after: ExpiresAfter | null;
  last_active_at: number;
}

export interface VectorStoreFile extends Json {
  id: string;
  object: "vector_store.file";
  vector_store_id: string;
  status: "in_progress" | "completed" | "failed" | "cancelled";
  created_at: number;
  usage_bytes: number;
  last_error: { code: "server_error" | "unsupported_file" | "invalid_file"; message: string } | null;
  attributes: Record<string, string | number | boolean> | null;
  chunking_strategy: { type: "other" };
}

/** A file left `in_progress` this long was orphaned by a process that stopped: index it on read. */
const ORPHANED_AFTER_MS = 2000;

/** The file types the service's file search accepts (by extension); the emulator indexes the text ones. */
const SUPPORTED = new Set(
  "c cpp cs css csv doc docx go html java js json md markdown pdf php pptx py rb sh tex ts txt xml yaml yml".split(
    " ",
  ),
);

/** Each store's passages live in their own FTS5 table, so BM25's statistics are the store's own. */
export function indexTable(vectorStoreId: string): string {
  if (!/^vs_[0-9a-f]+$/.test(vectorStoreId)) throw new Error(`Unexpected vector store id ${vectorStoreId}.`);
  return `vs_fts_${vectorStoreId.slice(3)}`;
}

export class VectorStoreStore {
  readonly db: DatabaseSync;
  readonly files: FileStore;

  constructor(db: DatabaseSync, files: FileStore) {
    this.db = db;
    this.files = files;
  }

  create(name: string, metadata: Record<string, string>, expiresAfter: ExpiresAfter | null): Json {
    const now = nowSeconds();
    const store: StoredVectorStore = {
      id: newId("vs"),
      created_at: now,
      name,
      metadata,
      expires_after: expiresAfter,
      last_active_at: now,
    };
    transaction(this.db, () => {
      this.db
        .prepare("INSERT INTO vector_stores (id, body) VALUES (?, ?)")
        .run(store.id, JSON.stringify(store));
      createIndex(this.db, indexTable(store.id));
    });
    return this.view(store);
  }

  get(id: string): Json | undefined {
    const stored = this.stored(id);
    return stored === undefined ? undefined : this.view(stored);
  }

  exists(id: string): boolean {
    return this.stored(id) !== undefined;
  }

  list(): Json[] {
    return this.db
      .prepare("SELECT body FROM vector_stores ORDER BY seq")
      .all()
      .map((row) => this.view(JSON.parse(String(row.body)) as StoredVectorStore));
  }

  update(
    id: string,
    change: { name?: string; metadata?: Record<string, string>; expires_after?: ExpiresAfter | null },
  ): Json | undefined {
    return transaction(this.db, () => {
      const stored = this.stored(id);
      if (stored === undefined) return undefined;
      const next: StoredVectorStore = { ...stored, ...change, last_active_at: nowSeconds() };
      this.db.prepare("UPDATE vector_stores SET body = ? WHERE id = ?").run(JSON.stringify(next), id);
      return this.view(next);
    });
  }

  delete(id: string): boolean {
    return transaction(this.db, () => {
      if (this.stored(id) === undefined) return false;
      this.db.prepare("DELETE FROM vector_store_files WHERE vector_store_id = ?").run(id);
      this.db.prepare("DELETE FROM vector_stores WHERE id = ?").run(id);
      dropIndex(this.db, indexTable(id));
      return true;
    });
  }

  /** Attaches a file as `in_progress`; the caller schedules `index()`. Re-attaching returns the existing row. */
  attach(vectorStoreId: string, fileId: string, attributes: VectorStoreFile["attributes"]): VectorStoreFile {
    return transaction(this.db, () => {
      const existing = this.file(vectorStoreId, fileId);
      if (existing !== undefined) return existing;
      const file: VectorStoreFile = {
        id: fileId,
        object: "vector_store.file",
        vector_store_id: vectorStoreId,
        status: "in_progress",
        created_at: nowSeconds(),
        usage_bytes: 0,
        last_error: null,
        attributes,
        chunking_strategy: { type: "other" },
      };
      this.db
        .prepare(
          "INSERT INTO vector_store_files (vector_store_id, file_id, body, attached_ms) VALUES (?, ?, ?, ?)",
        )
        .run(vectorStoreId, fileId, JSON.stringify(file), Date.now());
      return file;
    });
  }

  /** The file's state in the store, indexing it first if the process that should have did not. */
  getFile(vectorStoreId: string, fileId: string): VectorStoreFile | undefined {
    const row = this.db
      .prepare("SELECT body, attached_ms FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?")
      .get(vectorStoreId, fileId);
    if (row === undefined) return undefined;
    const file = JSON.parse(String(row.body)) as VectorStoreFile;
    if (file.status === "in_progress" && Date.now() - Number(row.attached_ms) > ORPHANED_AFTER_MS) {
      this.index(vectorStoreId, fileId);
      return this.file(vectorStoreId, fileId);
    }
    return file;
  }

  listFiles(vectorStoreId: string): VectorStoreFile[] {
    return this.db
      .prepare("SELECT file_id FROM vector_store_files WHERE vector_store_id = ? ORDER BY seq")
      .all(vectorStoreId)
      .map((row) => this.getFile(vectorStoreId, String(row.file_id)))
      .filter((file): file is VectorStoreFile => file !== undefined);
  }

  detach(vectorStoreId: string, fileId: string): boolean {
    return transaction(this.db, () => {
      const changes = this.db
        .prepare("DELETE FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?")
        .run(vectorStoreId, fileId).changes;
      if (Number(changes) === 0) return false;
      removeFile(this.db, indexTable(vectorStoreId), fileId);
      return true;
    });
  }

  /** A deleted file leaves every store it was in. */
  detachEverywhere(fileId: string): void {
    const stores = this.db
      .prepare("SELECT vector_store_id FROM vector_store_files WHERE file_id = ?")
      .all(fileId)
      .map((row) => String(row.vector_store_id));
    for (const id of stores) this.detach(id, fileId);
  }

  /**
   * Checks and indexes an attached file: `completed`, or `failed` with the reason. Runs in one write
   * transaction and only while the file is still `in_progress`, so two processes never index it twice.
   */
  index(vectorStoreId: string, fileId: string): void {
    transaction(this.db, () => {
      const file = this.file(vectorStoreId, fileId);
      if (file === undefined || file.status !== "in_progress") return;
      const meta = this.files.get(fileId);
      const bytes = this.files.content(fileId);
      const fail = (code: "unsupported_file" | "invalid_file", message: string) =>
        this.saveFile({ ...file, status: "failed", last_error: { code, message } });
      if (meta === undefined || bytes === undefined)
        return fail("invalid_file", "The file was deleted before it could be indexed.");
      const extension = /\.([A-Za-z0-9]+)$/.exec(meta.filename)?.[1]?.toLowerCase();
      if (extension !== undefined && !SUPPORTED.has(extension)) {
        return fail("unsupported_file", `Files of type .${extension} are not supported for file search.`);
      }
      if (bytes.byteLength === 0) return fail("invalid_file", "The file is empty.");
      const text = decodeText(bytes);
      if (text === undefined) {
        return fail(
          "unsupported_file",
          `${meta.filename} is a binary file; file search here indexes text (UTF-8) files only.`,
        );
      }
      const chunks = chunkDocument(text);
      if (chunks.length === 0) return fail("invalid_file", "The file has no text to index.");
      addPassages(this.db, indexTable(vectorStoreId), fileId, chunks);
      this.saveFile({ ...file, status: "completed", usage_bytes: Buffer.byteLength(text) });
      this.touch(vectorStoreId);
    });
  }

  /** Passages of this store's completed files that best answer `query`, best first. */
  search(vectorStoreId: string, query: string, limit: number): (Hit & { filename: string })[] {
    this.touch(vectorStoreId);
    return search(this.db, indexTable(vectorStoreId), query, limit).map((hit) => ({
      ...hit,
      filename: this.files.get(hit.fileId)?.filename ?? hit.fileId,
    }));
  }

  private stored(id: string): StoredVectorStore | undefined {
    const row = this.db.prepare("SELECT body FROM vector_stores WHERE id = ?").get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as StoredVectorStore);
  }

  private file(vectorStoreId: string, fileId: string): VectorStoreFile | undefined {
    const row = this.db
      .prepare("SELECT body FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?")
      .get(vectorStoreId, fileId);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as VectorStoreFile);
  }

  private saveFile(file: VectorStoreFile): void {
    this.db
      .prepare("UPDATE vector_store_files SET body = ? WHERE vector_store_id = ? AND file_id = ?")
      .run(JSON.stringify(file), file.vector_store_id, file.id);
  }

  private touch(id: string): void {
    const stored = this.stored(id);
    if (stored === undefined) return;
    this.db
      .prepare("UPDATE vector_stores SET body = ? WHERE id = ?")
      .run(JSON.stringify({ ...stored, last_active_at: nowSeconds() }), id);
  }

  /** The store as the service returns it, with counts and status from its files. */
  private view(store: StoredVectorStore): Json {
    const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let usage = 0;
    for (const row of this.db
      .prepare("SELECT body FROM vector_store_files WHERE vector_store_id = ?")
      .all(store.id)) {
      const file = JSON.parse(String(row.body)) as VectorStoreFile;
      counts[file.status]++;
      counts.total++;
      usage += file.usage_bytes;
    }
    const expiresAt =
      store.expires_after === null ? null : store.last_active_at + store.expires_after.days * 86_400;
    const status =
      expiresAt !== null && nowSeconds() > expiresAt
        ? "expired"
        : counts.in_progress > 0
          ? "in_progress"
          : "completed";
    return {
      id: store.id,
      object: "vector_store",
      created_at: store.created_at,
      name: store.name,
      metadata: store.metadata,
      status,
      usage_bytes: usage,
      file_counts: counts,
      last_active_at: store.last_active_at,
      expires_after: store.expires_after,
      expires_at: expiresAt,
    };
  }
}

/** The bytes as text, or undefined when they are not text (a NUL byte, or not valid UTF-8). */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
}
