/**
 * Demo 1 · chat: demo 0's conversation, plus the tool-calling loop. When the model wants weather it
 * answers with `function_call` items; tool-loop.ts runs them here and sends the results back.
 */
import { recordedAgent } from "@lab/shared/agents";
import { chat, chatArgs } from "@lab/shared/chat";
import { resumeConversation } from "@lab/shared/conversation";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { formatToolCall } from "@lab/shared/terminal";
import { DEFAULT_AGENT_NAME } from "./agent.ts";
import type { ToolsState } from "./state.ts";
import { runToolLoop } from "./tool-loop.ts";
import { weatherTools } from "./tools.ts";
import { checkWeatherSetting } from "./weather.ts";

const args = chatArgs();
const lab = await connect(import.meta.dirname, DEFAULT_AGENT_NAME, { checkSettings: checkWeatherSetting });
const { openai, config } = lab;
const state = lab.state<ToolsState>();
const tools = weatherTools(config.env);

const agent = recordedAgent(lab, state.get().agent);

const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

await chat(lab, {
  args,
  intro: `Chatting with ${agent.name} v${agent.version} (tools: ${Object.keys(tools).join(", ")}). Try: What's the weather in Oslo?`,
  onTurn: (turn) =>
    runToolLoop({
      openai,
      agent,
      tools,
      input: turn.input,
      conversation,
      signal: turn.signal,
      print: turn.print,
      // Shown on its own line as each local call finishes.
      onToolCall: (call) => turn.line(formatToolCall(call)),
    }),
});
