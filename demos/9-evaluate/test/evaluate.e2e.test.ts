/**
 * `pnpm 9-evaluate` end to end against the emulator, as a child process: the datasets run against both
 * agents, the report lands in transcripts/ with each item linked to its trace, the service's evals API
 * grades the same answers, and a deliberately broken agent version (its tool removed, as a careless edit
 * would) scores lower than the good one under `--compare`. Reset removes what the demo made.
 */
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TraceStore } from "../../../emulator/src/stores/traces.ts";
import {
  closedPort,
  live,
  repoRoot,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => backend?.close());

interface Report {
  dataset: string;
  agent: { name: string; version: string };
  passRate: number;
  items: { id: string; traceId?: string; grades: { grader: string; pass: boolean; why: string }[] }[];
  before?: Report;
}
const reports = (dir: string, dataset: string): Report[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(`eval-${dataset}-`) && f.endsWith(".eval.json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Report);

describe.skipIf(live)("pnpm 9-evaluate", () => {
  it("grades both agents, links each item to its trace, and a broken version scores lower under --compare", async () => {
    const transcripts = tempDir("lab-evals-");
    const env = {
      ...backend.env,
      AGENT_NAME: `eval-${Math.random().toString(36).slice(2, 8)}`,
      LAB_TRANSCRIPTS_DIR: transcripts,
    };
    const weather = `${env.AGENT_NAME}-weather`;

    const first = await runLab(["9-evaluate"], { env, timeoutMs: 120_000 });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Created agent ${weather} version 1.`);
    expect(first.stdout).toContain(`weather: ${weather} v1 (5 items)`);
    expect(first.stdout).toContain(`handbook: ${env.AGENT_NAME}-handbook v1 (6 items)`);
    expect(first.stdout).toMatch(/✔ {2}oslo +\d+ ms +\d checks pass/);
    expect(first.stdout).toMatch(/Service evaluation \(openai\.evals eval_\w+, run evalrun_\w+\): completed/);
    expect(first.stdout).toMatch(/ {2}mentions the expected phrase: \d+ passed, \d+ failed/);
    expect(first.stdout).toContain(
      "Model-graded evaluators (builtin.coherence, builtin.groundedness, …) need Azure",
    );
    const [good] = reports(transcripts, "weather");
    expect(good?.passRate).toBeGreaterThan(0);
    // Each item has a trace in the emulator's store, rooted at the item's own span.
    const store = new TraceStore(backend.dataDir ?? "");
    const oslo = good?.items.find((i) => i.id === "oslo");
    const spans = store.spansOfTrace(oslo?.traceId ?? "");
    store.close();
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "evaluate weather/oslo",
        `invoke_agent ${weather}`,
        "execute_tool get_weather",
      ]),
    );
    const md = readdirSync(transcripts).find((f) => f.startsWith("eval-weather-") && f.endsWith(".md")) ?? "";
    const report = readFileSync(path.join(transcripts, md), "utf8");
    expect(report).toMatch(/\| oslo \| pass \| lab-offline-\w+ \| \d+ ms \| [0-9a-f]{32} \|/);
    // The run's median latency once, not repeated on each grader's row.
    expect(report.match(/median latency/g)).toHaveLength(1);
    expect(report).toMatch(/^- median latency: \d+ ms$/m);

    // A careless edit: the tool is gone from the definition. It becomes version 2.
    await backend.project.agents.createVersion(weather, {
      kind: "prompt",
      model: "model-router",
      instructions: "You are a concise weather assistant. Answer from what you know.",
    });
    const compared = await runLab(["9-evaluate", "--", "--dataset", "weather", "--compare", "2"], {
      env,
      timeoutMs: 120_000,
    });
    expect(compared.code).toBe(0);
    // create-agent restores the good definition as version 3; v2 is the one being compared.
    expect(compared.stdout).toContain(`Created agent ${weather} version 3.`);
    expect(compared.stdout).toContain("What changed: v2 → v3");
    expect(compared.stdout).not.toContain("handbook:");
    const last = reports(transcripts, "weather").at(-1);
    expect(last?.agent.version).toBe("3");
    expect(last?.before?.agent.version).toBe("2");
    expect(last?.before?.passRate ?? 1).toBeLessThan(last?.passRate ?? 0);
    const brokenOslo = last?.before?.items.find((i) => i.id === "oslo");
    expect(brokenOslo?.grades.find((g) => g.grader === "tool called")).toMatchObject({
      pass: false,
      why: 'expected get_weather({"city":"Oslo"}); got no tool calls',
    });
    expect(compared.stdout).toMatch(/item oslo +fail: .*tool called.* +pass/);

    // Usage errors: one sentence, exit 2.
    const notANumber = await runLab(["9-evaluate:run", "--", "--compare", "two"], { env });
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain('--compare takes a version number, such as --compare 1 (got "two").');
    const missing = await runLab(["9-evaluate:run", "--", "--dataset", "weather", "--compare", "9"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--compare 9: agent ${weather} has no version 9; it has 1, 2, 3.`);
    const itself = await runLab(["9-evaluate:run", "--", "--dataset", "weather", "--compare", "3"], { env });
    expect(itself.code).toBe(0);
    expect(itself.stdout).toContain(`--compare 3: ${weather} v3 is the version under test;`);
    expect(itself.stdout).not.toContain("What changed");
    const noValue = await runLab(["9-evaluate:run", "--", "--compare"], { env });
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain("argument missing. pnpm 9-evaluate takes --dataset");

    const reset = await runLab(["9-evaluate:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`agent ${weather}: deleted with all its versions`);
    expect(reset.stdout).toMatch(/evaluation eval_\w+: deleted/);
    await expect(backend.project.agents.get(weather)).rejects.toMatchObject({ statusCode: 404 });
  });

  // A learner's own line (EVAL_DATASETS, as the README says): the lab model's answer quotes § 8.3 word for
  // word under its opening line that names the file, and that line makes no claim the grader should weigh.
  it("grades a learner's own handbook question as grounded when the answer quotes the passage", async () => {
    const datasets = tempDir("lab-eval-datasets-");
    cpSync(path.join(import.meta.dirname, "..", "datasets"), datasets, { recursive: true });
    appendFileSync(
      path.join(datasets, "handbook.jsonl"),
      `${JSON.stringify({
        id: "gifts",
        question: "Can I accept a gift from a supplier?",
        expect: {
          contains: ["50 euros"],
          citation: { file: "employee-handbook.md", section: "8.3 Gifts and hospitality" },
        },
        reference: "You may accept small gifts worth up to 50 euros.",
      })}\n`,
    );
    const transcripts = tempDir("lab-evals-");
    const env = {
      ...backend.env,
      AGENT_NAME: `gifts-${Math.random().toString(36).slice(2, 8)}`,
      EVAL_DATASETS: datasets,
      LAB_TRANSCRIPTS_DIR: transcripts,
    };
    const run = await runLab(["9-evaluate", "--", "--dataset", "handbook"], { env, timeoutMs: 120_000 });
    expect(run.stderr).toBe("");
    const [report] = reports(transcripts, "handbook");
    const gifts = report?.items.find((i) => i.id === "gifts");
    expect(gifts?.grades.find((g) => g.grader === "grounded")).toMatchObject({ pass: true });
    await runLab(["9-evaluate:reset"], { env });
  }, 180_000);

  // The check needs the whole lab; a copy made by `pnpm eject` holds demo 9 alone and says so.
  const wholeLab = existsSync(path.join(repoRoot, "demos", "0-hello"));
  // Not a skipped test in either place: each holds the test of what --all does there.
  if (wholeLab) {
    it("-- --all runs every demo as a learner would and gives one pass rate per demo", async () => {
      const env = {
        ...backend.env,
        AGENT_NAME: `smoke-${Math.random().toString(36).slice(2, 8)}`,
        LAB_MCP_DATA_DIR: tempDir("lab-mcp-"),
        DEMO4_OUTPUT_DIR: tempDir("lab-demo4-output-"),
        LAB_TRANSCRIPTS_DIR: tempDir("lab-evals-"),
        // Its own MCP ports: demos 6 and 7 would otherwise share 8931/8932 with other tests running now.
        LAB_ISSUES_MCP_PORT: String(await closedPort()),
        LAB_REPO_MCP_PORT: String(await closedPort()),
      };
      const run = await runLab(["9-evaluate", "--", "--all"], { env, timeoutMs: 240_000 });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      for (const demo of [
        "0-hello",
        "1-tools",
        "3-websearch",
        "4-code",
        "5-rag",
        "6-mcp",
        "7-toolbox",
        "8-hosted",
      ])
        expect(run.stdout).toMatch(new RegExp(`✔ {2}${demo} +1/1 +ok`));
      expect(run.stdout).toMatch(
        /– {2}2-desktop +skipped +no smoke dataset \(demo 2 needs a real terminal\)/,
      );
      expect(run.stdout).toContain("Every demo with a smoke dataset passes on this machine and backend.");
      await runLab(["reset:all"], { env });
    }, 300_000);
  } else {
    it("-- --all in a copy of demo 9 alone says in one sentence that it needs the lab", async () => {
      const run = await runLab(["9-evaluate", "--", "--all"], { env: backend.env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("--all checks every demo of the lab, and this folder holds only this one");
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).not.toContain("Created agent");
    });
  }

  it("the emulator's evals API grades string checks and says plainly that model-graded evaluators need Azure", async () => {
    const { openai } = backend;
    const evaluation = await openai.evals.create({
      name: "contains",
      data_source_config: {
        type: "custom",
        item_schema: { type: "object", properties: { answer: { type: "string" } } },
      },
      testing_criteria: [
        {
          type: "string_check",
          name: "says Paris",
          input: "{{item.answer}}",
          reference: "paris",
          operation: "ilike",
        },
      ],
    });
    const run = await openai.evals.runs.create(evaluation.id, {
      data_source: {
        type: "jsonl",
        source: {
          type: "file_content",
          content: [{ item: { answer: "It is Paris." } }, { item: { answer: "Lyon" } }],
        },
      },
    });
    expect(run.result_counts).toMatchObject({ total: 2, passed: 1, failed: 1 });
    const items = [];
    for await (const item of openai.evals.runs.outputItems.list(run.id, { eval_id: evaluation.id }))
      items.push(item);
    expect(items.map((i) => i.status)).toEqual(["pass", "fail"]);

    const refused = openai.evals.create({
      name: "judge",
      data_source_config: { type: "custom", item_schema: { type: "object" } },
      testing_criteria: [
        {
          type: "label_model",
          name: "tone",
          model: "model-router",
          input: [{ role: "user", content: "{{item.answer}}" }],
          labels: ["ok", "bad"],
          passing_labels: ["ok"],
        },
      ],
    });
    await expect(refused).rejects.toMatchObject({ status: 400 });
    await expect(refused).rejects.toThrow(/needs a model to judge with, and the emulator has none/);
  });
});
