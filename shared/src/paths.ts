/**
 * Paths that settings name (`RAG_DOCUMENT=notes.md`), read the way the user wrote them. pnpm runs a
 * script from its package's folder, not from where the command was typed, so a relative path would
 * otherwise silently mean a file somewhere else (`RAG_DOCUMENT=README.md pnpm 5-rag` indexed the demo's
 * own README, not the one next to the user).
 */
import path from "node:path";
import type { LabConfig } from "./config.ts";

/**
 * The file setting `name` points at: written in a .env file, relative to that file's folder; given on
 * the command line, relative to the folder the command was typed in (pnpm and npm keep it in INIT_CWD);
 * unset or empty, `fallback` (already absolute).
 */
export function settingPath(
  config: Pick<LabConfig, "env" | "sources" | "repoRoot">,
  name: string,
  fallback: string,
): string {
  const value = config.env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const source = config.sources[name];
  const base =
    source === undefined || source === "the environment"
      ? (process.env.INIT_CWD ?? process.cwd())
      : path.dirname(path.resolve(config.repoRoot, source));
  return path.resolve(base, value);
}
