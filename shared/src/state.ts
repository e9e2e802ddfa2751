/**
 * Per-demo state: what the demo created (agent name and version, conversation ids, later vector stores),
 * so `reset` deletes exactly that and `chat` can resume. One JSON file in the demo's folder, with a
 * section per project (Azure endpoint or emulator data folder), so switching backends loses nothing.
 * Writes are atomic (temporary file, then rename): a crash or Ctrl-C never leaves half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { notice } from "./terminal.ts";

export const STATE_FILE = ".lab-state.json";

interface StateFile {
  version: 1;
  projects: Record<string, Record<string, unknown>>;
}

export class DemoState<T extends object> {
  readonly file: string;
  readonly project: string;

  constructor(demoDir: string, project: string, stateDir = process.env.LAB_STATE_DIR) {
    // LAB_STATE_DIR keeps state elsewhere (tests, or a read-only checkout): one file per demo there.
    this.file = stateDir
      ? path.join(stateDir, `${path.basename(demoDir)}${STATE_FILE}`)
      : path.join(demoDir, STATE_FILE);
    this.project = project;
  }

  private readFile(): StateFile {
    if (!existsSync(this.file)) return { version: 1, projects: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as StateFile;
      if (parsed && parsed.version === 1 && typeof parsed.projects === "object" && parsed.projects)
        return parsed;
      throw new Error("unexpected shape");
    } catch {
      // Keep the unreadable file for inspection and start clean instead of failing every run.
      const backup = `${this.file}.corrupt-${Date.now()}`;
      renameSync(this.file, backup);
      notice(
        `${path.basename(this.file)} was unreadable; kept it as ${path.basename(backup)} and started fresh.`,
      );
      return { version: 1, projects: {} };
    }
  }

  /** Every project's section in the file (reset:all resets the other emulator routes' too). */
  sections(): string[] {
    return Object.keys(this.readFile().projects);
  }

  get(): Partial<T> {
    return (this.readFile().projects[this.project] ?? {}) as Partial<T>;
  }

  /** Applies `change` to this project's section and writes the file atomically. */
  update(change: (current: Partial<T>) => Partial<T>): Partial<T> {
    const file = this.readFile();
    const next = change({ ...((file.projects[this.project] ?? {}) as Partial<T>) });
    if (Object.keys(next).length === 0) delete file.projects[this.project];
    else file.projects[this.project] = next as Record<string, unknown>;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(tmp, this.file);
    return next;
  }

  clear(): void {
    this.update(() => ({}));
  }
}
