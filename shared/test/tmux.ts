/**
 * A real terminal for tests: a tmux session running one lab command, with keys to type and the screen
 * to read, as a learner would see it.
 */
import { execFileSync } from "node:child_process";
import { repoRoot } from "../src/config.ts";

export function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });

export class TerminalSession {
  readonly name: string;

  /** Starts `node scripts/lab.mjs <args>` in a new terminal of the given size; the shell prints EXITED=<code>. */
  constructor(
    name: string,
    labArgs: string[],
    env: Record<string, string>,
    size = { columns: 100, rows: 30 },
  ) {
    this.name = name;
    const assignments = Object.entries(env).map(([k, v]) => `${k}='${v.replaceAll("'", "'\\''")}'`);
    // CI=true changes how terminal libraries draw; a learner's terminal has no CI variable.
    const command = `env -u CI ${assignments.join(" ")} '${process.execPath}' scripts/lab.mjs ${labArgs.join(" ")}; echo "EXITED=$?"; sleep 30`;
    tmux(
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      String(size.columns),
      "-y",
      String(size.rows),
      "-c",
      repoRoot,
      command,
    );
  }

  screen(): string {
    return tmux("capture-pane", "-p", "-t", this.name);
  }

  type(text: string): void {
    tmux("send-keys", "-t", this.name, "-l", text);
  }

  /** Pastes text as a terminal does (bracketed, when the program asked for it), without pressing Enter. */
  paste(text: string): void {
    execFileSync("tmux", ["load-buffer", "-b", this.name, "-"], { input: text });
    tmux("paste-buffer", "-p", "-d", "-b", this.name, "-t", this.name);
  }

  key(...keys: string[]): void {
    tmux("send-keys", "-t", this.name, ...keys);
  }

  resize(columns: number, rows: number): void {
    tmux("resize-window", "-t", this.name, "-x", String(columns), "-y", String(rows));
  }

  async until(check: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const text = this.screen();
      if (check(text)) return text;
      if (Date.now() - started > timeoutMs)
        throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    try {
      tmux("kill-session", "-t", this.name);
    } catch {
      // already gone
    }
  }
}
