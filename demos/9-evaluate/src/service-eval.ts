/**
 * The same answers, graded by the service: `openai.evals` (an eval with testing criteria, then a run over
 * the items). Graders that need no model run everywhere (string check, text similarity; the emulator
 * serves them too). On Azure the run adds Foundry's builtin, model-graded evaluators (coherence,
 * groundedness) and the service renders a report in the Foundry portal, whose link is printed.
 */
import type { Lab } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { bold, dim } from "@lab/shared/terminal";
import type { EvalCreateParams } from "openai/resources/evals/evals";
import type { EvalResult } from "./report.ts";
import type { EvaluateState } from "./state.ts";

type Criterion = EvalCreateParams["testing_criteria"][number];

/**
 * A Foundry builtin evaluator as a testing criterion. The openai SDK's union has no such member (the
 * Foundry SDK's own samples pass it `as any`); this names its fields so the rest is checked.
 */
interface FoundryEvaluator {
  type: "azure_ai_evaluator";
  name: string;
  evaluator_name: `builtin.${string}`;
  data_mapping: Record<string, string>;
  initialization_parameters?: { deployment_name: string };
}
const foundry = (evaluator: FoundryEvaluator) => evaluator as unknown as Criterion;

/** What needs no model: the emulator and Azure both run these. */
const MODEL_FREE: Criterion[] = [
  {
    type: "string_check",
    name: "mentions the expected phrase",
    input: "{{item.answer}}",
    reference: "{{item.expected}}",
    operation: "ilike",
  },
  {
    type: "text_similarity",
    name: "close to the reference answer",
    input: "{{item.answer}}",
    reference: "{{item.reference}}",
    evaluation_metric: "rouge_1",
    pass_threshold: 0.2,
  },
];

/** Model-graded: Foundry runs them with the deployment as the judge. Azure only. */
function modelGraded(deployment: string): Criterion[] {
  const judge = { deployment_name: deployment };
  return [
    foundry({
      type: "azure_ai_evaluator",
      name: "coherence",
      evaluator_name: "builtin.coherence",
      data_mapping: { query: "{{item.question}}", response: "{{item.answer}}" },
      initialization_parameters: judge,
    }),
    foundry({
      type: "azure_ai_evaluator",
      name: "groundedness",
      evaluator_name: "builtin.groundedness",
      data_mapping: { query: "{{item.question}}", response: "{{item.answer}}", context: "{{item.context}}" },
      initialization_parameters: judge,
    }),
  ];
}

export async function serviceEvaluation(lab: Lab, result: EvalResult): Promise<void> {
  const { openai, config } = lab;
  const azure = config.backend === "azure";
  const evaluation = await openai.evals.create({
    name: `${result.dataset.name} on ${result.agent.name} v${result.agent.version}`,
    data_source_config: {
      type: "custom",
      item_schema: {
        type: "object",
        properties: {
          question: { type: "string" },
          answer: { type: "string" },
          expected: { type: "string" },
          reference: { type: "string" },
          context: { type: "string" },
        },
        required: ["question", "answer"],
      },
    },
    testing_criteria: [...MODEL_FREE, ...(azure ? modelGraded(config.model) : [])],
    metadata: labMetadata(config.demo.id),
  });
  lab.state<EvaluateState>().update((s) => ({ ...s, evals: [...(s.evals ?? []), evaluation.id] }));

  let run = await openai.evals.runs.create(evaluation.id, {
    name: `v${result.agent.version}`,
    data_source: {
      type: "jsonl",
      source: {
        type: "file_content",
        content: result.items.map((r) => ({
          item: {
            question: r.item.question,
            answer: r.seen.answer,
            expected: r.item.expect.contains?.[0] ?? "",
            reference: r.item.reference ?? "",
            context: r.seen.passages.map((p) => p.text).join("\n\n"),
          },
        })),
      },
    },
  });
  // The service grades in the background; model-graded evaluators take a while on Azure.
  const deadline = Date.now() + 10 * 60_000;
  while (!["completed", "failed", "canceled"].includes(run.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, azure ? 5000 : 200));
    run = await openai.evals.runs.retrieve(run.id, { eval_id: evaluation.id });
  }

  console.log(
    `\n${bold(`Service evaluation (openai.evals ${evaluation.id}, run ${run.id}): ${run.status}`)}`,
  );
  for (const c of run.per_testing_criteria_results ?? [])
    console.log(`  ${c.testing_criteria}: ${c.passed} passed, ${c.failed} failed`);
  if (run.report_url) console.log(`  Report in the Foundry portal: ${run.report_url}`);
  if (!azure) {
    console.log(
      dim(
        "  Model-graded evaluators (builtin.coherence, builtin.groundedness, …) need Azure: a judge model grades them, and the emulator has none. Point FOUNDRY_PROJECT_ENDPOINT at a project to add them.",
      ),
    );
  }
}
