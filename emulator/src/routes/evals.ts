/**
 * The evals API (`openai.evals`: evals, runs, output items) for the graders that need no model:
 * `string_check` (eq, ne, like, ilike) and `text_similarity` (fuzzy_match, rouge_1, rouge_l). A run over
 * inline JSONL (`file_content`) is graded at once and is `completed` when created. Graders that need a
 * model to judge (label_model, score_model, Foundry's azure_ai_evaluator builtins) are refused with a
 * sentence saying they run on Azure: the emulator has no judge model.
 */
import { param, type Reply, type RequestContext } from "../context.ts";
import { badRequest, invalidValue, notFound } from "../errors.ts";
import { newId, nowSeconds } from "../ids.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import type { Body } from "../stores/evals.ts";

export function mountEvals(router: Router, base: string): void {
  router.add("POST", `${base}/evals`, createEval, false);
  router.add("GET", `${base}/evals`, listEvals, false);
  router.add("GET", `${base}/evals/:eval`, getEval, false);
  router.add("DELETE", `${base}/evals/:eval`, deleteEval, false);
  router.add("POST", `${base}/evals/:eval/runs`, createRun, false);
  router.add("GET", `${base}/evals/:eval/runs`, listRuns, false);
  router.add("GET", `${base}/evals/:eval/runs/:run`, getRun, false);
  router.add("GET", `${base}/evals/:eval/runs/:run/output_items`, listOutputItems, false);
}

const MODEL_GRADED = new Set(["label_model", "score_model", "azure_ai_evaluator", "python", "multi"]);
const METRICS = ["fuzzy_match", "rouge_1", "rouge_l"];
const OPERATIONS = ["eq", "ne", "like", "ilike"];

async function createEval(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const config = body.data_source_config as Body | undefined;
  if (config?.type !== "custom") {
    throw invalidValue(
      "data_source_config",
      "The emulator takes data_source_config {type: 'custom', item_schema}.",
    );
  }
  const criteria = body.testing_criteria;
  if (!Array.isArray(criteria) || criteria.length === 0) {
    throw invalidValue("testing_criteria", "testing_criteria must be a non-empty list of graders.");
  }
  for (const [i, c] of criteria.entries()) checkCriterion(c as Body, i);
  const now = nowSeconds();
  const evaluation = {
    object: "eval",
    id: newId("eval"),
    name: typeof body.name === "string" ? body.name : "",
    created_at: now,
    metadata: body.metadata ?? null,
    data_source_config: {
      type: "custom",
      schema: { type: "object", properties: { item: config.item_schema ?? {} }, required: ["item"] },
    },
    testing_criteria: criteria.map((c, i) => ({
      ...(c as Body),
      name: (c as Body).name ?? `grader_${i + 1}`,
    })),
  };
  ctx.app.evals.putEval(evaluation);
  return { status: 200, body: evaluation };
}

function checkCriterion(c: Body, i: number): void {
  const where = `testing_criteria[${i}]`;
  const type = String(c?.type ?? "");
  if (MODEL_GRADED.has(type)) {
    const which =
      type === "azure_ai_evaluator"
        ? `Foundry's builtin evaluator '${String(c.evaluator_name ?? "")}'`
        : `The '${type}' grader`;
    throw badRequest(
      "model_grader_unsupported",
      `${which} needs a model to judge with, and the emulator has none: it runs the graders that need no model (string_check, text_similarity). Run model-graded evaluators against a Foundry project on Azure.`,
      where,
    );
  }
  if (type === "string_check") {
    if (!OPERATIONS.includes(String(c.operation)))
      throw invalidValue(
        `${where}.operation`,
        `string_check operation must be one of ${OPERATIONS.join(", ")}.`,
      );
  } else if (type === "text_similarity") {
    if (!METRICS.includes(String(c.evaluation_metric)))
      throw invalidValue(
        `${where}.evaluation_metric`,
        `The emulator computes text_similarity with ${METRICS.join(", ")}; '${String(c.evaluation_metric)}' is computed only on Azure.`,
      );
    if (typeof c.pass_threshold !== "number")
      throw invalidValue(`${where}.pass_threshold`, "text_similarity needs a numeric pass_threshold.");
  } else {
    throw invalidValue(
      `${where}.type`,
      `Unknown grader type '${type}'; the emulator runs string_check and text_similarity.`,
    );
  }
  if (typeof c.input !== "string" || typeof c.reference !== "string")
    throw invalidValue(where, "A grader needs 'input' and 'reference' templates such as '{{item.answer}}'.");
}

function evalOf(ctx: RequestContext): Body {
  const id = param(ctx, "eval");
  const found = ctx.app.evals.getEval(id);
  if (!found) throw notFound(`Eval '${id}' was not found.`, "eval_id");
  return found;
}

function getEval(ctx: RequestContext): Reply {
  return { status: 200, body: evalOf(ctx) };
}

function listEvals(ctx: RequestContext): Reply {
  const page = paginate(ctx.app.evals.listEvals(), parsePageParams(ctx.query, "asc"), (e) => String(e.id));
  return { status: 200, body: { object: "list", ...page } };
}

function deleteEval(ctx: RequestContext): Reply {
  const id = String(evalOf(ctx).id);
  ctx.app.evals.deleteEval(id);
  return { status: 200, body: { object: "eval.deleted", deleted: true, eval_id: id } };
}

