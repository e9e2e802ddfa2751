/**
 * Agents and their versions. A version is immutable once made; the agent is the name plus its latest
 * version. Version numbers only grow (deleting version 2 never lets a later create reuse "2"), and they
 * restart at 1 only when the agent itself is deleted, as on the service.
 */
import type { DatabaseSync } from "node:sqlite";
import { nowSeconds } from "../ids.ts";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface AgentVersion {
  object: "agent.version";
  id: string;
  name: string;
  version: string;
  description: string;
  metadata: Record<string, string>;
  created_at: number;
  definition: Json & { kind: string };
  status: "active";
  draft: false;
}

export interface Agent {
  object: "agent";
  id: string;
  name: string;
  state: "enabled";
  versions: { latest: AgentVersion };
}

export interface NewAgentVersion {
  definition: Json & { kind: string };
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export class AgentStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  createVersion(name: string, input: NewAgentVersion): AgentVersion {
    return transaction(this.db, () => {
      const now = nowSeconds();
      const row = this.db.prepare("SELECT next_version FROM agents WHERE name = ?").get(name);
      const number = row === undefined ? 1 : Number(row.next_version);
      if (row === undefined) {
        this.db
          .prepare("INSERT INTO agents (name, created_at, next_version) VALUES (?, ?, 2)")
          .run(name, now);
      } else {
        this.db.prepare("UPDATE agents SET next_version = ? WHERE name = ?").run(number + 1, name);
      }
      const version: AgentVersion = {
        object: "agent.version",
        id: `${name}:${number}`,
        name,
        version: String(number),
        description: input.description ?? "",
        metadata: input.metadata ?? {},
        created_at: now,
        definition: input.definition,
        status: "active",
        draft: false,
      };
      this.db
        .prepare("INSERT INTO agent_versions (name, version, body) VALUES (?, ?, ?)")
        .run(name, number, JSON.stringify(version));
      return version;
    });
  }

  getVersion(name: string, version: string): AgentVersion | undefined {
    if (!/^[1-9][0-9]{0,9}$/.test(version)) return undefined;
    const row = this.db
      .prepare("SELECT body FROM agent_versions WHERE name = ? AND version = ?")
      .get(name, Number(version));
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as AgentVersion);
  }

  /** All versions of one agent, oldest first. */
  listVersions(name: string): AgentVersion[] {
    return this.db
      .prepare("SELECT body FROM agent_versions WHERE name = ? ORDER BY version")
      .all(name)
      .map((row) => JSON.parse(String(row.body)) as AgentVersion);
  }

  latest(name: string): AgentVersion | undefined {
    const row = this.db
      .prepare("SELECT body FROM agent_versions WHERE name = ? ORDER BY version DESC LIMIT 1")
      .get(name);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as AgentVersion);
  }

  get(name: string): Agent | undefined {
    const latest = this.latest(name);
    return latest === undefined ? undefined : toAgent(latest);
  }

  /** All agents, oldest first. */
  list(): Agent[] {
    const rows = this.db
      .prepare(
        `SELECT v.body FROM agents a JOIN agent_versions v ON v.name = a.name
         AND v.version = (SELECT MAX(version) FROM agent_versions WHERE name = a.name)
         ORDER BY a.seq`,
      )
      .all();
    return rows.map((row) => toAgent(JSON.parse(String(row.body)) as AgentVersion));
  }

  /** Deletes the agent and all its versions; false when there was no such agent. */
  delete(name: string): boolean {
    return transaction(this.db, () => {
      this.db.prepare("DELETE FROM agent_versions WHERE name = ?").run(name);
      return Number(this.db.prepare("DELETE FROM agents WHERE name = ?").run(name).changes) > 0;
    });
  }

  /** Deletes one version; an agent left with no versions is gone too (an agent always has a latest). */
  deleteVersion(name: string, version: string): boolean {
    if (!/^[1-9][0-9]{0,9}$/.test(version)) return false;
    return transaction(this.db, () => {
      const changes = this.db
        .prepare("DELETE FROM agent_versions WHERE name = ? AND version = ?")
        .run(name, Number(version)).changes;
      const left = this.db.prepare("SELECT COUNT(*) AS n FROM agent_versions WHERE name = ?").get(name);
      if (Number(left?.n ?? 0) === 0) this.db.prepare("DELETE FROM agents WHERE name = ?").run(name);
      return Number(changes) > 0;
    });
  }
}

function toAgent(latest: AgentVersion): Agent {
  return { object: "agent", id: latest.name, name: latest.name, state: "enabled", versions: { latest } };
}
