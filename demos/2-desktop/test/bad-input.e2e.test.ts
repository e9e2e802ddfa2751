/**
 * Demo 2 refuses what it cannot do with one sentence and exit code 2: piped input (it is a full-screen
 * app), the line chat's --trace and --log, which the app would otherwise silently ignore (an unknown flag's
 * sentence does not offer them), and a bad
 * LAB_WEATHER (demo 1's tool, checked before anything connects). Each is refused before create-agent runs,
 * so a run the app cannot serve creates no agent.
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

  it("an unknown flag: the sentence lists only the flags demo 2 takes", async () => {
    const env = { ...backend.env, AGENT_NAME: `desktop-bogus-${process.pid}` };
    const run = await runLab(["2-desktop", "--", "--bogus"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "✖ Unknown option '--bogus'. Chat takes --new (start a new conversation), --otel (record OpenTelemetry traces), --otel-content (record traces with message content).",
    );
    expect(run.stdout).toBe(""); // before create-agent
    // Each flag it lists is one demo 2 accepts: it gets past the flags to the terminal check.
    for (const flag of ["--new", "--otel", "--otel-content"]) {
      const listed = await runLab(["2-desktop", "--", flag], { env });
      expect([flag, listed.stderr.trim()]).toEqual([flag, expect.stringContaining("needs a terminal")]);
    }
  });

  it("a bad LAB_WEATHER: one sentence naming the values, exit 2, before the agent is created", async () => {
    const env = { ...backend.env, AGENT_NAME: `desktop-weather-${process.pid}`, LAB_WEATHER: "sunny" };
    // create-agent on its own: `pnpm 2-desktop` from a test's piped stdin is refused first (no terminal).
    const run = await runLab(["2-desktop:create-agent"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      '✖ LAB_WEATHER (from the environment) is "sunny"; use "offline" for sample data without internet, or leave it unset (or "live") for Open-Meteo.',
    );
    expect(run.stdout).not.toContain("backend:");
    await expect(backend.project.agents.get(env.AGENT_NAME)).rejects.toMatchObject({ statusCode: 404 });
  });
});
