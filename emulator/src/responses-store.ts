/**
 * Stored responses. Besides the response object, each row keeps the items the model saw before this
 * turn (`history`) and the new `input_items`, so `previous_response_id` can rebuild the full context
 * (history + input + output) without walking the chain, and `input_items` can be listed.
 */
import type { DatabaseSync } from "node:sqlite";
import type { Json } from "./validate.ts";

export interface StoredResponse {
  response: Json & { id: string };
  inputItems: Json[];
  history: Json[];
}

export class ResponseStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  save(stored: StoredResponse): void {
    this.db
      .prepare(
        `INSERT INTO responses (id, body, input_items, history) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      )
      .run(
        stored.response.id,
        JSON.stringify(stored.response),
        JSON.stringify(stored.inputItems),
        JSON.stringify(stored.history),
      );
  }

  get(id: string): StoredResponse | undefined {
    const row = this.db.prepare("SELECT body, input_items, history FROM responses WHERE id = ?").get(id);
    if (row === undefined) return undefined;
    return {
      response: JSON.parse(String(row.body)) as StoredResponse["response"],
      inputItems: JSON.parse(String(row.input_items)) as Json[],
      history: JSON.parse(String(row.history)) as Json[],
    };
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
    return Number(this.db.prepare("DELETE FROM responses WHERE id = ?").run(id).changes) > 0;
  }
}
