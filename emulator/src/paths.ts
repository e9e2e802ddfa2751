/**
 * Where the emulator keeps its state by default: `<repo>/.lab/emulator` (git-ignored), so every demo run
 * and `pnpm emulator` share one project unless EMULATOR_DATA_DIR points elsewhere.
 */
import path from "node:path";

export function defaultDataDir(): string {
  const fromEnv = process.env.EMULATOR_DATA_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(import.meta.dirname, "..", "..", ".lab", "emulator");
}