async function createRun(ctx: RequestContext): Promise<Reply> {
  const evaluation = evalOf(ctx);
  const body = await ctx.json();
  const source = (body.data_source as Body | undefined)?.source as Body | undefined;
  if (
    (body.data_source as Body | undefined)?.type !== "jsonl" ||
    source?.type !== "file_content" ||
    !Array.isArray(source.content)
  ) {
    throw invalidValue(
      "data_source",
      "The emulator takes data_source {type: 'jsonl', source: {type: 'file_content', content: [{item: {...}}]}}.",
    );
  }
  if (source.content.length > 1000)
    throw invalidValue("data_source", "At most 1000 items per run on the emulator.");
  const runId = newId("evalrun");
  const now = nowSeconds();
  const criteria = evaluation.testing_criteria as Body[];
  const tally = criteria.map((c) => ({ testing_criteria: String(c.name), passed: 0, failed: 0 }));
  const outputItems = source.content.map((row, index) => {
    const scope = { item: (row as Body)?.item ?? {}, sample: (row as Body)?.sample ?? {} };
    const results = criteria.map((c, i) => {
      const { score, passed } = runGrader(c, scope);
      const t = tally[i];
      if (t) passed ? t.passed++ : t.failed++;
      return { name: String(c.name), type: String(c.type), score, passed, sample: null };
    });
    return {
      object: "eval.run.output_item",
      id: newId("outputitem"),
      run_id: runId,
      eval_id: evaluation.id,
      created_at: now,
      status: results.every((r) => r.passed) ? "pass" : "fail",
      datasource_item_id: index,
      datasource_item: scope.item,
      results,
      sample: {
        input: [],
        output: [],
        finish_reason: "",
        model: "",
        usage: { total_tokens: 0, completion_tokens: 0, prompt_tokens: 0, cached_tokens: 0 },
        error: { code: "", message: "" },
        temperature: 0,
        max_completion_tokens: 0,
        top_p: 0,
        seed: 0,
      },
    };
  });
  const passedItems = outputItems.filter((o) => o.status === "pass").length;
  const run = {
    object: "eval.run",
    id: runId,
    eval_id: evaluation.id,
    name: typeof body.name === "string" ? body.name : "",
    status: "completed",
    created_at: now,
    metadata: body.metadata ?? null,
    model: null,
    data_source: body.data_source,
    error: null,
    per_model_usage: [],
    per_testing_criteria_results: tally,
    result_counts: {
      total: outputItems.length,
      passed: passedItems,
      failed: outputItems.length - passedItems,
      errored: 0,
    },
    // No portal offline: the report is the output items (and demo 9's own page).
    report_url: "",
  };
  ctx.app.evals.putRun(run, outputItems);
  return { status: 200, body: run };
}

function getRun(ctx: RequestContext): Reply {
  const evaluation = evalOf(ctx);
  const id = param(ctx, "run");
  const run = ctx.app.evals.getRun(String(evaluation.id), id);
  if (!run) throw notFound(`Run '${id}' of eval '${String(evaluation.id)}' was not found.`, "run_id");
  return { status: 200, body: run };
}

function listRuns(ctx: RequestContext): Reply {
  const evaluation = evalOf(ctx);
  const page = paginate(
    ctx.app.evals.listRuns(String(evaluation.id)),
    parsePageParams(ctx.query, "asc"),
    (r) => String(r.id),
  );
  return { status: 200, body: { object: "list", ...page } };
}

function listOutputItems(ctx: RequestContext): Reply {
  const run = getRun(ctx).body as Body;
  const page = paginate(ctx.app.evals.outputItems(String(run.id)), parsePageParams(ctx.query, "asc"), (o) =>
    String(o.id),
  );
  return { status: 200, body: { object: "list", ...page } };
}

/** `{{item.answer}}` / `{{sample.output_text}}` → the value at that path, as text. */
export function render(template: string, scope: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, ref: string) => {
    let value: unknown = scope;
    for (const key of ref.split("."))
      value = value && typeof value === "object" ? (value as Body)[key] : undefined;
    return value === undefined || value === null
      ? ""
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  });
}

export function runGrader(c: Body, scope: Record<string, unknown>): { score: number; passed: boolean } {
  const input = render(String(c.input), scope);
  const reference = render(String(c.reference), scope);
  if (c.type === "string_check") {
    const ok =
      c.operation === "eq"
        ? input === reference
        : c.operation === "ne"
          ? input !== reference
          : c.operation === "like"
            ? input.includes(reference)
            : input.toLowerCase().includes(reference.toLowerCase());
    return { score: ok ? 1 : 0, passed: ok };
  }
  const score = similarity(String(c.evaluation_metric), input, reference);
  return { score, passed: score >= Number(c.pass_threshold) };
}

/** fuzzy_match: 1 − edit distance / longer length; rouge_1: unigram F1; rouge_l: longest-common-subsequence F1. */
export function similarity(metric: string, a: string, b: string): number {
  if (metric === "fuzzy_match") {
    const longer = Math.max(a.length, b.length);
    return longer === 0 ? 1 : 1 - editDistance(a, b) / longer;
  }
  const x = a.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const y = b.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (x.length === 0 || y.length === 0) return 0;
  let common: number;
  if (metric === "rouge_1") {
    const counts = new Map<string, number>();
    for (const w of y) counts.set(w, (counts.get(w) ?? 0) + 1);
    common = 0;
    for (const w of x) {
      const n = counts.get(w) ?? 0;
      if (n > 0) {
        common++;
        counts.set(w, n - 1);
      }
    }
  } else {
    common = lcs(x, y);
  }
  const precision = common / x.length;
  const recall = common / y.length;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function lcs(x: string[], y: string[]): number {
  let prev = new Array<number>(y.length + 1).fill(0);
  for (const word of x) {
    const row = [0];
    for (let j = 1; j <= y.length; j++)
      row[j] = word === y[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, row[j - 1] ?? 0);
    prev = row;
  }
  return prev[y.length] ?? 0;
}
