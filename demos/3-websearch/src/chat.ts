/**
 * Demo 3 · chat: a server-side tool needs no client loop. Each turn is one `responses.create`, exactly
 * as in demo 0: the service decides to search, runs the search (a `web_search_call` item in the output)
 * and answers with `url_citation` annotations, which become numbered footnotes (title and URL).
 */
import { agentReference, recordedAgent } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { type Annotation, Footnotes } from "@lab/shared/citations";
import { resumeConversation } from "@lab/shared/conversation";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { WebSearchState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "web-agent");
const { openai, config } = lab;
const state = lab.state<WebSearchState>();

const agent = recordedAgent(lab, state.get().agent);

const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

await chat(lab, {
  args,
  intro: `Ask ${agent.name} v${agent.version} anything the web knows. Conversation ${conversation}.`,
  onTurn: async (turn) => {
    // One call per turn, no tool loop: the search happens inside the service.
    const stream = await openai.responses.create(
      { conversation, input: turn.input, stream: true },
      { body: agentReference(agent), signal: turn.signal },
    );
    const footnotes = new Footnotes(urlFootnote);
    const response = await turn.print(footnotes.watch(stream));
    footnotes.print(response);
    return response;
  },
});

/** `[n] Page title — https://…`; citations of the same URL share a number. */
function urlFootnote(annotation: Annotation) {
  if (annotation.type !== "url_citation") return undefined;
  return { key: annotation.url, text: `${annotation.title} — ${annotation.url}` };
}
