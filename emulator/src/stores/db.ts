/**
 * The emulator's SQLite database (`<dataDir>/emulator.db`). Several processes may open the same data folder
 * at once (a demo next to `pnpm emulator`), so state is never cached in memory: every read goes to SQLite,
 * WAL lets readers and a writer work side by side, and a busy timeout waits out the other writer.
 * The schema is versioned in `meta` so later work appends migrations without touching old data.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { makePrivateDir, PRIVATE_FILE_MODE } from "../paths.ts";

/** Migration n brings the schema from version n to n + 1. Append only; never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE agents (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     next_version INTEGER NOT NULL
   );
   CREATE TABLE agent_versions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     body TEXT NOT NULL,
     UNIQUE (name, version)
   );
   CREATE TABLE conversations (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL
   );
   CREATE TABLE conversation_items (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     conversation_id TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     UNIQUE (conversation_id, id)
   );
   CREATE TABLE responses (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     input_items TEXT NOT NULL,
     history TEXT NOT NULL
   );`,
  // Files and vector stores (file search). Each vector store's chunks live in its own FTS5 table
  // (vs_fts_<id>), created with the store, so BM25 statistics are per store.
  `CREATE TABLE files (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     content BLOB NOT NULL
   );
   CREATE TABLE vector_stores (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL
   );
   CREATE TABLE vector_store_files (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     vector_store_id TEXT NOT NULL,
     file_id TEXT NOT NULL,
     body TEXT NOT NULL,
     attached_ms INTEGER NOT NULL,
     UNIQUE (vector_store_id, file_id)
   );`,
  // Code interpreter containers and their files (bytes included, so every process sees them).
  `CREATE TABLE containers (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     input_file_ids TEXT NOT NULL
   );
   CREATE TABLE container_files (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     container_id TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     content BLOB NOT NULL,
     UNIQUE (container_id, id)
   );`,
  `CREATE TABLE toolboxes (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     default_version TEXT NOT NULL,
     next_version INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE toolbox_versions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     body TEXT NOT NULL,
     UNIQUE (name, version)
   );`,
  // Responses reference their history (the previous response, or a conversation up to an item) instead
  // of copying it; older rows keep their copy in `history`. `deleted` hides a response later ones build on.
  `ALTER TABLE responses ADD COLUMN previous_response_id TEXT;
   ALTER TABLE responses ADD COLUMN conversation_id TEXT;
   ALTER TABLE responses ADD COLUMN conversation_seq INTEGER;
   ALTER TABLE responses ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX responses_by_previous ON responses (previous_response_id);`,
  // MCP approval requests the emulator issued, and who answered them: approvals the service enforces.
  `CREATE TABLE mcp_approval_requests (
     id TEXT PRIMARY KEY,
     response_id TEXT NOT NULL,
     conversation_id TEXT,
     body TEXT NOT NULL,
     answered_by TEXT,
     settled INTEGER NOT NULL DEFAULT 0
   );`,
  // What an approval request was issued for: the agent version and the server URL behind its label, so an
  // answer sent with another agent (or a request whose label points elsewhere) cannot run it there.
  `ALTER TABLE mcp_approval_requests ADD COLUMN agent_name TEXT;
   ALTER TABLE mcp_approval_requests ADD COLUMN agent_version TEXT;
   ALTER TABLE mcp_approval_requests ADD COLUMN server_url TEXT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(dataDir: string): DatabaseSync {
  makePrivateDir(dataDir);
  const file = path.join(dataDir, "emulator.db");
  // SQLite gives the -wal and -shm files the database file's own mode, so a private database file makes
  // all three private. Files an older emulator made are tightened too.
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      chmodSync(`${file}${suffix}`, PRIVATE_FILE_MODE);
    } catch {
      // not there (yet): created below with the database file's mode
    }
  }
  const db = new DatabaseSync(file, { timeout: 5000 });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  transaction(db, () => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get();
    const current = row === undefined ? 0 : Number(row.value);
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `The emulator database in ${dataDir} was written by a newer emulator (schema ${current}); update the lab or use another EMULATOR_DATA_DIR.`,
      );
    }
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(SCHEMA_VERSION),
    );
  });
  return db;
}

/**
 * Runs `fn` in a write transaction. IMMEDIATE takes the write lock up front, so two processes that both
 * read-then-write (e.g. "next agent version") cannot interleave.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
