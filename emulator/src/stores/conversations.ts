/**
 * Conversations: server-side history that responses read from and append to. Items keep their ids, so an
 * assistant message stored here has the same id as the output item of the response that made it.
 */
import type { DatabaseSync } from "node:sqlite";
import { newId, nowSeconds } from "../ids.ts";
import { prefixOf } from "../items.ts";
import type { Json } from "../validate.ts";
import { transaction } from "./db.ts";

export interface Conversation {
  id: string;
  object: "conversation";
  created_at: number;
  metadata: Record<string, string>;
}

export class ConversationStore {
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  create(metadata: Record<string, string>, items: Json[]): { conversation: Conversation; items: Json[] } {
    return transaction(this.db, () => {
      const conversation: Conversation = {
        id: newId("conv"),
        object: "conversation",
        created_at: nowSeconds(),
        metadata,
      };
      this.db
        .prepare("INSERT INTO conversations (id, body) VALUES (?, ?)")
        .run(conversation.id, JSON.stringify(conversation));
      return { conversation, items: this.insertItems(conversation.id, items) };
    });
  }

  get(id: string): Conversation | undefined {
    const row = this.db.prepare("SELECT body FROM conversations WHERE id = ?").get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as Conversation);
  }

  updateMetadata(id: string, metadata: Record<string, string>): Conversation | undefined {
    return transaction(this.db, () => {
      const conversation = this.get(id);
      if (conversation === undefined) return undefined;
      const updated = { ...conversation, metadata };
      this.db.prepare("UPDATE conversations SET body = ? WHERE id = ?").run(JSON.stringify(updated), id);
      return updated;
    });
  }

  delete(id: string): boolean {
    return transaction(this.db, () => {
      this.db.prepare("DELETE FROM conversation_items WHERE conversation_id = ?").run(id);
      return Number(this.db.prepare("DELETE FROM conversations WHERE id = ?").run(id).changes) > 0;
    });
  }

  /** Appends items; false when the conversation no longer exists (deleted by someone else meanwhile). */
  addItems(conversationId: string, items: Json[]): Json[] | undefined {
    return transaction(this.db, () =>
      this.get(conversationId) === undefined ? undefined : this.insertItems(conversationId, items),
    );
  }

  /** All items of a conversation, oldest first. */
  listItems(conversationId: string): Json[] {
    return this.db
      .prepare("SELECT body FROM conversation_items WHERE conversation_id = ? ORDER BY seq")
      .all(conversationId)
      .map((row) => JSON.parse(String(row.body)) as Json);
  }

  getItem(conversationId: string, itemId: string): Json | undefined {
    const row = this.db
      .prepare("SELECT body FROM conversation_items WHERE conversation_id = ? AND id = ?")
      .get(conversationId, itemId);
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as Json);
  }

  deleteItem(conversationId: string, itemId: string): boolean {
    const result = this.db
      .prepare("DELETE FROM conversation_items WHERE conversation_id = ? AND id = ?")
      .run(conversationId, itemId);
    return Number(result.changes) > 0;
  }

  private insertItems(conversationId: string, items: Json[]): Json[] {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO conversation_items (conversation_id, id, body) VALUES (?, ?, ?)",
    );
    return items.map((item) => {
      let stored = item;
      // A caller may send back an item the conversation already holds (e.g. a previous output):
      // it becomes a new entry with a fresh id instead of failing the whole request.
      if (Number(insert.run(conversationId, String(item.id), JSON.stringify(item)).changes) === 0) {
        stored = { ...item, id: newId(prefixOf(String(item.type))) };
        insert.run(conversationId, String(stored.id), JSON.stringify(stored));
      }
      return stored;
    });
  }
}
