/**
 * Demo 2's lesson is that the UI is not the agent: it must use demo 1's agent definition, tools and
 * loop as they are. This fails if demo 2 grows its own.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.join(import.meta.dirname, "..", "src");
const code = readdirSync(src)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(path.join(src, f), "utf8"))
  .join("\n");

describe("demo 2 reuses demo 1", () => {
  it("imports demo 1's agent definition, tools and tool loop", () => {
    // In the lab the package name; in an ejected copy (pnpm eject) the relative path to its lab/1-tools/.
    for (const module of ["agent", "tools", "tool-loop"])
      expect(code).toMatch(new RegExp(`from "(@lab/1-tools|\\.\\./lab/1-tools/src)/${module}(\\.ts)?"`));
    expect(code).toContain("weatherAgentDefinition(");
    expect(code).toContain("runToolLoop(");
  });

  it("defines no agent, tool or loop of its own", () => {
    expect(code).not.toMatch(/kind:\s*"prompt"/);
    expect(code).not.toMatch(/instructions:/);
    expect(code).not.toMatch(/type:\s*"function"/);
    expect(code).not.toMatch(/function_call_output/);
    expect(code).not.toMatch(/responses\.(create|stream)\(/);
  });
});
