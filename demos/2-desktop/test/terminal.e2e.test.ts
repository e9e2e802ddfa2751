/**
 * `pnpm 2-desktop -- --otel` in a real terminal (tmux): type a question, see the answer, resize, Ctrl-C,
 * and the terminal is given back with the process ended cleanly; the question was one turn span holding
 * the loop's spans, read back from the emulator's trace store.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StoredSpan, TraceStore } from "../../../emulator/src/stores/traces.ts";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../../shared/test/tmux.ts";
import { startWeatherFixture, type WeatherFixture } from "../../1-tools/test/weather-fixture.ts";

let backend: TestBackend;
let weather: WeatherFixture;
let terminal: TerminalSession | undefined;
beforeAll(async () => {
  backend = await startBackend();
  weather = await startWeatherFixture();
});
afterAll(async () => {
  terminal?.close();
  await weather?.close();
  await backend?.close();
});

describe.skipIf(live || !hasTmux())("pnpm 2-desktop in a real terminal", () => {
  it("answers a typed question, survives a resize, Ctrl-C restores the terminal; the turn is one span", async () => {
    terminal = new TerminalSession(
      `lab-desktop-${process.pid}`,
      ["2-desktop", "--", "--otel"],
      {
        ...(backend.env as Record<string, string>),
        ...weather.env,
        AGENT_NAME: `desktop-tty-${process.pid}`,
        LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
        NO_COLOR: "1",
      },
      { columns: 100, rows: 24 },
    );
    await terminal.until((s) => s.includes("Enter send · ↑/↓ history"), "the app");
    terminal.type("What's the weather in Oslo?");
    terminal.key("Enter");
    const answered = await terminal.until(
      (s) => s.includes("served by lab-offline-mini"),
      "the answer",
      90_000,
    );
    expect(answered).toContain("Agent › In Oslo, Norway it is 3.7 °C");
    expect(answered).toContain("⚙ get_weather");

    terminal.resize(70, 18);
    const resized = await terminal.until((s) => {
      const lines = s.trimEnd().split("\n");
      return (
        lines.length <= 18 &&
        lines.at(-1)?.includes("Enter send") === true &&
        lines.every((l) => l.length <= 70) &&
        s.includes("In Oslo, Norway it is 3.7 °C")
      );
    }, "the resized layout");
    expect(resized).toContain("In Oslo, Norway it is 3.7 °C");

    terminal.key("C-c");
    const after = await terminal.until((s) => s.includes("EXITED="), "the process to end");
    expect(after).toContain("EXITED=0");
    expect(after).toContain("Left the app. The conversation conv_");
    // Back on the normal screen: the banner printed before the app is visible again.
    expect(after).toContain("▶ 2-desktop");
    expect(after).toContain("tracing: on → the emulator");

    // The spans are exported as the process ends; the chat's run is the newest of this service.
    const store = new TraceStore(backend.dataDir ?? "");
    try {
      let spans: StoredSpan[] = [];
      const hasTurn = () => spans.some((s) => s.name === "turn 2-desktop");
      for (let tries = 0; tries < 100 && !hasTurn(); tries++) {
        const run = store.runs(100).find((r) => r.service === "2-desktop");
        spans = run === undefined ? [] : store.spansOfRun(run.runId);
        if (!hasTurn()) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const turns = spans.filter((s) => s.name === "turn 2-desktop");
      expect(turns).toHaveLength(1);
      const turn = turns[0];
      expect(turn?.parentSpanId).toBeNull();
      expect(turn?.attributes["gen_ai.agent.name"]).toBe(`desktop-tty-${process.pid}`);
      // The tool call is no root of its own any more: it sits in the turn's trace, under the turn,
      // between the two agent calls of the loop.
      const children = spans
        .filter((s) => s.parentSpanId === turn?.spanId)
        .sort((a, b) => a.startMs - b.startMs)
        .map((s) => s.name);
      expect(children).toEqual([
        `invoke_agent desktop-tty-${process.pid}`,
        "execute_tool get_weather",
        `invoke_agent desktop-tty-${process.pid}`,
      ]);
      const roots = spans.filter((s) => s.parentSpanId === null).map((s) => s.name);
      expect(roots.filter((name) => /^(execute_tool|invoke_agent) /.test(name))).toEqual([]);
    } finally {
      store.close();
    }
  });

  it("keeps the backend, the agent version, the model and the conversation in the status bar at 80 columns", async () => {
    const at80 = new TerminalSession(
      `lab-desktop80-${process.pid}`,
      ["2-desktop"],
      {
        ...(backend.env as Record<string, string>),
        ...weather.env,
        AGENT_NAME: `desktop-80-${process.pid}`,
        LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
        NO_COLOR: "1",
      },
      { columns: 80, rows: 24 },
    );
    try {
      const barOf = (screen: string) => {
        const lines = screen.split("\n");
        return lines[lines.findIndex((l) => l.includes("Enter send")) - 1] ?? "";
      };
      const screen = await at80.until((s) => s.includes("Enter send · ↑/↓ history"), "the app");
      const intro = /conversation (conv_\w+)/.exec(screen)?.[1] ?? "";
      const id = new RegExp(`${intro.slice(0, 13)}…${intro.slice(-6)}|${intro}`);
      const bar = barOf(screen);
      expect(bar.length).toBeLessThanOrEqual(80);
      expect(bar).toMatch(/^ emulator\b/); // first, as the README lists it
      expect(bar).toContain(`desktop-80-${process.pid} v1`);
      expect(bar).toContain("model: model-router");
      expect(bar).toMatch(id);
      // After an answer the bar names the model that served it, which is longer: the backend stays.
      at80.type("What's the weather in Oslo?");
      at80.key("Enter");
      const answered = await at80.until(
        (s) => s.includes("served by lab-offline-mini"),
        "the answer",
        90_000,
      );
      const after = barOf(answered);
      expect(after.length).toBeLessThanOrEqual(80);
      expect(after).toMatch(/^ emulator\b/);
      expect(after).toContain(`desktop-80-${process.pid} v1`);
      expect(after).toContain("lab-offline-mini");
      expect(after).toMatch(id);
      at80.key("C-c");
      await at80.until((s) => s.includes("EXITED="), "the process to end");
    } finally {
      at80.close();
    }
  });
});
