/**
 * Demo 4 · chat (terminal): the agent's Python runs server-side, in a sandboxed container, as part of
 * the response. The stream carries the code as it is written, the call item brings its logs (asked for
 * with `include`), and the files the code wrote come back as citations that this chat downloads into
 * demos/4-code/output/. `pnpm 4-code:web` talks to the same agent from a web page.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { agentReference, recordedAgent } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { resumeConversation } from "@lab/shared/conversation";
import { describeError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { dim, notice } from "@lab/shared/terminal";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { download, generatedFiles, safeFilename } from "./generated-files.ts";
import type { CodeState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "code-agent");
const { openai, config } = lab;
const state = lab.state<CodeState>();
const outputDir = path.resolve(config.demo.dir, config.env.DEMO4_OUTPUT_DIR?.trim() || "output");

const agent = recordedAgent(lab, state.get().agent);

const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

await chat(lab, {
  args,
  intro:
    `Ask ${agent.name} v${agent.version} about sales.csv, e.g. "bar chart of revenue by region" or "summarize the data". ` +
    `Charts are saved to ${path.relative(process.cwd(), outputDir) || "."}; \`pnpm 4-code:web\` opens the same agent in a browser. Conversation ${conversation}.`,
  onTurn: async (turn) => {
    // `include` asks for the code's printed output: without it the call item carries the code only.
    const stream = await openai.responses.create(
      { conversation, input: turn.input, stream: true, include: ["code_interpreter_call.outputs"] },
      { body: agentReference(agent), signal: turn.signal },
    );
    const response = await turn.print(showCode(stream, turn.line));
    for (const file of generatedFiles(response)) {
      try {
        const saved = uniquePath(path.join(outputDir, safeFilename(file.filename)));
        mkdirSync(outputDir, { recursive: true });
        writeFileSync(saved, await download(openai, file));
        turn.line(dim(`  ↳ saved ${path.relative(process.cwd(), saved)}`));
      } catch (err) {
        // A generated file that cannot be downloaded is reported; the answer itself stays.
        notice(`${file.filename} could not be downloaded: ${describeError(err, lab.errorContext()).message}`);
      }
    }
    return response;
  },
});

/** Passes the stream on, printing the code the agent runs and what it printed as they arrive. */
async function* showCode(
  stream: AsyncIterable<ResponseStreamEvent>,
  line: (text: string) => void,
): AsyncIterable<ResponseStreamEvent> {
  for await (const event of stream) {
    if (event.type === "response.code_interpreter_call_code.done") line(dim(indent(event.code, "  │ ")));
    if (event.type === "response.output_item.done" && event.item.type === "code_interpreter_call") {
      const logs = (event.item.outputs ?? []).map((o) => (o.type === "logs" ? o.logs : `[image] ${o.url}`));
      const title =
        event.item.status === "failed" ? "  ✗ the code did not finish; its output:" : "  ▸ output:";
      // A blank line after the output sets the answer apart from it.
      line(`${dim(title)}\n${dim(indent(logs.join("").trimEnd() || "(nothing printed)", "  │ "))}\n`);
    }
    yield event;
  }
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/** chart.svg, then chart-2.svg, …: earlier answers' files are kept. */
function uniquePath(file: string): string {
  const { dir, name, ext } = path.parse(file);
  let candidate = file;
  for (let n = 2; existsSync(candidate); n++) candidate = path.join(dir, `${name}-${n}${ext}`);
  return candidate;
}
