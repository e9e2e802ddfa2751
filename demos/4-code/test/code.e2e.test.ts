/**
 * Demo 4 in the terminal, as a learner runs it: `pnpm 4-code` (create-agent, then chat) with piped stdin
 * against a fresh emulator. The chart the agent's Python drew lands in the output folder; reset deletes
 * the agent, the uploaded CSV and the conversation.
 */
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, runLab, startBackend, type TestBackend, tempDir } from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 0 });
});
afterAll(async () => {
  await backend?.close();
});

function savedState(env: NodeJS.ProcessEnv) {
  const parsed = JSON.parse(
    readFileSync(path.join(env.LAB_STATE_DIR ?? "", "4-code.lab-state.json"), "utf8"),
  ) as {
    projects: Record<string, { agent: { name: string }; dataFile: { id: string }; conversation: string }>;
  };
  const [section] = Object.values(parsed.projects);
  if (!section) throw new Error("no state saved");
  return section;
}

describe("pnpm 4-code", () => {
  it("uploads the CSV, runs the chart code server-side, saves the chart, and reset removes everything", async () => {
    const output = tempDir("lab-demo4-output-");
    const env = {
      ...backend.env,
      AGENT_NAME: `code-test-${Math.random().toString(36).slice(2, 8)}`,
      DEMO4_OUTPUT_DIR: output,
    };
    const first = await runLab(["4-code"], { env, input: ["Draw a bar chart of revenue by region"] });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Uploaded sales\.csv as \S+ \(\d+ bytes\)/);
    expect(first.stdout).toContain(`Created agent ${env.AGENT_NAME} version 1 with the code interpreter`);
    expect(first.stdout).toMatch(/↳ served by \S+/);
    if (!live) {
      // The code, its logs, and the answer, in that order.
      const code = first.stdout.indexOf("│ import csv");
      const logs = first.stdout.indexOf("▸ output:");
      const answer = first.stdout.indexOf("Here is a bar chart");
      expect(code).toBeGreaterThan(0);
      expect(logs).toBeGreaterThan(code);
      expect(answer).toBeGreaterThan(logs);
      expect(first.stdout).toMatch(/│ North: [\d,]+\.\d\d/);
    }
    const files = readdirSync(output);
    expect(files.length).toBeGreaterThan(0);
    const chart = files.find((f) => /\.(svg|png)$/.test(f)) ?? "";
    expect(first.stdout).toContain(`saved ${path.relative(process.cwd(), path.join(output, chart))}`);
    const bytes = readFileSync(path.join(output, chart));
    expect(bytes.subarray(0, 4).toString("latin1")).toMatch(/^(<svg|<\?xm|\x89PNG)/);

    const state = savedState(env);
    const again = await runLab(["4-code"], { env, input: ["bar chart of units by region"] });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`sales.csv is unchanged; reusing upload ${state.dataFile.id}`);
    expect(again.stdout).toContain(`Agent ${env.AGENT_NAME} version 1 is unchanged; reusing it.`);
    if (!live)
      expect(
        readdirSync(output)
          .filter((f) => f.startsWith("chart"))
          .sort(),
      ).toEqual(["chart-2.svg", "chart.svg"]);

    const reset = await runLab(["4-code:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`file ${state.dataFile.id}: deleted`);
    expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted with all its versions`);
    await expect(backend.openai.files.retrieve(state.dataFile.id)).rejects.toMatchObject({ status: 404 });
    const twice = await runLab(["4-code:reset"], { env });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain(`agent ${env.AGENT_NAME}: already gone`);
  });

  it("answers what a learner asks of sales.csv: a comparison, distinct values, a trend, a monthly average, a pie", async () => {
    const env = {
      ...backend.env,
      AGENT_NAME: `code-ask-${Math.random().toString(36).slice(2, 8)}`,
      DEMO4_OUTPUT_DIR: tempDir("lab-demo4-ask-"),
    };
    const run = await runLab(["4-code"], {
      env,
      input: [
        "compare north and south revenue",
        "how many regions are there",
        "what is the trend of revenue?",
        "average units per month in the North",
        "pie chart of revenue by region",
      ],
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    if (!live) {
      expect(run.stdout).toContain("North 164,249.76; South 198,035.92");
      expect(run.stdout).toContain("There are **4** distinct region values: North, South, East, West");
      expect(run.stdout).toContain("up, from 43,381.65 (2025-01) to 72,139.50 (2025-12)");
      expect(run.stdout).toMatch(/average total units per month .* is \*\*332\.42\*\*/);
      expect(run.stdout).toContain("Here is a pie chart of **revenue_eur** by **region**");
      const pie = readFileSync(path.join(env.DEMO4_OUTPUT_DIR, "chart.svg"), "utf8");
      expect(pie.match(/<path d="M /g)).toHaveLength(4); // one slice per region
      expect(pie).toContain("South: 198,035.92 (28.7%)");
    }
    await runLab(["4-code:reset"], { env });
  });

  it("says plainly when chat runs before create-agent", async () => {
    const env = { ...backend.env, AGENT_NAME: "never-created" };
    const result = await runLab(["4-code:chat"], { env, input: ["hi"] });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No agent "never-created" has been created here yet: run `pnpm 4-code`');
  });

  it("a bad port for the page names the variable it came from", async () => {
    const env = { ...backend.env, AGENT_NAME: `code-port-${Date.now().toString(36)}`, PORT: "abc" };
    const result = await runLab(["4-code:web"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'PORT (from the environment) is "abc"; use a port number from 1 to 65535',
    );
    await runLab(["4-code:reset"], { env });
  });

  it("a port already in use: one sentence naming DEMO4_PORT, exit 2 like a bad port", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as net.AddressInfo;
    const env = {
      ...backend.env,
      AGENT_NAME: `code-busy-${Date.now().toString(36)}`,
      DEMO4_PORT: String(port),
    };
    try {
      const result = await runLab(["4-code:web"], { env });
      expect(result.stderr).toContain(
        `The web page could not start on 127.0.0.1:${port}: port ${port} is already in use. Set DEMO4_PORT to another port.`,
      );
      expect(result.code).toBe(2);
    } finally {
      taken.close();
      await runLab(["4-code:reset"], { env });
    }
  });
});
