/**
 * Code interpreter containers (`openai.containers.*`): the service gives every code_interpreter session a
 * container, a folder the code runs in (`/mnt/data`), holding the uploaded input files and whatever the
 * code writes. Here the container and its files (metadata and bytes) live in SQLite, so every process
 * sharing the data folder sees them. `<dataDir>/containers/<id>` is the emulator's own working copy of
 * them, made again from SQLite whenever a file is missing: the code never sees it (sandbox/run.ts copies
 * it into the sandbox's /mnt/data and writes back what the code wrote, by checked name), so nothing in it
 * was made by code, and still nothing here follows a link.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { newId, nowSeconds } from "../ids.ts";
import { readRegular, regularFiles, writeContained } from "../sandbox/folder.ts";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface ContainerObject extends Json {
  id: string;
  object: "container";
  name: string;
  created_at: number;
  status: "running";
  expires_after: { anchor: "last_active_at"; minutes: number };
  last_active_at: number;
  memory_limit: "1g";
}

export interface ContainerFileObject extends Json {
  id: string;
  object: "container.file";
  container_id: string;
  /** Where the code sees it, as the service reports it: `/mnt/data/<name>`. */
  path: string;
  bytes: number;
  created_at: number;
  /** `user` for input files, `assistant` for files the code wrote. */
  source: "user" | "assistant";
}

/** At most this many files a single run may add to its container; more are left out. */
const MAX_NEW_FILES_PER_RUN = 20;
const MAX_COLLECTED_BYTES = 20 * 1024 * 1024;

export class ContainerStore {
  readonly db: DatabaseSync;
  readonly root: string;

  constructor(db: DatabaseSync, dataDir: string) {
    this.db = db;
    this.root = path.join(dataDir, "containers");
  }

  /** A new container holding copies of the given input files (already checked to exist). */
  create(
    name: string,
    inputFileIds: string[],
    inputs: { filename: string; content: Uint8Array }[],
  ): ContainerObject {
    const now = nowSeconds();
    const container: ContainerObject = {
      id: newId("cntr"),
      object: "container",
      name,
      created_at: now,
      status: "running",
      expires_after: { anchor: "last_active_at", minutes: 20 },
      last_active_at: now,
      memory_limit: "1g",
    };
    transaction(this.db, () => {
      this.db
        .prepare("INSERT INTO containers (id, body, input_file_ids) VALUES (?, ?, ?)")
        .run(container.id, JSON.stringify(container), JSON.stringify(inputFileIds));
      for (const input of inputs) this.addFile(container.id, safeName(input.filename), input.content, "user");
    });
    return container;
  }

