/**
 * Toolboxes: named, versioned bundles of tools. A version is immutable; the toolbox points at a default
 * version that only changes when someone promotes another one (`PATCH /toolboxes/{name}`).
 */
import type { DatabaseSync } from "node:sqlite";
import { nowSeconds } from "../ids.ts";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface ToolboxVersion {
  object: "toolbox.version";
  id: string;
  name: string;
  version: string;
  description: string;
  metadata: Record<string, string> | null;
  created_at: number;
  tools: Json[];
}

export interface Toolbox {
  object: "toolbox";
  id: string;
  name: string;
  updated_at: number;
  default_version: string;
  versions: { latest: ToolboxVersion };
}

export class ToolboxStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  createVersion(
    name: string,
    input: { tools: Json[]; description?: string; metadata?: Record<string, string> },
  ): ToolboxVersion {
    return transaction(this.db, () => {
      const now = nowSeconds();
      const row = this.db.prepare("SELECT next_version FROM toolboxes WHERE name = ?").get(name);
      const number = row === undefined ? 1 : Number(row.next_version);
      if (row === undefined) {
        // The first version becomes the default; later ones wait to be promoted.
        this.db
          .prepare(
            "INSERT INTO toolboxes (name, default_version, next_version, updated_at) VALUES (?, '1', 2, ?)",
          )
          .run(name, now);
      } else {
        this.db
          .prepare("UPDATE toolboxes SET next_version = ?, updated_at = ? WHERE name = ?")
          .run(number + 1, now, name);
      }
      const version: ToolboxVersion = {
        object: "toolbox.version",
        id: `${name}:${number}`,
        name,
        version: String(number),
        description: input.description ?? "",
        metadata: input.metadata ?? null,
        created_at: now,
        tools: input.tools,
      };
      this.db
        .prepare("INSERT INTO toolbox_versions (name, version, body) VALUES (?, ?, ?)")
        .run(name, number, JSON.stringify(version));
      return version;
    });
  }

  getVersion(name: string, version: string): ToolboxVersion | undefined {
    const row = this.db
      .prepare("SELECT body FROM toolbox_versions WHERE name = ? AND version = ?")
      .get(name, Number(version));
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as ToolboxVersion);
  }

  listVersions(name: string): ToolboxVersion[] {
    return this.db
      .prepare("SELECT body FROM toolbox_versions WHERE name = ? ORDER BY version")
      .all(name)
      .map((row) => JSON.parse(String(row.body)) as ToolboxVersion);
  }

  get(name: string): Toolbox | undefined {
    const row = this.db.prepare("SELECT default_version, updated_at FROM toolboxes WHERE name = ?").get(name);
    if (row === undefined) return undefined;
    const versions = this.listVersions(name);
    const latest = versions[versions.length - 1];
    if (latest === undefined) return undefined;
    return {
      object: "toolbox",
      id: name,
      name,
      updated_at: Number(row.updated_at),
      default_version: String(row.default_version),
      versions: { latest },
    };
  }

  list(): Toolbox[] {
    return this.db
      .prepare("SELECT name FROM toolboxes ORDER BY seq")
      .all()
      .map((row) => this.get(String(row.name)))
      .filter((t): t is Toolbox => t !== undefined);
  }

  setDefault(name: string, version: string): Toolbox | undefined {
    this.db
      .prepare("UPDATE toolboxes SET default_version = ?, updated_at = ? WHERE name = ?")
      .run(version, nowSeconds(), name);
    return this.get(name);
  }

  delete(name: string): boolean {
    return transaction(this.db, () => {
      this.db.prepare("DELETE FROM toolbox_versions WHERE name = ?").run(name);
      return this.db.prepare("DELETE FROM toolboxes WHERE name = ?").run(name).changes > 0;
    });
  }

  /** Deleting the last version deletes the toolbox; the default moves to the newest remaining one. */
  deleteVersion(name: string, version: string): boolean {
    return transaction(this.db, () => {
      const gone =
        this.db
          .prepare("DELETE FROM toolbox_versions WHERE name = ? AND version = ?")
          .run(name, Number(version)).changes > 0;
      if (!gone) return false;
      const left = this.db.prepare("SELECT MAX(version) AS v FROM toolbox_versions WHERE name = ?").get(name);
      if (left?.v === null || left?.v === undefined)
        this.db.prepare("DELETE FROM toolboxes WHERE name = ?").run(name);
      else
        this.db
          .prepare(
            "UPDATE toolboxes SET default_version = CASE WHEN default_version = ? THEN ? ELSE default_version END WHERE name = ?",
          )
          .run(version, String(left.v), name);
      return true;
    });
  }
}
