/**
 * The Ink app rendered with ink-testing-library, driving the real SDK against the emulator: typed input,
 * streamed text, a tool entry, the status bar, and a service error shown in the app without ending it.
 */

import { weatherAgentDefinition } from "@lab/1-tools/agent";
import { weatherTools } from "@lab/1-tools/tools";
import { render } from "ink-testing-library";
import React from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { startWeatherFixture, type WeatherFixture } from "../../1-tools/test/weather-fixture.ts";
import { Desktop, type DesktopProps } from "../src/app.ts";

let backend: TestBackend;
let weather: WeatherFixture;
let props: DesktopProps;

beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 10 });
  weather = await startWeatherFixture();
  const tools = weatherTools(weather.env);
  const version = await backend.project.agents.createVersion(
    `desktop-test-${Date.now().toString(36)}`,
    weatherAgentDefinition("model-router", tools),
  );
  const conversation = await backend.openai.conversations.create();
  props = {
    openai: backend.openai,
    agent: { name: version.name, version: version.version },
    tools,
    conversation: conversation.id,
    backend: "emulator (test)",
    deployment: "model-router",
    errorContext: { backend: "emulator", endpoint: backend.endpoint, demo: "2-desktop" },
  };
});
afterAll(async () => {
  await weather?.close();
  await backend?.close();
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe.skipIf(live)("demo 2's app", () => {
  it("streams the answer, shows the tool call and the served model in the status bar", async () => {
    const app = render(React.createElement(Desktop, props));
    try {
      expect(app.lastFrame()).toContain(`Chatting with ${props.agent.name} v1`);
      expect(app.lastFrame()).toContain(`${props.agent.name} v1 · model: model-router · conv_`);
      for (const char of "What's the weather in Oslo?") app.stdin.write(char);
      await tick();
      expect(app.lastFrame()).toContain("You › What's the weather in Oslo?");
      app.stdin.write("\r");
      await until(() => (app.lastFrame() ?? "").includes("served by"), "the answer");
      const frame = app.lastFrame() ?? "";
      expect(frame).toMatch(
        /⚙ get_weather\(\{"city":"Oslo"\}\) \d+ ms\n\s+→ \{"city":"Oslo","country":"Norway","temperature_c":3\.7/,
      );
      expect(frame).toContain("Agent › In Oslo, Norway it is 3.7 °C");
      // The served model, and the deployment that routed to it (a 100-column bar drops the "model:" label).
      expect(frame).toMatch(/^ emulator · .* · lab-offline-mini via model-router · conv_/m);
      // The answer arrived in pieces: some frame showed part of it with the streaming cursor.
      expect(
        app.frames.some(
          (f) => f.includes("Agent › In Oslo") && f.includes("▍") && !f.includes("(source: Open-Meteo)."),
        ),
      ).toBe(true);
      // The tool entry comes before the answer it fed.
      expect(frame.indexOf("⚙ get_weather")).toBeLessThan(frame.indexOf("Agent › In Oslo"));
    } finally {
      app.unmount();
    }
  });

  it("a question and its Enter in one chunk (a paste, tmux, a busy machine) is sent, and so is the next one typed before a render", async () => {
    const app = render(React.createElement(Desktop, props));
    try {
      app.stdin.write("What's the weather in Oslo?\r");
      await until(() => (app.lastFrame() ?? "").includes("served by"), "the first answer");
      // Characters and Enter written back to back, with no render in between.
      for (const char of "And in Paris?") app.stdin.write(char);
      app.stdin.write("\r");
      await until(() => (app.lastFrame() ?? "").split("served by").length > 2, "the second answer");
      expect(app.lastFrame()).toContain('get_weather({"city":"Paris"})');
    } finally {
      app.unmount();
    }
  });

  it("shows a service error as one line and keeps running; ↑ recalls the last question", async () => {
    const app = render(
      React.createElement(Desktop, { ...props, agent: { name: "no-such-agent", version: "1" } }),
    );
    try {
      for (const char of "Hello") app.stdin.write(char);
      await tick();
      app.stdin.write("\r");
      await until(() => (app.lastFrame() ?? "").includes("✖"), "the error line");
      expect(app.lastFrame()).toContain(
        "✖ The agent was not found in this project: run `pnpm 2-desktop` first",
      );
      app.stdin.write("\u001B[A"); // arrow up
      await tick();
      expect(app.lastFrame()).toContain("You › Hello");
    } finally {
      app.unmount();
    }
  });
});
