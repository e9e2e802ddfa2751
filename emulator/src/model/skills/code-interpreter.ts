/**
 * Code interpreter, as the lab model does it. With a `code_interpreter` tool it recognizes a few requests
 * about an attached CSV (summary statistics; a bar or line chart of a column) and Python pasted in a
 * ```python block, writes or takes the code, and really runs it in the call's container (sandbox/run.ts).
 * It answers from what the code printed and cites every file the code wrote with a
 * `container_file_citation`. Anything else about data gets a plain list of what it can do offline.
 */

import type { ContainerFileObject, ContainerObject } from "../../containers-store.ts";
import type { App } from "../../context.ts";
import { ApiError, invalidValue } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { containerNotFound } from "../../routes/containers.ts";
import { fileNotFound } from "../../routes/files.ts";
import { runPython } from "../../sandbox/run.ts";
import { isObject, type Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { Skill } from "../types.ts";
import { requireAvailable } from "./availability.ts";
import { chartCode, summaryCode } from "./python-writer.ts";

const PASTED_CODE = /```(?:python|py)?[ \t]*\n([\s\S]*?)```/i;
const CHART = /\b(?:chart|plot|graph|visuali[sz]e|draw|histogram)\b/i;
const SUMMARY = /\b(?:summar(?:y|ise|ize)|statistics|stats|describe|overview|mean|average|median)\b/i;
const ABOUT_DATA =
  /\b(?:csv|data|dataset|columns?|rows?|analy[sz]e|analysis|python|code|compute|calculate|table|spreadsheet|run)\b/i;

type Intent = { kind: "run"; code: string } | { kind: "chart" } | { kind: "summary" } | { kind: "other" };

function intentOf(text: string): Intent | undefined {
  const pasted = PASTED_CODE.exec(text)?.[1];
  if (pasted !== undefined && pasted.trim() !== "") return { kind: "run", code: pasted };
  if (CHART.test(text)) return { kind: "chart" };
  if (SUMMARY.test(text)) return { kind: "summary" };
  if (ABOUT_DATA.test(text)) return { kind: "other" };
  return undefined;
}

export const codeInterpreter: Skill = async (request, turn) => {
  const tool = request.tools.find((t) => t.type === "code_interpreter");
  if (tool === undefined || request.toolChoice === "none") return undefined;
  if (turn.sinceUser.length > 0) return undefined;
  const intent = intentOf(turn.current);
  if (intent === undefined) return undefined;
  requireAvailable("code_interpreter");
  const container = containerFor(request.app, tool, request.items);
  const files = request.app.containers.files(container.id);
  const csv = pickCsv(request.app, files, turn.current);

  if (intent.kind === "other" || (intent.kind !== "run" && csv === undefined)) {
    return [message(capabilities(turn.current, files, csv, intent.kind !== "other"), [])];
  }
  let code: string;
  let chartFile: string | undefined;
  if (intent.kind === "run") code = intent.code;
  else if (intent.kind === "summary" || csv === undefined) code = summaryCode(csv?.name ?? "");
  else {
    const chart = chooseChart(turn.current, csv);
    chartFile = "chart.svg";
    code = chartCode({ csv: csv.name, ...chart, output: chartFile });
  }

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
  let text: string;
  if (intent.kind === "run") {
    text = `I ran the code you gave me in the sandbox. It printed:\n\n\`\`\`\n${result.logs.trimEnd() || "(nothing)"}\n\`\`\``;
  } else if (intent.kind === "summary") {
    text = `Summary statistics of \`${csv?.name}\`, computed by the Python code above (the offline lab model writes this one analysis; the numbers come from the code):\n\n\`\`\`\n${result.logs.trimEnd()}\n\`\`\``;
  } else {
    const chart = chooseChart(turn.current, csv ?? { name: "", columns: [], numeric: [] });
    text = `Here is a ${chart.kind} chart of **${chart.value}** by **${chart.by}** from \`${csv?.name}\`, drawn by the Python code above with the standard library only. The totals it computed:\n\n\`\`\`\n${result.logs.trimEnd()}\n\`\`\``;
  }
  return [call, message(text, written, container.id)];
};

/**
 * The container for this call: an explicit id, or (for `{type:"auto"}`) the one an earlier call in this
 * conversation used for the same input files, else a new one with copies of those files.
 */
export function containerFor(app: App, tool: Json, history: Json[]): ContainerObject {
  const spec = tool.container ?? { type: "auto" };
  if (typeof spec === "string") {
    const found = app.containers.get(spec);
    if (found === undefined) throw containerNotFound(spec, "tools.container");
    return found;
  }
  if (!isObject(spec) || (spec.type !== undefined && spec.type !== "auto")) {
    throw invalidValue(
      "tools.container",
      "'container' must be a container id or {type: \"auto\", file_ids}.",
    );
  }
  const fileIds = Array.isArray(spec.file_ids) ? spec.file_ids.map(String) : [];
  const inputs = fileIds.map((id) => {
    const file = app.files.get(id);
    if (file === undefined) throw fileNotFound(id, "tools.container.file_ids");
    return { filename: file.filename, content: app.files.content(id) ?? new Uint8Array() };
  });
  const key = JSON.stringify([...fileIds].sort());
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
  if (inputs.reduce((sum, f) => sum + f.content.byteLength, 0) > 50 * 1024 * 1024) {
    throw new ApiError(400, "files_too_large", "The container's input files exceed 50 MB.", {
      param: "tools.container.file_ids",
    });
  }
  return app.containers.create("code interpreter (auto)", fileIds, inputs);
}

interface CsvInfo {
  name: string;
  columns: string[];
  /** Columns whose first data row holds a number. */
  numeric: string[];
}

/** The CSV the request is about: one it names, else the first one in the container. */
function pickCsv(app: App, files: ContainerFileObject[], text: string): CsvInfo | undefined {
  const csvs = files.filter((f) => f.path.toLowerCase().endsWith(".csv"));
  const named = csvs.find((f) => text.toLowerCase().includes(nameOf(f).toLowerCase()));
  const file = named ?? csvs.find((f) => f.source === "user") ?? csvs[0];
  return file === undefined ? undefined : { name: nameOf(file), ...headerOf(app, file) };
}

function nameOf(file: ContainerFileObject): string {
  return file.path.replace(/^\/mnt\/data\//, "");
}

/** The model only peeks at the header and the first row to decide what code to write; it computes nothing. */
function headerOf(app: App, file: ContainerFileObject): { columns: string[]; numeric: string[] } {
  const bytes = app.containers.fileContent(file.container_id, file.id) ?? new Uint8Array();
  const [head = "", first = ""] = Buffer.from(bytes.subarray(0, 64 * 1024))
    .toString("utf8")
    .split(/\r?\n/);
  const columns = head.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  const cells = first.split(",");
  const numeric = columns.filter(
    (_, i) => (cells[i] ?? "").trim() !== "" && Number.isFinite(Number(cells[i])),
  );
  return { columns, numeric };
}

/** Which column to plot, against which, and how, from the words of the request. */
function chooseChart(text: string, csv: CsvInfo): { kind: "bar" | "line"; value: string; by: string } {
  const lower = text.toLowerCase();
  const mentioned = (column: string) => {
    const words = column.toLowerCase().replace(/_/g, " ");
    const stem = words.split(" ")[0] ?? words;
    return (
      lower.includes(column.toLowerCase()) ||
      lower.includes(words) ||
      new RegExp(`\\b${escapeRe(stem)}`).test(lower)
    );
  };
  const text_ = csv.columns.filter((c) => !csv.numeric.includes(c));
  const byWord = /\b(?:by|per|for each|over|across)\s+(\w+)/.exec(lower)?.[1];
  const by =
    text_.find((c) => byWord !== undefined && c.toLowerCase().startsWith(byWord.replace(/s$/, ""))) ??
    text_.find(mentioned) ??
    text_[0] ??
    csv.columns[0] ??
    "";
  const value = csv.numeric.find(mentioned) ?? csv.numeric[0] ?? csv.columns[1] ?? "";
  const kind = /\bline\b|\btrend|over time|\bmonthly\b/.test(lower) ? "line" : "bar";
  return { kind, value, by };
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function capabilities(
  question: string,
  files: ContainerFileObject[],
  csv: CsvInfo | undefined,
  wanted: boolean,
): string {
  const attached =
    files.length === 0
      ? 'No files are attached to this code interpreter (add them with container: {type: "auto", file_ids}).'
      : `Attached: ${files.map((f) => `\`${nameOf(f)}\``).join(", ")}${csv ? ` (columns: ${csv.columns.join(", ")})` : ""}.`;
  const lead = wanted
    ? "There is no CSV attached for that."
    : `I'm the offline lab model, not a language model, so I can't write new code for "${question.trim().slice(0, 300)}".`;
  return (
    `${lead} With the code interpreter I can:\n\n` +
    '- **summary statistics** of the attached CSV ("summarize the data")\n' +
    '- a **bar or line chart** of one of its columns ("bar chart of revenue by region", "line chart of units by month")\n' +
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
