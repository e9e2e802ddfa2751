/**
 * What `pnpm reset:all` leaves on this machine besides the project's resources, so the next group starts
 * clean: the local MCP servers' data (issues closed and created), the charts demos saved, the emulator's
 * code-interpreter container folders, and the previous group's transcripts with their MODEL-ROUTER.md.
 * Transcripts are moved to a dated folder under transcripts/archive/, never deleted: they are the
 * facilitator's record of the session (delete the archive by hand when it is no longer wanted).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { loadEnv } from "@lab/shared/config";
import type { Lab } from "@lab/shared/lab";
import { listDemos } from "./demos.ts";

export interface LocalTarget {
  what: string;
  /** The folder or file, as a path relative to the repository when it is inside it. */
  path: string;
  action: "delete" | "archive";
  /** What is deleted or archived: the entries of the folder. */
  files: string[];
}

export const ARCHIVE = "archive";

export async function localTargets(lab: Lab): Promise<LocalTarget[]> {
  const env = lab.config.env;
  const out: LocalTarget[] = [];
  const folder = (what: string, dir: string, keep: string[] = []) => {
    // The folder's contents, not the folder: it may be one the user named (DEMO4_OUTPUT_DIR).
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => !keep.includes(f))
          .map((f) => path.join(dir, f))
      : [];
    if (files.length > 0) out.push({ what, path: dir, action: "delete", files });
  };

  const { defaultMcpDataDir, RUNTIME_FILE } = await import("@lab/mcp-servers/servers");
  // The running pair's record (its ports and exit key) is not data: it goes when the pair stops.
  folder("MCP servers' data (issues)", defaultMcpDataDir(), [RUNTIME_FILE]);
  for (const demo of listDemos()) {
    // Demo 4 saves its charts in output/ (DEMO4_OUTPUT_DIR moves it); any demo's output/ is generated.
    const demoEnv = loadEnv(demo.dir).env;
    const dir = path.resolve(demo.dir, demoEnv[`DEMO${demo.number}_OUTPUT_DIR`]?.trim() || "output");
    folder(`demo ${demo.id}'s saved files`, dir);
  }
  if (lab.config.backend === "emulator") {
    // Remade from the emulator's database when a container is used again; only the folders go.
    const { defaultDataDir } = await import("@lab/emulator/paths");
    folder("code interpreter container folders", path.join(defaultDataDir(), "containers"));
  }
  const transcripts = path.resolve(env.LAB_TRANSCRIPTS_DIR ?? path.join(lab.config.repoRoot, "transcripts"));
  if (existsSync(transcripts)) {
    const files = readdirSync(transcripts)
      .filter((f) => f !== ARCHIVE)
      .map((f) => path.join(transcripts, f));
    if (files.length > 0)
      out.push({ what: "transcripts and MODEL-ROUTER.md", path: transcripts, action: "archive", files });
  }
  return out;
}

/** Deletes or archives one target; returns what happened, in the words of the report. */
export function resetLocal(target: LocalTarget, now = new Date()): string {
  if (target.action === "delete") {
    for (const file of target.files) rmSync(file, { recursive: true, force: true });
    return "deleted";
  }
  const stamp = now.toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
  const dest = path.join(target.path, ARCHIVE, stamp);
  mkdirSync(dest, { recursive: true });
  for (const file of target.files) renameSync(file, path.join(dest, path.basename(file)));
  return `moved to ${path.relative(target.path, dest)}/ (${target.files.length} file${target.files.length === 1 ? "" : "s"})`;
}
