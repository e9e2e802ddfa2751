/**
 * Demo 5 · chat: grounded answers. The service searches the vector store for each question (a
 * `file_search_call` in the output, no client code involved) and the answer cites the file it used
 * with `file_citation` annotations; each becomes a numbered footnote with the passage and its section.
 */
import { agentReference, ifExists, recordedAgent } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { type Annotation, type CitationContext, citedPassage, Footnotes } from "@lab/shared/citations";
import { resumeConversation } from "@lab/shared/conversation";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { clip } from "@lab/shared/terminal";
import type { RagState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "handbook-agent");
const { openai, config } = lab;
const state = lab.state<RagState>();

const agent = recordedAgent(lab, state.get().agent);
const { knowledge } = state.get();
if (!knowledge) {
  throw new LabError("No handbook has been indexed here yet: run `pnpm 5-rag` (create-agent, then chat).");
}
if (!(await ifExists(() => openai.vectorStores.retrieve(knowledge.vectorStoreId)))) {
  throw new LabError(
    `The vector store ${knowledge.vectorStoreId} this agent searches no longer exists: run \`pnpm 5-rag\` again; create-agent makes a new one.`,
  );
}

const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

await chat(lab, {
  args,
  intro: `Ask ${agent.name} v${agent.version} about ${knowledge.fileName} (vector store ${knowledge.vectorStoreId}). Conversation ${conversation}.`,
  onTurn: async (turn) => {
    // No tool loop: file search runs inside the service. `include` asks for the passages it found,
    // so the footnotes can name the section each citation comes from.
    const stream = await openai.responses.create(
      { conversation, input: turn.input, stream: true, include: ["file_search_call.results"] },
      { body: agentReference(agent), signal: turn.signal },
    );
    const footnotes = new Footnotes(fileFootnote);
    const response = await turn.print(footnotes.watch(stream));
    footnotes.print(response);
    return response;
  },
});

/** `[n] employee-handbook.md · § 2.2 Annual leave — "the cited passage"`. */
function fileFootnote(annotation: Annotation, { text, results }: CitationContext) {
  if (annotation.type !== "file_citation") return undefined;
  const passage = citedPassage(text, annotation.index);
  const section = sectionOf(
    passage,
    results.filter((r) => r.file_id === annotation.file_id),
  );
  return {
    key: `${annotation.file_id}:${passage}`,
    text: `${annotation.filename}${section ? ` · § ${section}` : ""}${passage ? ` — "${clip(passage, 100)}"` : ""}`,
  };
}

/** The heading above the passage in the search result that contains it (Markdown documents). */
function sectionOf(passage: string, results: { text?: string }[]): string | undefined {
  const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const wanted = new Set(words(passage));
  let best: { text: string; overlap: number } | undefined;
  for (const { text = "" } of results) {
    const overlap = words(text).filter((w) => wanted.has(w)).length;
    if (!best || overlap > best.overlap) best = { text, overlap };
  }
  if (!best || best.overlap === 0) return undefined;
  const start = words(passage).slice(0, 4).join("\\W+");
  const at = start ? best.text.search(new RegExp(start, "i")) : -1;
  const headings = [...best.text.slice(0, at < 0 ? undefined : at).matchAll(/^#{1,6}\s+(.+)$/gm)];
  return (headings[headings.length - 1] ?? best.text.match(/^#{1,6}\s+(.+)$/m))?.[1]?.trim();
}
