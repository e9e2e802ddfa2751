/**
 * Code interpreter, as the lab model does it. With a `code_interpreter` tool it plans an analysis of an
 * attached CSV from the question's words and the CSV's own header and values (data-plan.ts), writes the
 * Python for it (python-writer.ts), or takes Python pasted in a ```python block, and really runs it in
 * the call's container (sandbox/run.ts). It states the answer the code printed and cites every file the
 * code wrote with a `container_file_citation`. A data question it cannot plan gets what it can do, with
 * examples made of the CSV's own column names.
 */

import type { App } from "../../context.ts";
import { ApiError, containerNotFound, fileNotFound, invalidValue } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { runPython } from "../../sandbox/run.ts";
import type { ContainerFileObject, ContainerObject } from "../../stores/containers.ts";
import { isObject, type Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import {
  type Column,
  type CsvProfile,
  nameWords,
  profileCsv,
  readQuestion,
  tokensOf,
} from "../parse/columns.ts";
import { STOPWORDS, stem, stemsOf } from "../parse/words.ts";
import type { ModelRequest, Skill, TurnView } from "../types.ts";
import { requireAvailable } from "./availability.ts";
import { CHART, describeAnalysis, labelsAskedAsNumber, planAnalysis } from "./data-plan.ts";
import { type Analysis, analysisCode, summaryCode } from "./python-writer.ts";

const PASTED_CODE = /```(?:python|py|python3)?[ \t]*\r?\n([\s\S]*?)```/i;
const SUMMARY = /\b(?:summar(?:y|ise|ize)|statistics|stats|describe|overview)\b/i;
const ABOUT_DATA =
  /\b(?:csv|data|dataset|columns?|rows?|analy[sz]e|analysis|python|code|compute|calculate|table|spreadsheet|run|average|mean|median|total|sum|how many|count|per|highest|lowest|most|least|largest|smallest|maximum|minimum)\b/i;

type Intent =
  | { kind: "run"; code: string }
  | { kind: "analysis"; analysis: Analysis; csv: CsvInfo }
  | { kind: "summary"; csv: CsvInfo }
  | { kind: "labels"; column: Column; csv: CsvInfo }
  | { kind: "unusable"; csv: CsvInfo }
  | { kind: "other"; chart: boolean; csv: CsvInfo | undefined };

function intentOf(text: string, csvs: CsvInfo[]): Intent | undefined {
  const pasted = PASTED_CODE.exec(text)?.[1];
  if (pasted !== undefined && pasted.trim() !== "") return { kind: "run", code: pasted };
  const chart = CHART.test(text);
  const csv = pickCsv(csvs, text);
  const dataish = chart || SUMMARY.test(text) || ABOUT_DATA.test(text);
  if (csv !== undefined && (csv.profile.binary || csv.profile.rows === 0)) {
    const named = text.toLowerCase().includes(csv.name.toLowerCase());
    return dataish || named ? { kind: "unusable", csv } : undefined;
  }
  if (csv !== undefined) {
    const labelled = labelsAskedAsNumber(text, csv.profile);
    if (labelled) return { kind: "labels", column: labelled, csv };
    // "summarize the data" is the summary; a question that names columns or labels is planned.
    const analysis = SUMMARY.test(text) && !chart ? undefined : planAnalysis(text, csv.name, csv.profile);
    if (analysis !== undefined) return { kind: "analysis", analysis, csv };
    if (SUMMARY.test(text)) return { kind: "summary", csv };
  }
  if (dataish) return { kind: "other", chart, csv };
  return undefined;
}

interface Reading {
  tool: Json;
  existing: ContainerObject | undefined;
  intent: Intent;
}

/** One reading of the turn per request: `match` and the skill itself both use it. */
const readings = new WeakMap<ModelRequest, Reading | undefined>();

function readingOf(request: ModelRequest, turn: TurnView): Reading | undefined {
  if (readings.has(request)) return readings.get(request);
  const reading = read(request, turn);
  readings.set(request, reading);
  return reading;
}

function read(request: ModelRequest, turn: TurnView): Reading | undefined {
  const tool = request.tools.find((t) => t.type === "code_interpreter");
  if (tool === undefined || request.toolChoice === "none") return undefined;
  if (turn.sinceUser.length > 0) return undefined;
  // The CSVs are read before any container is made, so a turn about something else makes none.
  const existing = existingContainer(request.app, tool, request.items);
  const csvs = existing
    ? csvsIn(request.app, request.app.containers.files(existing.id))
    : inputCsvs(request.app, tool);
  const intent = intentOf(turn.current, csvs);
  return intent === undefined ? undefined : { tool, existing, intent };
}

export const codeInterpreter: Skill = async (request, turn) => {
  const reading = readingOf(request, turn);
  if (reading === undefined) return undefined;
  const { tool, existing, intent } = reading;
  requireAvailable("code_interpreter");
  const container = existing ?? newContainer(request.app, tool);
  const files = request.app.containers.files(container.id);
  if (intent.kind === "unusable") {
    const { csv } = intent;
    const why = csv.profile.binary
      ? "is not a text file (it holds binary data), so there is no table in it to compute with"
      : `has a header (${csv.profile.columns.map((c) => c.name).join(", ")}) but no data rows, so there is nothing to compute`;
    return [message(`\`${csv.name}\` ${why}.`, [])];
  }
  if (intent.kind === "labels") {
    const { column, csv } = intent;
    const some = column.labels.slice(0, 5).join(", ");
    const number = csv.profile.columns.find((c) => c.numeric)?.name;
    return [
      message(
        `\`${column.name}\` in \`${csv.name}\` holds labels (${some}${column.labels.length > 5 ? ", …" : ""}), not numbers, so there is no total or average of it to compute. I can count the rows per ${column.name} ("how many rows per ${column.name}")${number ? ` or compute ${number} per ${column.name} ("average ${number} per ${column.name}")` : ""}.`,
        [],
      ),
    ];
  }
  if (intent.kind === "other") {
    return [
      message(capabilities(turn.current, files, intent.csv, intent.chart || SUMMARY.test(turn.current)), []),
    ];
  }
  const code =
    intent.kind === "run"
      ? intent.code
      : intent.kind === "summary"
        ? summaryCode(intent.csv.name, intent.csv.profile.delimiter, intent.csv.profile.decimalComma)
        : analysisCode(intent.analysis);

  const folder = request.app.containers.folder(container.id);
  const result = await runPython(code, folder);
  const written = request.app.containers.collect(container.id);
  const logs = result.ok
    ? result.logs
    : `${result.logs}${result.logs.endsWith("\n") || !result.logs ? "" : "\n"}Stopped: ${result.failure}.\n`;
  const call: Json = {
    id: newId("ci"),
    type: "code_interpreter_call",
    status: result.ok ? "completed" : "failed",
    container_id: container.id,
    code,
    // Like the service: the outputs travel only when the request asks for them.
    outputs: request.include.includes("code_interpreter_call.outputs") ? [{ type: "logs", logs }] : null,
  };
  if (!result.ok) {
    return [
      call,
      message(
        `The code did not finish: ${result.failure}. ${written.length > 0 ? "Files it wrote before that are listed below." : "It wrote no files."}`,
        written,
        container.id,
      ),
    ];
  }
  const printed = result.logs.trimEnd();
  let text: string;
  if (intent.kind === "run") {
    text = `I ran the code you gave me in the sandbox. It printed:\n\n\`\`\`\n${printed || "(nothing)"}\n\`\`\``;
  } else if (intent.kind === "summary") {
    text = `Summary statistics of \`${intent.csv.name}\`, computed by the Python code above (the numbers come from the code):\n\n\`\`\`\n${printed}\n\`\`\``;
  } else {
    text = answerText(intent.analysis, printed);
  }
  return [call, message(text, written, container.id)];
};

/**
 * How much of the question is about the CSV. Pasted code is all about running it. Otherwise it is the
 * share of the question's content words that name the CSV's columns, its labels or the file itself, when
 * that is at least half; the words that only shape a data question ("how many", "longest", "below",
 * "in January", "per", numbers) are left out. A question that asks for a computation ("total", "how
 * many", "by", "chart") gets half a point more, so it wins over documents that speak of the same things, and so does
 * one that names a row by its identifier ("T-1007"); one that does neither gets half ("When can a ticket be closed?"
 * names `tickets.csv` and the label closed, but asks how, not how many). A code the CSV does not hold
 * ("TH-200") means it is not about this data. A question of shaping words only ("how many rows?")
 * matches half.
 */
codeInterpreter.match = (request, turn) => {
  const intent = readingOf(request, turn)?.intent;
  if (intent === undefined) return 0;
  if (intent.kind === "run") return 1;
  const csv = intent.csv;
  if (csv === undefined) return 0;
  const text = turn.current;
  const tokens = tokensOf(text);
  const { mentions, labels } = readQuestion(text, csv.profile.columns);
  const named = [...mentions, ...labels];
  const fileWords = new Set(nameWords(csv.name.replace(/\.\w+$/, "")).map(stem));
  let content = 0;
  let covered = 0;
  for (const [i, token] of tokens.entries()) {
    const word = token.word.toLowerCase();
    if (named.some((m) => m.start <= i && i < m.end) || fileWords.has(token.stem)) {
      content++;
      covered++;
    } else if (/^\d[\d.,]*$/.test(word) || STOPWORDS.has(word) || SHAPING.has(word) || DATA_WORD.test(word)) {
      // shapes the question, names nothing
    } else if (/\p{L}/u.test(word) && /\d/.test(word)) {
      return 0;
    } else content++;
  }
  if (content === 0) return 0.5;
  const share = covered / content;
  if (share < 0.5) return 0;
  // "What does P1 mean?" asks for a definition, not an average.
  const asked = text.replace(/\b(?:does|do|did)\b.*\bmean\b/i, "");
  const computes = DATA_WORD.test(asked) || /\bhow (?:many|much)\b|\b(?:by|per|each)\b/i.test(asked);
  const identifies = labels.some((l) => l.column.labels.length === csv.profile.rows);
  return computes || identifies ? share + 0.5 : share / 2;
};

const DATA_WORD = new RegExp(`${CHART.source}|${SUMMARY.source}|${ABOUT_DATA.source}`, "i");

/** Words that shape a data question without naming what it is about. */
const SHAPING = new Set(
  (
    "many much number value values level levels there people items records entries rows " +
    "longest shortest biggest fewest oldest youngest newest latest earliest cheapest best worst top bottom " +
    "more less fewer greater than below above over under between least " +
    "first last day days week weeks month months year years quarter quarters q1 q2 q3 q4 daily weekly monthly yearly " +
    "january february march april may june july august september october november december"
  ).split(" "),
);

/** The message for an analysis: its answer line first, in words, then what the code printed. */
function answerText(a: Analysis, printed: string): string {
  const lines = printed.split("\n");
  const answer = (lines.findLast((l) => l.startsWith("answer: ")) ?? "").slice("answer: ".length);
  const shown = lines.filter((l) => !l.startsWith("answer: ")).join("\n");
  const what = describeAnalysis(a);
  const from = `computed by the Python code above from \`${a.csv}\``;
  const output = `\n\n\`\`\`\n${shown}\n\`\`\``;
  if (answer === "no rows match" || answer.startsWith("no numeric values")) {
    return `No answer for the ${what}: ${answer} (${from}).${output}`;
  }
  if (a.chart && !answer.startsWith("saved "))
    return `No ${a.chart.kind} chart: ${answer} (${from}).${output}`;
  if (a.chart) {
    const kind = a.chart.kind;
    const value = a.value === undefined ? "rows" : a.per ? `${a.value} per ${a.per}` : a.value;
    // The code draws bars and lines only (by hand, no plotting library offline): say so, never pass one off as another.
    const instead = a.chart.asked
      ? `The offline lab model's code does not draw ${a.chart.asked} charts (it draws bar, line and pie charts by hand, with no plotting library), so here is a ${kind} chart instead`
      : `Here is a ${kind} chart`;
    return `${instead} of **${value}** by **${a.groupBy}** from \`${a.csv}\` (${what}), drawn by the Python code above with the standard library only. The values it computed:${output}`;
  }
  if (a.lookup)
    return `The rows of \`${a.csv}\` where ${a.filters.map((f) => `${f.column} is ${f.values.join(" or ")}`).join(" and ")} (${answer}), found by the Python code above:${output}`;
  if (a.rank && a.groupBy) {
    const top =
      a.rank.n === 1
        ? `The ${a.groupBy} with the ${a.rank.order === "largest" ? "highest" : "lowest"}`
        : `The ${a.rank.n} ${a.groupBy} values with the ${a.rank.order === "largest" ? "highest" : "lowest"}`;
    return `${top} ${what.replace(` per ${a.groupBy}`, "")}: **${answer}** (${from}).${output}`;
  }
  if (a.rank) {
    return `The ${a.rank.n === 1 ? "row" : `${a.rank.n} rows`} with the ${a.rank.order === "largest" ? "highest" : "lowest"} ${a.value}: **${answer}** (${from}).${output}`;
  }
  if (a.distinct) {
    const values = shown.split("\n").slice(-1)[0] ?? "";
    return `There are **${answer}** distinct ${a.distinct} values${what.includes(" where ") ? what.slice(what.indexOf(" where ")) : ""}: ${values} (${from}).${output}`;
  }
  if (a.trend && a.groupBy) return `The ${what}, in ${a.groupBy} order: **${answer}** (${from}).${output}`;
  if (a.compare) return `The ${what}: **${answer}** (${from}).${output}`;
  if (a.groupBy && !a.across) return `The ${what} (${from}):${output}`;
  return `The ${what} is **${answer}** (${from}).${output}`;
}

/**
 * The container this call uses when it exists already: an explicit id, or (for `{type:"auto"}`) the
 * one an earlier call in this conversation used for the same input files.
 */
function existingContainer(app: App, tool: Json, history: Json[]): ContainerObject | undefined {
  const spec = (tool.container ?? { type: "auto" }) as Json | string;
  if (typeof spec === "string") {
    const found = app.containers.get(spec);
    if (found === undefined) throw containerNotFound(spec, "tools.container");
    return found;
  }
  const key = JSON.stringify([...autoFileIds(spec)].sort());
  for (const item of [...history].reverse()) {
    if (item.type !== "code_interpreter_call" || typeof item.container_id !== "string") continue;
    const earlier = app.containers.get(item.container_id);
    if (
      earlier !== undefined &&
      JSON.stringify([...app.containers.inputFileIds(earlier.id)].sort()) === key
    ) {
      return earlier;
    }
  }
  return undefined;
}

function autoFileIds(spec: Json | string): string[] {
  if (!isObject(spec) || (spec.type !== undefined && spec.type !== "auto")) {
    throw invalidValue(
      "tools.container",
      "'container' must be a container id or {type: \"auto\", file_ids}.",
    );
  }
  return Array.isArray(spec.file_ids) ? spec.file_ids.map(String) : [];
}

/** The input files of an auto container, before it exists. */
function inputFiles(app: App, tool: Json): { filename: string; content: Uint8Array }[] {
  return autoFileIds((tool.container ?? { type: "auto" }) as Json | string).map((id) => {
    const file = app.files.get(id);
    if (file === undefined) throw fileNotFound(id, "tools.container.file_ids");
    return { filename: file.filename, content: app.files.content(id) ?? new Uint8Array() };
  });
}

/** The container a call uses: the existing one, or a new auto container (the local model's tool runs here too). */
export function containerFor(app: App, tool: Json, history: Json[]): ContainerObject {
  return existingContainer(app, tool, history) ?? newContainer(app, tool);
}

/** A new auto container with copies of the input files. */
function newContainer(app: App, tool: Json): ContainerObject {
  const fileIds = autoFileIds((tool.container ?? { type: "auto" }) as Json | string);
  const inputs = inputFiles(app, tool);
  if (inputs.reduce((sum, f) => sum + f.content.byteLength, 0) > 50 * 1024 * 1024) {
    throw new ApiError(400, "files_too_large", "The container's input files exceed 50 MB.", {
      param: "tools.container.file_ids",
    });
  }
  return app.containers.create("code interpreter (auto)", fileIds, inputs);
}

interface CsvInfo {
  name: string;
  profile: CsvProfile;
}

/** The CSVs in the container, each profiled from its first MB (header, column kinds, labels). */
function csvsIn(app: App, files: ContainerFileObject[]): CsvInfo[] {
  return files
    .filter((f) => /\.(?:csv|tsv)$/i.test(f.path))
    .sort((a, b) => Number(b.source === "user") - Number(a.source === "user"))
    .map((file) =>
      csvInfo(nameOf(file), app.containers.fileContent(file.container_id, file.id) ?? new Uint8Array()),
    );
}

function inputCsvs(app: App, tool: Json): CsvInfo[] {
  return inputFiles(app, tool)
    .filter((f) => /\.(?:csv|tsv)$/i.test(f.filename))
    .map((f) => csvInfo(f.filename.replace(/^.*[\\/]/, ""), f.content));
}

function csvInfo(name: string, bytes: Uint8Array): CsvInfo {
  const text = Buffer.from(bytes.subarray(0, 1024 * 1024)).toString("utf8");
  // The last line of a cut file may be partial: leave it out.
  const whole = bytes.byteLength > 1024 * 1024 ? text.slice(0, text.lastIndexOf("\n")) : text;
  return { name, profile: profileCsv(whole) };
}

/** The CSV the request is about: one it names, else the one whose columns it names most, else the first. */
function pickCsv(csvs: CsvInfo[], text: string): CsvInfo | undefined {
  const lower = text.toLowerCase();
  const named = csvs.find(
    (c) => lower.includes(c.name.toLowerCase()) || lower.includes(c.name.toLowerCase().replace(/\.\w+$/, "")),
  );
  if (named) return named;
  let best = csvs[0];
  let most = 0;
  for (const csv of csvs) {
    const { mentions, labels } = readQuestion(text, csv.profile.columns);
    // The file's own name counts too: "how many readings" is about sensor-readings.csv.
    const asked = stemsOf(text);
    const named = nameWords(csv.name.replace(/\.\w+$/, "")).filter((w) => asked.has(stem(w))).length;
    const n =
      mentions.reduce((sum, m) => sum + (m.end - m.start) * (m.complete ? 1 : 0.5), 0) +
      labels.length +
      named;
    if (n > most) {
      most = n;
      best = csv;
    }
  }
  return best;
}

function nameOf(file: ContainerFileObject): string {
  return file.path.replace(/^\/mnt\/data\//, "");
}

function capabilities(
  question: string,
  files: ContainerFileObject[],
  csv: CsvInfo | undefined,
  wanted: boolean,
): string {
  const columns = csv?.profile.columns ?? [];
  const attached =
    files.length === 0
      ? 'No files are attached to this code interpreter (add them with container: {type: "auto", file_ids}).'
      : `Attached: ${files.map((f) => `\`${nameOf(f)}\``).join(", ")}${csv ? ` (columns: ${columns.map((c) => c.name).join(", ")})` : ""}.`;
  const lead =
    wanted && csv === undefined
      ? "There is no CSV attached for that."
      : `I'm the offline lab model, not a language model, so I can't write code for "${question.trim().slice(0, 300)}": it names none of the CSV's columns or values.`;
  // Examples from this CSV's own columns, so they can be asked as they are.
  const number = columns.find((c) => c.numeric)?.name ?? "a number column";
  const label = columns.find((c) => !c.numeric)?.name ?? "a label column";
  return (
    `${lead} With the code interpreter I can:\n\n` +
    `- **compute** a total, average, median, minimum, maximum or count, overall, per group or for one value ("average ${number} per ${label}", "which ${label} has the highest ${number}")\n` +
    `- draw a **bar or line chart** of one column by another ("bar chart of ${number} by ${label}")\n` +
    '- give **summary statistics** of the attached CSV ("summarize the data")\n' +
    "- **run Python you paste** in a ```python block\n\n" +
    attached
  );
}

/** The answer, citing each file the code wrote as a Markdown link with a `container_file_citation`. */
function message(text: string, written: ContainerFileObject[], containerId?: string): Json {
  let full = text;
  const annotations: Json[] = [];
  if (written.length > 0 && containerId !== undefined) full += "\n";
  for (const file of written) {
    const name = nameOf(file);
    full += "\n";
    const start = full.length;
    full += `[${name}](sandbox:${file.path})`;
    annotations.push({
      type: "container_file_citation",
      container_id: containerId,
      file_id: file.id,
      filename: name,
      start_index: start,
      end_index: full.length,
    });
  }
  return assistantMessage(full, annotations);
}
