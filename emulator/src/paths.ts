/**
 * Where the emulator keeps its state by default: `<repo>/.lab/emulator` (git-ignored), so every demo run
 * and `pnpm emulator` share one project unless EMULATOR_DATA_DIR points elsewhere.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";

/**
 * Modes for what the emulator keeps: its folders 0700 and its files 0600 (like the TLS key), so another
 * account on a shared workshop machine reads neither the database nor a container's files.
 * (Windows ignores both: there the folder inherits the user profile's ACL.)
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` and any missing parents as private folders. A folder that already exists keeps its mode:
 * EMULATOR_DATA_DIR may name one the user made, even a shared one, and the files inside are private anyway.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

export function defaultDataDir(): string {
  const fromEnv = process.env.EMULATOR_DATA_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(import.meta.dirname, "..", "..", ".lab", "emulator");
}
