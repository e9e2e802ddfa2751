/**
 * `--log`: a Markdown transcript per chat, written turn by turn (a crash keeps the turns before it),
 * with timestamps and the served model. Each turn also carries a one-line JSON comment that tools such
 * as the router report read back.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ServedTurn } from "./router-report.ts";

export const TRANSCRIPT_MARKER = "lab-turn";

export interface TranscriptHeader {
  demo: string;
  backend: string;
  agent: string;
}

export class Transcript {
  readonly file: string;
  private turns = 0;
  private readonly demo: string;

  constructor(dir: string, header: TranscriptHeader, now = new Date()) {
    mkdirSync(dir, { recursive: true });
    const stamp = now.toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
    this.file = path.join(dir, `${header.demo}-${stamp}.md`);
    this.demo = header.demo;
    writeFileSync(
      this.file,
      `# Transcript: ${header.demo}\n\n- started: ${now.toISOString()}\n- backend: ${header.backend}\n- agent: ${header.agent}\n`,
    );
  }

  recordTurn(question: string, answer: string, served: ServedTurn, at = new Date()): void {
    this.turns++;
    const meta = {
      demo: this.demo,
      turn: this.turns,
      at: at.toISOString(),
      question,
      requested: served.requested,
      model: served.served,
      latencyMs: Math.round(served.latencyMs),
      status: served.status,
    };
    appendFileSync(
      this.file,
      [
        "",
        `## Turn ${this.turns} · ${at.toISOString().slice(11, 19)} UTC`,
        "",
        `**You:** ${question}`,
        "",
        `**Agent** (served by \`${served.served}\` via \`${served.requested}\`, ${Math.round(served.latencyMs)} ms):`,
        "",
        answer.trim() || "_(no text)_",
        "",
        `<!-- ${TRANSCRIPT_MARKER} ${JSON.stringify(meta).replaceAll("--", "-\\u002d")} -->`,
        "",
      ].join("\n"),
    );
  }

  recordNote(note: string): void {
    appendFileSync(this.file, `\n> ${note}\n`);
  }
}
