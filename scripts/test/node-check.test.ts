import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, run } from "../../shared/test/support.ts";
import { nodeVersionProblem } from "../node-check.mjs";

/** An older Node on this machine, if any (CI passes the one the machine came with). */
function olderNode(): string | undefined {
  for (const candidate of [process.env.LAB_OLD_NODE, "/usr/bin/node", "/usr/local/bin/node"]) {
    if (!candidate) continue;
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
      if (nodeVersionProblem(version)) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

describe("the Node version check", () => {
  it("accepts 22.19+ and 24, refuses older with one sentence naming the version and the fix", () => {
    expect(nodeVersionProblem("v24.21.0")).toBeUndefined();
    expect(nodeVersionProblem("v22.19.0")).toBeUndefined();
    expect(nodeVersionProblem("v26.0.0")).toBeUndefined();
    const sentence = nodeVersionProblem("v20.20.2");
    expect(sentence).toMatch(/needs Node\.js 22\.19\.0 or newer/);
    expect(sentence).toContain("v20.20.2");
    expect(sentence).toContain(".nvmrc");
    expect(nodeVersionProblem("v22.12.0")).toBeDefined();
  });

  const old = olderNode();
  it.skipIf(!old)(
    "stops `pnpm 0-hello` on an old Node at once: exit 2, the sentence, nothing else",
    async () => {
      const result = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], { node: old });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(
        /^The Foundry Agent Lab needs Node\.js 22\.19\.0 or newer .* open a new terminal\.$/,
      );
      expect(result.stdout).toBe("");
    },
  );
});
