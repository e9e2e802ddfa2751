/**
 * The emulator's rooms (DESIGN.md, "The emulator"): the HTTP edge → routes/ → the response pipeline →
 * model/ and the tool runtimes → the stores. Arrows point down only, so that a skill or a store can be read,
 * tested and replaced without the HTTP layer: nothing below the routes imports a route, the router, the
 * dispatcher or the server.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.join(import.meta.dirname, "..", "src");

/** Every .ts file under `dir`, relative to src/. */
function files(dir: string): string[] {
  return readdirSync(path.join(src, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** The files under src/ that `file` imports (static and dynamic), relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(src, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] ?? "");
  return specifiers.map((s) => path.relative(src, path.resolve(path.dirname(path.join(src, file)), s)));
}

const UPPER = /^(routes\/|dispatch\.ts$|router\.ts$|server\.ts$|main\.ts$)/;

describe("the emulator's layers", () => {
  const lower = [
    ...files("model"),
    ...files("retrieval"),
    ...files("sandbox"),
    ...files("mcp"),
    ...files("stores"),
  ];

  it("has the model, the tool runtimes and the stores import nothing of the HTTP layer", () => {
    expect(lower.length).toBeGreaterThan(30);
    const upward = lower.flatMap((file) =>
      importsOf(file)
        .filter((target) => UPPER.test(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it("has the stores import no model code, no route and no response pipeline", () => {
    const upward = files("stores").flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(model|routes)\/|^response-|^stream-|^sse\.ts$/.test(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });
});
