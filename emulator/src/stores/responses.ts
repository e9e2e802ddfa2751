/**
 * Stored responses. Each row keeps the response object (its output) and this turn's `input_items`, and
 * says where the context before this turn came from instead of copying it: the previous response in the
 * chain (`previous_response_id`), or the conversation up to a point (`conversation_id`, `conversation_seq`).
 * So every item is stored once, and a 24-turn chain stores 24 turns, not 1 + 2 + … + 24 copies of them.
 * `thread(id)` rebuilds the full context (history + input + output) for `previous_response_id`.
 *
 * Rows written before this layout keep their own copy of the history (the `history` column) and are read
 * as before. A deleted response that later responses still build on is only hidden (`deleted`), so their
 * context stays whole; it is removed with the last response that needed it.
 */
import type { DatabaseSync } from "node:sqlite";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface StoredResponse {
  response: Json & { id: string };
  inputItems: Json[];
}

export interface SavedTurn extends StoredResponse {
  /** What the model saw before this turn: stored as a reference to where it came from, not as a copy. */
  history: Json[];
  previousResponseId: string | null;
  conversationId: string | null;
}

/** Where a chain of responses starts and which responses it passes through (oldest first). */
export interface Ancestry {
  responseIds: string[];
  /** The conversation the oldest response read its history from, if any. */
  conversationId: string | null;
}

interface ChainRow {
  id: string;
  body: string;
  input_items: string;
  history: string;
  conversation_id: string | null;
  conversation_seq: number | null;
}

export class ResponseStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  save(turn: SavedTurn): void {
    const where = this.historySource(turn);
    this.db
      .prepare(
        `INSERT INTO responses
           (id, body, input_items, history, previous_response_id, conversation_id, conversation_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      )
      .run(
        turn.response.id,
        JSON.stringify(turn.response),
        JSON.stringify(turn.inputItems),
        JSON.stringify(where.inline),
        turn.previousResponseId,
        where.conversationId,
        where.conversationSeq,
      );
  }

  get(id: string): StoredResponse | undefined {
    const row = this.db
      .prepare("SELECT body, input_items FROM responses WHERE id = ? AND deleted = 0")
      .get(id);
    if (row === undefined) return undefined;
    return {
      response: JSON.parse(String(row.body)) as StoredResponse["response"],
      inputItems: JSON.parse(String(row.input_items)) as Json[],
    };
  }

  /** Everything the model saw and said up to and including response `id`, oldest first. */
  thread(id: string): Json[] | undefined {
    const rows = this.chain(id);
    if (rows === undefined) return undefined;
    const items: Json[] = [];
    for (const row of rows) {
      items.push(...(JSON.parse(row.history) as Json[]));
      if (row.conversation_id !== null) {
        items.push(...this.conversationThrough(row.conversation_id, Number(row.conversation_seq)));
      }
      items.push(...(JSON.parse(row.input_items) as Json[]));
      const response = JSON.parse(row.body) as Json;
      if (Array.isArray(response.output)) items.push(...(response.output as Json[]));
    }
    return items;
  }

  /** The responses a chain ending at `id` passes through, and the conversation it started in. */
  ancestry(id: string): Ancestry | undefined {
    const rows = this.chain(id);
    if (rows === undefined) return undefined;
    return { responseIds: rows.map((row) => row.id), conversationId: rows[0]?.conversation_id ?? null };
  }

  /** An output item of any stored response, by its id (what an `item_reference` input points at). */
  findOutputItem(id: string): Json | undefined {
    const row = this.db
      .prepare(
        `SELECT item.value AS value FROM responses, json_each(responses.body, '$.output') AS item
         WHERE json_extract(item.value, '$.id') = ? LIMIT 1`,
      )
      .get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.value)) as Json);
  }

  delete(id: string): boolean {
    return transaction(this.db, () => {
      const found = this.db.prepare("SELECT 1 FROM responses WHERE id = ? AND deleted = 0").get(id);
      if (found === undefined) return false;
      this.db.prepare("UPDATE responses SET deleted = 1 WHERE id = ?").run(id);
      // Remove hidden rows from here up the chain for as long as no other response builds on them.
      let next: string | null = id;
      while (next !== null) {
        const row: Record<string, unknown> | undefined = this.db
          .prepare(
            `SELECT previous_response_id AS parent FROM responses r WHERE id = ? AND deleted = 1
               AND NOT EXISTS (SELECT 1 FROM responses c WHERE c.previous_response_id = r.id)`,
          )
          .get(next);
        if (row === undefined) break;
        this.db.prepare("DELETE FROM responses WHERE id = ?").run(next);
        next = row.parent === null ? null : String(row.parent);
      }
      return true;
    });
  }

  /** The rows from the start of the chain to `id` (which must not be deleted), oldest first. */
  private chain(id: string): ChainRow[] | undefined {
    const rows = this.db
      .prepare(
        `WITH RECURSIVE chain (id, previous, depth) AS (
           SELECT id, previous_response_id, 0 FROM responses WHERE id = ? AND deleted = 0
           UNION ALL
           SELECT r.id, r.previous_response_id, chain.depth + 1
             FROM responses r JOIN chain ON r.id = chain.previous
         )
         SELECT r.id, r.body, r.input_items, r.history, r.conversation_id, r.conversation_seq
           FROM chain JOIN responses r ON r.id = chain.id
          ORDER BY chain.depth DESC`,
      )
      .all(id) as unknown as ChainRow[];
    return rows.length === 0 ? undefined : rows;
  }

  /**
   * How to find this turn's history again. A previous response: nothing to store, the chain has it. A
   * conversation: the position of its last item. Anything else (no history, or a conversation item that
   * vanished meanwhile) is kept inline, as before.
   */
  private historySource(turn: SavedTurn): {
    inline: Json[];
    conversationId: string | null;
    conversationSeq: number | null;
  } {
    if (turn.previousResponseId !== null) return { inline: [], conversationId: null, conversationSeq: null };
    if (turn.conversationId !== null) {
      const last = turn.history.at(-1);
      const seq =
        last === undefined
          ? 0
          : this.db
              .prepare("SELECT seq FROM conversation_items WHERE conversation_id = ? AND id = ?")
              .get(turn.conversationId, String(last.id))?.seq;
      if (seq !== undefined) {
        return { inline: [], conversationId: turn.conversationId, conversationSeq: Number(seq) };
      }
    }
    return { inline: turn.history, conversationId: null, conversationSeq: null };
  }

  private conversationThrough(conversationId: string, seq: number): Json[] {
    return this.db
      .prepare("SELECT body FROM conversation_items WHERE conversation_id = ? AND seq <= ? ORDER BY seq")
      .all(conversationId, seq)
      .map((row) => JSON.parse(String(row.body)) as Json);
  }
}
