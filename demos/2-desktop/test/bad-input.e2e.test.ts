/**
 * Demo 2 refuses what it cannot do with one sentence and exit code 2: piped input (it is a full-screen
 * app) and the line chat's --trace and --log, which the app would otherwise silently ignore. Each is refused
 * before create-agent runs, so a run the app cannot serve creates no agent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, runLab, startBackend, type TestBackend } from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 0 });
});
afterAll(async () => {
  await backend?.close();
});

describe.skipIf(live)("pnpm 2-desktop with input it cannot use", () => {
  it("piped stdin, --trace and --log: one sentence each, exit 2, no stack trace", async () => {
    const env = { ...backend.env, AGENT_NAME: `desktop-bad-${process.pid}` };
    const piped = await runLab(["2-desktop"], { env, input: ["hello"] });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain("needs a terminal");
    expect(piped.stdout).not.toContain("Created agent");

    for (const flag of ["--trace", "--log"]) {
      const run = await runLab(["2-desktop", "--", flag], { env, input: ["hello"] });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`Demo 2 has no ${flag}`);
      expect(run.stderr).toContain(`pnpm 1-tools -- ${flag}`);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).not.toContain("Created agent");
    }
    await runLab(["2-desktop:reset"], { env });
  });
});
