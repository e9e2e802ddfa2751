/**
 * `pnpm eject` itself: where it says the copy is, how the copy's README links, what it copies from
 * other folders, and bad input. What every demo's copy does once installed (npm install, typecheck,
 * npm test, npm start with each documented flag, reset) is verified in eject-copies-<n>.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, run, runLab, tempDir } from "../../shared/test/support.ts";
import { listDemos } from "../src/demos.ts";

describe("pnpm eject", () => {
  it("says where the copy is as it can be typed, and the copy's README leads nowhere outside it", async () => {
    const copy = path.join(tempDir("lab-eject-"), "weather");
    const ejected = await runLab(["eject", "1-tools", copy]);
    expect(ejected.code, ejected.stderr).toBe(0);
    // Outside the current folder: the absolute path, not a long relative one climbing out of it
    expect(ejected.stdout).toContain(`\n  cd ${copy}\n`);
    const readme = readFileSync(path.join(copy, "README.md"), "utf8");
    expect(readme).not.toMatch(/Next: demo/);
    // Demo 5's link to the emulator's README (not copied) is left as its words; its own data link stays.
    const rag = path.join(tempDir("lab-eject-"), "handbook");
    expect((await runLab(["eject", "5", rag])).code).toBe(0);
    const ragReadme = readFileSync(path.join(rag, "README.md"), "utf8");
    expect(ragReadme).toContain("(see the emulator README for");
    expect(ragReadme).toContain("[employee handbook](data/employee-handbook.md)");
    expect(ragReadme).not.toMatch(/\]\(\.\.\//);
    // Inside the current folder, the shorter relative path.
    const cwd = tempDir("lab-eject-cwd-");
    const inside = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["eject", "0", "sub/mine"], { cwd });
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain("\n  cd sub/mine\n");
  });

  it("copies what a demo reads from another demo's folder, and what its sources need is a dependency", async () => {
    // Demo 9 evaluates demo 5's handbook, named as new URL(…, import.meta.url) next to its module.
    const nine = path.join(tempDir("lab-eject-"), "evals");
    expect((await runLab(["eject", "9", nine])).code).toBe(0);
    expect(readFileSync(path.join(nine, "lab", "5-rag", "data", "employee-handbook.md"), "utf8")).toBe(
      readFileSync(path.join(repoRoot, "demos", "5-rag", "data", "employee-handbook.md"), "utf8"),
    );
    expect(readFileSync(path.join(nine, "src", "targets.ts"), "utf8")).toContain(
      'new URL("../lab/5-rag/data/employee-handbook.md", import.meta.url)',
    );
    // The traces page comes with its page files.
    expect(existsSync(path.join(nine, "scripts", "src", "traces-page", "app.js"))).toBe(true);
    // Demo 2 carries demo 1's agent, tools and loop. Its tests reach the emulator before its sources do
    // (through demo 1's files): the emulator's packages are still dependencies, which the app needs at
    // run time (npm install --omit=dev keeps them).
    const two = path.join(tempDir("lab-eject-"), "desktop");
    expect((await runLab(["eject", "2", two])).code).toBe(0);
    expect(existsSync(path.join(two, "lab", "1-tools", "src", "tool-loop.ts"))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(two, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["node-forge", "ink", "ajv"]));
    expect(Object.keys(pkg.devDependencies)).toEqual(
      expect.arrayContaining(["vitest", "ink-testing-library"]),
    );
    expect(pkg.devDependencies).not.toHaveProperty("node-forge");
  });

  it("a copy's README offers only its own commands; a command of the whole lab is said to be the lab's", async () => {
    for (const demo of listDemos()) {
      const copy = path.join(tempDir("lab-eject-"), demo.id);
      expect((await runLab(["eject", demo.id, copy])).code, demo.id).toBe(0);
      const readme = readFileSync(path.join(copy, "README.md"), "utf8");
      const scripts = Object.keys(JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8")).scripts);
      for (const [span, args] of readme.matchAll(/`pnpm ([^`]+)`(?! \(in the lab\))/g))
        expect(args, `${demo.id}: ${span}`).toMatch(/^install\b/);
      for (const [, script] of readme.matchAll(/`npm run ([a-z][a-z:-]*)/g))
        expect(scripts, `${demo.id}: npm run ${script}`).toContain(script);
    }
  });

  it("bad input: an unknown demo, a non-empty folder or missing arguments get one sentence (exit 2)", async () => {
    const unknown = await runLab(["eject", "42", tempDir()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no demo "42"');
    const full = tempDir();
    writeFileSync(path.join(full, "keep.txt"), "mine");
    const occupied = await runLab(["eject", "0", full]);
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toContain("already exists and is not empty");
    expect(readFileSync(path.join(full, "keep.txt"), "utf8")).toBe("mine");
    const missing = await runLab(["eject"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Usage: pnpm eject <demo> <folder>");
  });
});
