/**
 * A usage error comes before anything is done: `pnpm <demo> -- --bogus` is rejected in one sentence
 * (exit 2) before create-agent runs, so the service has no new agent and no state file is written.
 */
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLab, startBackend, type TestBackend } from "../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.close());

describe("a demo's flags are checked before create-agent runs", () => {
  it.each([
    [["0-hello", "--", "--bogus"], "Unknown option '--bogus'"],
    // Demo 6 takes --approve-all as well, and says so.
    [["6-mcp", "--", "--approve-al"], "--approve-all (approve every MCP call without asking)"],
    // Demo 9 has flags of its own, and checks their values too.
    [["9-evaluate", "--", "--dataset", "nope"], '--dataset is "nope"; use weather or handbook.'],
    [["9-evaluate", "--", "--chat"], "pnpm 9-evaluate takes --dataset"],
    // Picked by number from pnpm start: the same check.
    [["start", "0", "--", "--bogus"], "Unknown option '--bogus'"],
  ])("pnpm %j", async (args, said) => {
    const result = await runLab(args, { env: backend.env });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(said);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe(""); // not even the backend line: nothing was connected to
    const agents = [];
    for await (const agent of backend.project.agents.list()) agents.push(agent.name);
    expect(agents).toEqual([]);
    const stateDir = String(backend.env.LAB_STATE_DIR);
    expect(existsSync(stateDir) ? readdirSync(stateDir, { recursive: true }) : []).toEqual([]);
  });
});

it("pnpm start 0 runs demo 0 (the choice is not taken for a chat flag)", async () => {
  const backend = await startBackend();
  const result = await runLab(["start", "0"], { env: backend.env, input: ["/exit"] });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/▶ 0-hello · backend: emulator/);
  await backend.close();
});
