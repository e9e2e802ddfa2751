/**
 * `pnpm lint` after running the demos: what they write for the learner (state files, demo 4's charts) is
 * git-ignored and must not turn the lint red. The files are made where the demos make them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/test/support.ts";

const made = [
  path.join(repoRoot, "demos", "0-hello", ".lab-state.json.lint-check.json"),
  path.join(repoRoot, "demos", "4-code", "output", "lint-check.svg"),
];
afterAll(() => {
  for (const file of made) rmSync(file, { force: true });
});

describe("pnpm lint after a learner's runs", () => {
  it("ignores the demos' state files and demo 4's generated charts, as git does", () => {
    mkdirSync(path.dirname(made[1] ?? ""), { recursive: true });
    // As the demos write them: JSON not in biome's layout, an SVG without a <title>. The state file's
    // name starts with .lab-state.json, which eject skips, so a copy made meanwhile never holds it.
    writeFileSync(made[0] ?? "", '{"projects":{"x":   {}}}');
    writeFileSync(
      made[1] ?? "",
      '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
    );
    for (const file of made)
      expect(execFileSync("git", ["check-ignore", file], { cwd: repoRoot }).length).toBeGreaterThan(0);
    const biome = path.join(repoRoot, "node_modules", ".bin", "biome");
    const run = () =>
      execFileSync(biome, ["check", "--no-errors-on-unmatched", "demos/0-hello", "demos/4-code"], {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    expect(run).not.toThrow();
  });
});
