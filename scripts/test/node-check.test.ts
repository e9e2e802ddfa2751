import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "../../shared/test/support.ts";
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
      const result = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], {
        node: old,
        env: { LAB_TOOLS_DIR: tempDir("lab-no-tools-") },
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(
        /^The Foundry Agent Lab needs Node\.js 22\.19\.0 or newer .* open a new terminal\. With npm alone: npm run lab:setup, then npm run <name> \(e\.g\. npm run 0-hello\)\.$/,
      );
      expect(result.stdout).toBe("");
    },
  );

  it.skipIf(!old)(
    "after npm run lab:setup, npm run <name> on the old Node runs the lab under .tools/'s Node",
    async () => {
      // .tools/ as lab:setup leaves it: npm's node package (here: this Node) and pnpm.
      const tools = tempDir("lab-tools-");
      mkdirSync(path.join(tools, "node_modules", "node", "bin"), { recursive: true });
      symlinkSync(process.execPath, path.join(tools, "node_modules", "node", "bin", "node"));
      const result = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello", "--", "--log"], {
        node: old,
        env: { LAB_TOOLS_DIR: tools, LAB_COMMAND_PROBE: "1" },
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("lab command: 0-hello --log");
    },
  );
});
