/**
 * Demo 2 · chat: demo 1's agent, tools and tool loop (imported unchanged) behind a full-screen Ink app.
 * The app (app.ts) is only presentation: the conversation, the agent_reference and the loop are exactly
 * what demo 1's terminal chat uses.
 */
import { weatherTools } from "@lab/1-tools/tools";
import { checkWeatherSetting } from "@lab/1-tools/weather";
import { recordedAgent } from "@lab/shared/agents";
import { resumeConversation } from "@lab/shared/conversation";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { render } from "ink";
import React from "react";
import { Desktop } from "./app.ts";
import { readArgs } from "./args.ts";
import type { DesktopState } from "./state.ts";

// No --trace or --log, and a real terminal: src/args.ts, which the launcher runs before create-agent.
const args = readArgs();
const lab = await connect(import.meta.dirname, "desktop-weather-agent", {
  checkSettings: checkWeatherSetting,
});
const { openai, config } = lab;
const state = lab.state<DesktopState>();

const agent = recordedAgent(lab, state.get().agent);

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
