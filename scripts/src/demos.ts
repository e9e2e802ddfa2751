/** The demos that exist in this checkout, read from demos/<n>-<name>/package.json. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "@lab/shared/config";

export interface DemoEntry {
  id: string;
  number: number;
  description: string;
  dir: string;
}

export function listDemos(root = repoRoot): DemoEntry[] {
  const demosDir = path.join(root, "demos");
  if (!existsSync(demosDir)) return [];
  return readdirSync(demosDir)
    .filter((id) => /^\d+-[a-z0-9-]+$/.test(id) && existsSync(path.join(demosDir, id, "package.json")))
    .map((id) => {
      const pkg = JSON.parse(readFileSync(path.join(demosDir, id, "package.json"), "utf8")) as {
        description?: string;
      };
      return {
        id,
        number: Number.parseInt(id, 10),
        description: (pkg.description ?? "").replace(/^Demo \d+:\s*/, ""),
        dir: path.join(demosDir, id),
      };
    })
    .sort((a, b) => a.number - b.number);
}