  get(id: string): ContainerObject | undefined {
    const row = this.db.prepare("SELECT body FROM containers WHERE id = ?").get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as ContainerObject);
  }

  /** The upload ids the container was made from (to reuse it for the same tool definition). */
  inputFileIds(id: string): string[] {
    const row = this.db.prepare("SELECT input_file_ids FROM containers WHERE id = ?").get(id);
    return row === undefined ? [] : (JSON.parse(String(row.input_file_ids)) as string[]);
  }

  list(): ContainerObject[] {
    return this.db
      .prepare("SELECT body FROM containers ORDER BY seq")
      .all()
      .map((row) => JSON.parse(String(row.body)) as ContainerObject);
  }

  delete(id: string): boolean {
    const deleted = transaction(this.db, () => {
      this.db.prepare("DELETE FROM container_files WHERE container_id = ?").run(id);
      return Number(this.db.prepare("DELETE FROM containers WHERE id = ?").run(id).changes) > 0;
    });
    rmSync(this.folderPath(id), { recursive: true, force: true });
    return deleted;
  }

  files(containerId: string): ContainerFileObject[] {
    return this.db
      .prepare("SELECT body FROM container_files WHERE container_id = ? ORDER BY seq")
      .all(containerId)
      .map((row) => JSON.parse(String(row.body)) as ContainerFileObject);
  }

  getFile(containerId: string, fileId: string): ContainerFileObject | undefined {
    const row = this.db
      .prepare("SELECT body FROM container_files WHERE container_id = ? AND id = ?")
      .get(containerId, fileId);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as ContainerFileObject);
  }

  fileContent(containerId: string, fileId: string): Uint8Array | undefined {
    const row = this.db
      .prepare("SELECT content FROM container_files WHERE container_id = ? AND id = ?")
      .get(containerId, fileId);
    return row === undefined ? undefined : (row.content as Uint8Array);
  }

  deleteFile(containerId: string, fileId: string): boolean {
    const file = this.getFile(containerId, fileId);
    if (file === undefined) return false;
    this.db.prepare("DELETE FROM container_files WHERE container_id = ? AND id = ?").run(containerId, fileId);
    const where = path.join(this.folderPath(containerId), relativeName(file.path));
    if (path.relative(this.folderPath(containerId), where).startsWith("..")) return true;
    rmSync(where, { force: true });
    return true;
  }

  /** The folder the code runs in, with every stored file in it (made again if it went missing). */
  folder(containerId: string): string {
    const folder = this.folderPath(containerId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const present = new Set(regularFiles(folder));
    for (const file of this.files(containerId)) {
      const name = relativeName(file.path);
      if (present.has(name)) continue;
      writeContained(folder, name, this.fileContent(containerId, file.id) ?? new Uint8Array());
    }
    return folder;
  }

  /**
   * After a run: every regular file in the folder that is new or changed becomes a container file (source
   * `assistant`). Links are skipped (defence in depth: only the emulator writes the folder). Returns the
   * files added, in name order.
   */
  collect(containerId: string): ContainerFileObject[] {
    const folder = this.folderPath(containerId);
    const known = new Map(this.files(containerId).map((f) => [relativeName(f.path), f]));
    const added: ContainerFileObject[] = [];
    let bytes = 0;
    for (const name of regularFiles(folder).sort()) {
      if (added.length >= MAX_NEW_FILES_PER_RUN) break;
      const content = readRegular(folder, name);
      if (content === undefined) continue;
      const previous = known.get(name);
      if (previous !== undefined && sameBytes(this.fileContent(containerId, previous.id), content)) continue;
      bytes += content.byteLength;
      if (bytes > MAX_COLLECTED_BYTES) break;
      transaction(this.db, () => {
        if (previous !== undefined) {
          this.db
            .prepare("DELETE FROM container_files WHERE container_id = ? AND id = ?")
            .run(containerId, previous.id);
        }
        added.push(this.addFile(containerId, name, content, "assistant"));
      });
    }
    this.touch(containerId);
    return added;
  }

  private touch(containerId: string): void {
    const container = this.get(containerId);
    if (container === undefined) return;
    container.last_active_at = nowSeconds();
    this.db
      .prepare("UPDATE containers SET body = ? WHERE id = ?")
      .run(JSON.stringify(container), containerId);
  }

  private addFile(
    containerId: string,
    name: string,
    content: Uint8Array,
    source: "user" | "assistant",
  ): ContainerFileObject {
    const file: ContainerFileObject = {
      id: newId("cfile"),
      object: "container.file",
      container_id: containerId,
      path: `/mnt/data/${name}`,
      bytes: content.byteLength,
      created_at: nowSeconds(),
      source,
    };
    this.db
      .prepare("INSERT INTO container_files (container_id, id, body, content) VALUES (?, ?, ?, ?)")
      .run(containerId, file.id, JSON.stringify(file), content);
    return file;
  }

  private folderPath(containerId: string): string {
    if (!/^cntr_[a-z0-9]+$/i.test(containerId)) throw new Error(`not a container id: ${containerId}`);
    return path.join(this.root, containerId);
  }
}

/** A file name as the code sees it: no folders, nothing hidden, nothing that climbs out. */
function safeName(filename: string): string {
  const base = path.basename(filename.replace(/\\/g, "/")).replace(/[^\w.\- ]/g, "_");
  return base.replace(/^\.+/, "") || "upload";
}

function relativeName(containerPath: string): string {
  return containerPath.replace(/^\/mnt\/data\//, "");
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a).equals(b);
}
