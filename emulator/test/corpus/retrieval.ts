/**
 * The retrieval corpus (issue 11): questions over documents written for it (retrieval.files/), asked
 * through the real SDKs as a user would: upload into a vector store with `uploadAndPoll`, a prompt agent
 * with the `file_search` tool, `responses.create` with `agent_reference`. A case passes when the answer
 * quotes the expected words and cites the expected file right after them, or, for a question the
 * documents do not cover, says so and quotes and cites nothing.
 *
 * With `data`, the agent also has a code interpreter holding the data-questions corpus's CSV files
 * (inventory per warehouse, sensor readings, tickets: the documents' own subjects): every question must
 * still be answered by file search, with no code run.
 */
import type { CodeInterpreterTool, FileSearchTool } from "@azure/ai-projects";
import { promptAgent, startLab } from "../support.ts";
import { indexFiles, readCorpusCases, uploadFiles } from "./corpus-files.ts";

interface Case {
  question: string;
  expect?: string[];
  cite?: string;
  uncovered?: boolean;
  /** Why a holdout case still misses: it is left out of the score. */
  known_miss?: string;
}

/** `corpus` names the cases (`<corpus>.json`) and their documents (`<corpus>.files/`). */
export async function runCorpus({ data = false, corpus = "retrieval", knownMisses = false } = {}) {
  const cases = readCorpusCases<Case>(corpus, knownMisses);
  const lab = await startLab();
  const failures: string[] = [];
  try {
    const tools: (FileSearchTool | CodeInterpreterTool)[] = [
      { type: "file_search", vector_store_ids: [await indexFiles(lab, corpus, "retrieval-corpus")] },
    ];
    if (data) {
      const fileIds = await uploadFiles(lab, "data-questions");
      tools.push({ type: "code_interpreter", container: { type: "auto", file_ids: fileIds } });
    }
    await lab.project.agents.createVersion("retrieval-corpus", { ...promptAgent(), tools });
    for (const c of cases) {
      const response = await lab.openai.responses.create(
        { input: c.question },
        { body: { agent_reference: { type: "agent_reference", name: "retrieval-corpus" } } },
      );
      const message = response.output.find((item) => item.type === "message");
      const part = message?.type === "message" ? message.content[0] : undefined;
      const text = part?.type === "output_text" ? part.text : "";
      const citations = (part?.type === "output_text" ? part.annotations : []).flatMap((a) =>
        a.type === "file_citation" ? [a] : [],
      );
      const ran = response.output.some((item) => item.type === "code_interpreter_call");
      const problem = ran
        ? "ran code for a question the documents answer"
        : c.uncovered
          ? !/do not cover/.test(text)
            ? "does not say the documents do not cover it"
            : citations.length > 0 || /\n- /.test(text)
              ? "quotes or cites passages anyway"
              : undefined
          : checkCovered(c, text, citations);
      if (problem)
        failures.push(`${c.question}: ${problem}\n    got: ${text.replace(/\s+/g, " ").slice(0, 300)}`);
    }
  } finally {
    await lab.close();
  }
  return [{ skill: corpus, passed: cases.length - failures.length, total: cases.length, failures }];
}

function checkCovered(
  c: Case,
  text: string,
  citations: { filename: string; index: number }[],
): string | undefined {
  for (const fragment of c.expect ?? []) {
    const at = text.indexOf(fragment);
    if (at < 0) return `does not quote "${fragment}"`;
    // The citation that follows the fragment (the end of its bullet) must name the expected file.
    const next = citations
      .filter((a) => a.index >= at + fragment.length)
      .sort((a, b) => a.index - b.index)[0];
    if (next === undefined) return `no file_citation after "${fragment}"`;
    if (c.cite && next.filename !== c.cite) return `cites ${next.filename}, not ${c.cite}`;
  }
  return undefined;
}
