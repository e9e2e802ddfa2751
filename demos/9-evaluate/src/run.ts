/**
 * Demo 9 · run: an agent is software, so it gets tests. Each dataset item is put to the agent version
 * under test, graders check what it did (answer, tool calls, citations, grounding, latency, served model),
 * and the result is a table, a report in transcripts/ and a chart on `pnpm traces`.
 * `-- --compare <version>` runs the same items against another version and shows what changed;
 * `-- --all` runs every demo's smoke dataset (the pre-workshop check).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { weatherTools } from "@lab/1-tools/tools";
import { type AgentRef, ifExists } from "@lab/shared/agents";
import { ConfigError, LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { dim } from "@lab/shared/terminal";
import { readArgs } from "./args.ts";
import { loadDataset } from "./dataset.ts";
import { grade } from "./graders.ts";
import { type EvalResult, printComparison, printResult, summarize, writeReport } from "./report.ts";
import { serviceEvaluation } from "./service-eval.ts";
import { smokeAll } from "./smoke.ts";
import type { EvaluateState } from "./state.ts";
import { ask, handbookFile } from "./targets.ts";
import { startWeatherStandIn } from "./weather-stand-in.ts";

const args = readArgs();
process.env.LAB_TRACING ??= "1"; // each item's trace is linked from the report
const lab = await connect(import.meta.dirname, "eval");
const { config } = lab;

if (args.all) {
  await smokeAll(lab);
} else {
  const state = lab.state<EvaluateState>().get();
  // Offline-stable weather: a dataset can only know the right temperature if the tool's data is fixed.
  const standIn = config.env.EVAL_LIVE_WEATHER === "1" ? undefined : await startWeatherStandIn();
  const tools = weatherTools({ ...config.env, ...standIn?.env });
  const reports = path.join(config.env.LAB_TRANSCRIPTS_DIR ?? path.join(config.repoRoot, "transcripts"), "");

  for (const target of args.targets) {
    const current = state[target];
    // No handbook where EVAL_HANDBOOK points: create-agent already said so, and made only the weather agent.
    if (!current && target === "handbook" && !existsSync(handbookFile(config.env))) continue;
    if (!current)
      throw new LabError(`No ${target} agent has been created here yet: run \`pnpm 9-evaluate\`.`);
    // EVAL_DATASETS: a folder of your own weather.jsonl / handbook.jsonl instead of the shipped ones.
    const folder = config.env.EVAL_DATASETS ?? path.join(config.demo.dir, "datasets");
    const dataset = loadDataset(path.resolve(folder, `${target}.jsonl`));
    const evaluate = async (agent: AgentRef): Promise<EvalResult> => {
      const items = [];
      for (const item of dataset.items) {
        const seen = await ask(lab, target, agent, item, tools);
        const grades = grade(item, seen);
        items.push({ item, seen, grades, pass: grades.every((g) => g.pass) });
      }
      return summarize(dataset, agent, items);
    };

    // Comparing a version with itself only runs it twice: say which version is under test instead.
    const compare = args.compare === current.version ? undefined : args.compare;
    if (args.compare !== undefined && compare === undefined)
      console.log(
        `--compare ${args.compare}: ${current.name} v${current.version} is the version under test; change the agent (for example its tools or instructions) and run again to compare the new version with it.`,
      );
    const before = compare ? await evaluate(await version(current.name, compare)) : undefined;
    const result = await evaluate(current);
    if (before) printResult(before);
    printResult(result);
    if (before) printComparison(before, result);
    const file = writeReport(reports, lab.backendLabel, result, before);
    console.log(dim(`Report: ${path.relative(process.cwd(), file)} · each item's trace: pnpm traces`));
    await serviceEvaluation(lab, result);
  }
  await standIn?.close();
}

/** The other version for --compare, checked to exist (the message lists the versions there are). */
async function version(name: string, wanted: string): Promise<AgentRef> {
  const found = await ifExists(() => lab.project.agents.getVersion(name, wanted));
  if (found) return { name, version: found.version };
  const versions: string[] = [];
  for await (const v of lab.project.agents.listVersions(name)) versions.push(v.version);
  throw new ConfigError(
    `--compare ${wanted}: agent ${name} has no version ${wanted}; it has ${versions.sort((a, b) => Number(a) - Number(b)).join(", ")}.`,
  );
}
