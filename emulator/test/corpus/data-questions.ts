/**
 * The data-questions corpus (issue 11): analyst questions over CSV files written for it
 * (data-questions.files/), asked through the real SDKs as a user would: the files uploaded with
 * `files.create`, the `code_interpreter` tool with an auto container holding all of them,
 * `responses.create` with the call's outputs included. A case passes when the code ran in the sandbox
 * and the answer states every expected fragment (or cites the chart it drew, downloaded from the
 * container), or, for a question that is not about the data or asks a number of labels, when no code
 * ran (and the answer says what it should).
 *
 * With `documents`, the request also carries `file_search` over the retrieval corpus's documents
 * (which speak of warehouses, stock, sensors and tickets too): every data question must still reach the
 * code interpreter and search no documents, and a question the model cannot answer from the data must
 * still run no code (what it answers instead is file search's business).
 */
import type { Tool } from "openai/resources/responses/responses";
import { startLab } from "../support.ts";
import { indexFiles, readCorpusCases, uploadFiles } from "./corpus-files.ts";

type Lab = Awaited<ReturnType<typeof startLab>>;

interface Case {
  question: string;
  expect: string[];
  chart?: boolean;
  noCall?: boolean;
  /** Why a holdout case still misses: it is left out of the score. */
  known_miss?: string;
}

/** `corpus` names the cases (`<corpus>.json`) and their CSV files (`<corpus>.files/`). */
export async function runCorpus({ documents = false, corpus = "data-questions", knownMisses = false } = {}) {
  const cases = readCorpusCases<Case>(corpus, knownMisses);
  const lab = await startLab();
  const failures: string[] = [];
  try {
    const fileIds = await uploadFiles(lab, corpus);
    const tools: Tool[] = [{ type: "code_interpreter", container: { type: "auto", file_ids: fileIds } }];
    if (documents)
      tools.push({
        type: "file_search",
        vector_store_ids: [await indexFiles(lab, "retrieval", "documents")],
      });
    for (const c of cases) {
      const problem = await check(lab, tools, { ...c, expect: documents && c.noCall ? [] : c.expect });
      if (problem) failures.push(`${c.question.replace(/\n/g, "⏎")}: ${problem}`);
    }
  } finally {
    await lab.close();
  }
  return [
    {
      skill: corpus === "data-questions" ? "data questions" : corpus,
      passed: cases.length - failures.length,
      total: cases.length,
      failures,
    },
  ];
}

async function check(lab: Lab, tools: Tool[], c: Case): Promise<string | undefined> {
  const response = await lab.openai.responses.create({
    model: "model-router",
    input: c.question,
    tools,
    include: ["code_interpreter_call.outputs"],
  });
  if (!c.noCall && response.output.some((item) => item.type === "file_search_call"))
    return "searched the documents for a data question";
  const call = response.output.find((item) => item.type === "code_interpreter_call");
  const message = response.output.find((item) => item.type === "message");
  const part = message?.type === "message" ? message.content[0] : undefined;
  const text = part?.type === "output_text" ? part.text : "";
  const got = `\n    got: ${text.replace(/\s+/g, " ").slice(0, 300)}`;
  if (c.noCall) {
    if (call) return `ran code for a question it cannot answer from the data${got}`;
    for (const fragment of c.expect)
      if (!text.includes(fragment)) return `the answer does not say "${fragment}"${got}`;
    return undefined;
  }
  if (call?.type !== "code_interpreter_call") return `no code_interpreter_call${got}`;
  if (call.status !== "completed") return `the code did not finish${got}`;
  for (const fragment of c.expect)
    if (!text.includes(fragment)) return `the answer does not state "${fragment}"${got}`;
  if (c.chart) {
    const citation = (part?.type === "output_text" ? part.annotations : []).find(
      (a) => a.type === "container_file_citation",
    );
    if (citation?.type !== "container_file_citation") return `no container_file_citation for a chart${got}`;
    const content = await lab.openai.containers.files.content.retrieve(citation.file_id, {
      container_id: citation.container_id,
    });
    const svg = Buffer.from(await content.arrayBuffer()).toString("utf8");
    if (!/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/.test(svg) || !/<(?:rect x|polyline)=?/.test(svg))
      return `the cited ${citation.filename} is not a drawn chart`;
  }
  return undefined;
}
