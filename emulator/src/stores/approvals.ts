/**
 * The approval requests this emulator issued (`mcp_approval_request` output items), so it can tell a real
 * one from a forged copy and answer each once. A row records where the request was issued (its response,
 * and conversation if any), what for (the agent version, and the URL of the server its label named then),
 * which `mcp_approval_response` item answered it, and whether that answer has been acted on (`settled`:
 * the call ran, or was declined), so no later turn acts on it again.
 */
import type { DatabaseSync } from "node:sqlite";
import { isObject, type Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface IssuedApproval {
  /** The `mcp_approval_request` item exactly as the emulator issued it. */
  request: Json & { id: string; server_label: string; name: string; arguments: string };
  responseId: string;
  conversationId: string | null;
  /** The agent version that asked, or null for a request that named no agent. */
  agent: { name: string; version: string } | null;
  /** The URL of the server the request's label named when it was issued (null: not known, in an old row). */
  serverUrl: string | null;
  answeredBy: string | null;
  settled: boolean;
}

export class ApprovalStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Records every approval request among a response's output items, with the agent and server it was for. */
  recordIssued(response: Json & { id: string; output: Json[] }, conversationId: string | null): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO mcp_approval_requests
         (id, response_id, conversation_id, body, agent_name, agent_version, server_url)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const item of response.output) {
      if (item.type === "mcp_approval_request" && typeof item.id === "string") {
        const { agent, serverUrl } = issuedFor(response, String(item.server_label));
        insert.run(
          item.id,
          response.id,
          conversationId,
          JSON.stringify(item),
          agent?.name ?? null,
          agent?.version ?? null,
          serverUrl,
        );
      }
    }
  }

  get(id: string): IssuedApproval | undefined {
    const row = this.db
      .prepare(
        `SELECT a.body, a.response_id, a.conversation_id, a.agent_name, a.agent_version, a.server_url,
                a.answered_by, a.settled, r.body AS response
           FROM mcp_approval_requests a LEFT JOIN responses r ON r.id = a.response_id
          WHERE a.id = ?`,
      )
      .get(id);
    if (row === undefined) return undefined;
    const request = JSON.parse(String(row.body)) as IssuedApproval["request"];
    // A row from before the emulator recorded what it was for: the response that issued it still says.
    const recorded =
      row.server_url !== null
        ? {
            agent:
              row.agent_name === null
                ? null
                : { name: String(row.agent_name), version: String(row.agent_version) },
            serverUrl: String(row.server_url),
          }
        : row.response !== null
          ? issuedFor(JSON.parse(String(row.response)) as Json, request.server_label)
          : { agent: null, serverUrl: null };
    return {
      request,
      responseId: String(row.response_id),
      conversationId: row.conversation_id === null ? null : String(row.conversation_id),
      ...recorded,
      answeredBy: row.answered_by === null ? null : String(row.answered_by),
      settled: Number(row.settled) === 1,
    };
  }

  /**
   * Marks each request answered by its answer item, all or none. Returns the first request id someone
   * else answered first (two turns racing with the same approval), in which case nothing was marked.
   */
  claim(answers: Array<{ requestId: string; answerId: string }>): string | undefined {
    const mark = this.db.prepare(
      "UPDATE mcp_approval_requests SET answered_by = ? WHERE id = ? AND answered_by IS NULL",
    );
    try {
      transaction(this.db, () => {
        for (const { requestId, answerId } of answers) {
          if (Number(mark.run(answerId, requestId).changes) === 0) throw new AlreadyAnswered(requestId);
        }
      });
      return undefined;
    } catch (error) {
      if (error instanceof AlreadyAnswered) return error.requestId;
      throw error;
    }
  }

  /** Gives answers back (the turn that took them failed before acting on them). */
  release(requestIds: string[]): void {
    const unmark = this.db.prepare(
      "UPDATE mcp_approval_requests SET answered_by = NULL WHERE id = ? AND settled = 0",
    );
    for (const id of requestIds) unmark.run(id);
  }

  /** The answer was acted on: the call ran or was declined. */
  settle(id: string): void {
    this.db.prepare("UPDATE mcp_approval_requests SET settled = 1 WHERE id = ?").run(id);
  }
}

/** What a response's approval request for `label` was issued for: its agent version and that server's URL. */
function issuedFor(
  response: Json,
  label: string,
): { agent: { name: string; version: string } | null; serverUrl: string | null } {
  const ref = isObject(response.agent_reference) ? response.agent_reference : undefined;
  const tools = Array.isArray(response.tools) ? response.tools.filter(isObject) : [];
  return {
    agent: ref === undefined ? null : { name: String(ref.name), version: String(ref.version) },
    serverUrl: serverUrl(tools, label),
  };
}

/** The URL behind an MCP label among a turn's tools: the first server with that label, as the MCP skill picks. */
export function serverUrl(tools: Json[], label: string): string | null {
  const server = tools.find((tool) => tool.type === "mcp" && tool.server_label === label);
  return typeof server?.server_url === "string" ? server.server_url : null;
}

class AlreadyAnswered extends Error {
  readonly requestId: string;
  constructor(requestId: string) {
    super(`approval request ${requestId} was already answered`);
    this.requestId = requestId;
  }
}
