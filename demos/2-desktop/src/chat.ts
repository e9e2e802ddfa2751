/**
 * Demo 2 · chat: demo 1's agent, tools and tool loop (imported unchanged) behind a full-screen Ink app.
 * The app (app.ts) is only presentation: the conversation, the agent_reference and the loop are exactly
 * what demo 1's terminal chat uses.
 */
import { weatherTools } from "@lab/1-tools/tools";
import { checkWeatherSetting } from "@lab/1-tools/weather";
import { recordedAgent } from "@lab/shared/agents";
import { chatArgs } from "@lab/shared/chat";
import { resumeConversation } from "@lab/shared/conversation";
import { ConfigError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { render } from "ink";
import React from "react";
import { Desktop } from "./app.ts";
import type { DesktopState } from "./state.ts";

const args = chatArgs();
// The app draws tool calls itself and keeps no transcript: --trace and --log belong to demo 1's line chat.
if (args.trace || args.log) {
  throw new ConfigError(
    `Demo 2 has no ${args.trace ? "--trace" : "--log"}; to watch the protocol or keep a transcript of this agent, use \`pnpm 1-tools -- ${args.trace ? "--trace" : "--log"}\`.`,
  );
}
const lab = await connect(import.meta.dirname, "desktop-weather-agent", {
  checkSettings: checkWeatherSetting,
});
const { openai, config } = lab;
const state = lab.state<DesktopState>();

const agent = recordedAgent(lab, state.get().agent);
if (!process.stdin.isTTY || !process.stdout.isTTY) {
  throw new ConfigError(
    "Demo 2 is a full-screen app and needs a terminal; to script a chat, use demo 1 (`pnpm 1-tools`).",
  );
}

const conversation = await resumeConversation(lab, state, args.fresh, () =>
  openai.conversations.create({ metadata: labMetadata(config.demo.id) }),
);

// The alternate screen keeps the app off the scrollback; leaving it restores the terminal as it was.
const leave = () => process.stdout.write("\x1b[?1049l");
process.stdout.write("\x1b[?1049h\x1b[H");
process.once("exit", leave);
const app = render(
  React.createElement(Desktop, {
    openai,
    agent,
    tools: weatherTools(config.env),
    conversation,
    backend: lab.backendLabel,
    deployment: config.model,
    errorContext: lab.errorContext(),
  }),
  { exitOnCtrlC: false, patchConsole: true },
);
await app.waitUntilExit();
leave();
process.removeListener("exit", leave);
console.log(`Left the app. The conversation ${conversation} is kept; \`pnpm 2-desktop\` resumes it.`);
