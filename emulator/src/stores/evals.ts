/**
 * Evaluations (`openai.evals`): evals, their runs and each run's output items, as JSON bodies in their own
 * SQLite file (`<dataDir>/evals.db`), next to the traces they are often read with.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

export type Body = Record<string, unknown>;

export class EvalStore {
  private readonly db: DatabaseSync;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(path.join(dataDir, "evals.db"), { timeout: 5000 });
    this.db.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS evals (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS eval_runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        eval_id TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS eval_output_items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL, body TEXT NOT NULL);`);
  }

  putEval(body: Body): void {
    this.db
      .prepare("INSERT OR REPLACE INTO evals (id, body) VALUES (?, ?)")
      .run(String(body.id), JSON.stringify(body));
  }

  getEval(id: string): Body | undefined {
    const row = this.db.prepare("SELECT body FROM evals WHERE id = ?").get(id);
    return row ? JSON.parse(String(row.body)) : undefined;
  }

  listEvals(): Body[] {
    return this.db
      .prepare("SELECT body FROM evals ORDER BY seq")
      .all()
      .map((r) => JSON.parse(String(r.body)));
  }

  deleteEval(id: string): boolean {
    const runs = this.db
      .prepare("SELECT id FROM eval_runs WHERE eval_id = ?")
      .all(id)
      .map((r) => String(r.id));
    for (const run of runs) this.db.prepare("DELETE FROM eval_output_items WHERE run_id = ?").run(run);
    this.db.prepare("DELETE FROM eval_runs WHERE eval_id = ?").run(id);
    return this.db.prepare("DELETE FROM evals WHERE id = ?").run(id).changes > 0;
  }

  putRun(body: Body, outputItems: Body[]): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      this.db
        .prepare("INSERT OR REPLACE INTO eval_runs (id, eval_id, body) VALUES (?, ?, ?)")
        .run(String(body.id), String(body.eval_id), JSON.stringify(body));
      const put = this.db.prepare("INSERT INTO eval_output_items (id, run_id, body) VALUES (?, ?, ?)");
      for (const item of outputItems) put.run(String(item.id), String(body.id), JSON.stringify(item));
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  getRun(evalId: string, id: string): Body | undefined {
    const row = this.db.prepare("SELECT body FROM eval_runs WHERE id = ? AND eval_id = ?").get(id, evalId);
    return row ? JSON.parse(String(row.body)) : undefined;
  }

  listRuns(evalId: string): Body[] {
    return this.db
      .prepare("SELECT body FROM eval_runs WHERE eval_id = ? ORDER BY seq")
      .all(evalId)
      .map((r) => JSON.parse(String(r.body)));
  }

  outputItems(runId: string): Body[] {
    return this.db
      .prepare("SELECT body FROM eval_output_items WHERE run_id = ? ORDER BY seq")
      .all(runId)
      .map((r) => JSON.parse(String(r.body)));
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
