/**
 * Demo 0 · chat: talk to the agent through the Responses API inside a server-side conversation.
 * The service keeps the history, so each turn sends only the new user message; `agent_reference`
 * says which agent version answers, and `response.model` says which model model-router picked.
 */
import { agentReference, recordedAgent } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { resumeConversation } from "@lab/shared/conversation";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { HelloState } from "./state.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, "hello-agent");
const { openai, config } = lab;
const state = lab.state<HelloState>();

const agent = recordedAgent(lab, state.get().agent);

// A conversation is a server-side list of items; the chat resumes the saved one unless --new.
const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

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
