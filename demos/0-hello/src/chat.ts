/**
 * Demo 0 · chat: talk to the agent through the Responses API inside a server-side conversation.
 * The service keeps the history, so each turn sends only the new user message; `agent_reference`
 * says which agent version answers, and `response.model` says which model model-router picked.
 */
import { agentReference, ifExists } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { HelloState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "hello-agent");
const { openai, config } = lab;
const state = lab.state<HelloState>();

const agent = state.get().agent;
if (!agent || agent.name !== config.agentName) {
  throw new LabError(`No agent "${config.agentName}" has been created here yet: run \`pnpm 0-hello\` (create-agent, then chat).`);
}

// A conversation is a server-side list of items; resume the saved one unless --new asks for a fresh one.
let conversationId = args.fresh ? undefined : state.get().conversation;
if (conversationId) {
  const saved = conversationId;
  // Deleted elsewhere (or the emulator's data was wiped)? Then start a new one.
  if (!(await ifExists(() => openai.conversations.retrieve(saved)))) conversationId = undefined;
}
if (!conversationId) {
  const conversation = await openai.conversations.create({ metadata: labMetadata(config.demo.id) });
  conversationId = conversation.id;
  state.update((s) => ({ ...s, conversation: conversation.id, conversations: [...(s.conversations ?? []), conversation.id] }));
}
const conversation = conversationId;

await chat(lab, {
  args,
  intro: `Chatting with ${agent.name} v${agent.version} in conversation ${conversation} (--new starts another).`,
  onTurn: async (turn) => {
    // Only the new message goes up: the conversation already holds every earlier turn.
    const stream = await openai.responses.create(
      { conversation, input: turn.input, stream: true },
      { body: agentReference(agent), signal: turn.signal },
    );
    return turn.print(stream);
  },
});
