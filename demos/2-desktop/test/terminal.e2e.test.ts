/**
 * `pnpm 2-desktop` in a real terminal (tmux): type a question, see the answer, resize, Ctrl-C, and
 * the terminal is given back with the process ended cleanly.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, repoRoot, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { startWeatherFixture, type WeatherFixture } from "../../1-tools/test/weather-fixture.ts";

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const session = `lab-desktop-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session);

async function until(check: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = screen();
    if (check(text)) return text;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let backend: TestBackend;
let weather: WeatherFixture;
beforeAll(async () => {
  backend = await startBackend();
  weather = await startWeatherFixture();
});
afterAll(async () => {
  try {
    tmux("kill-session", "-t", session);
  } catch {
    // already gone
  }
  await weather?.close();
  await backend?.close();
});

describe.skipIf(live || !hasTmux())("pnpm 2-desktop in a real terminal", () => {
  it("answers a typed question, survives a resize, and Ctrl-C restores the terminal", async () => {
    const env: Record<string, string> = {
      ...(backend.env as Record<string, string>),
      ...weather.env,
      AGENT_NAME: `desktop-tty-${process.pid}`,
      LAB_ROOT_ENV: path.join(backend.dataDir ?? "", "none.env"),
      NO_COLOR: "1",
    };
    const assignments = Object.entries(env).map(([k, v]) => `${k}='${v.replaceAll("'", "'\\''")}'`);
    // CI=true makes Ink print only its final frame; a learner's terminal has no CI variable.
    const command = `env -u CI ${assignments.join(" ")} '${process.execPath}' scripts/lab.mjs 2-desktop; echo "EXITED=$?"; sleep 30`;
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "24", "-c", repoRoot, command);

    await until((s) => s.includes("Enter send · ↑/↓ history"), "the app");
    tmux("send-keys", "-t", session, "-l", "What's the weather in Oslo?");
    tmux("send-keys", "-t", session, "Enter");
    const answered = await until((s) => s.includes("served by lab-offline-mini"), "the answer");
    expect(answered).toContain("Agent › In Oslo, Norway it is 3.7 °C");
    expect(answered).toContain("⚙ get_weather");

    tmux("resize-window", "-t", session, "-x", "70", "-y", "18");
    const resized = await until((s) => {
      const lines = s.trimEnd().split("\n");
      return (
        lines.length <= 18 &&
        lines.at(-1)?.includes("Enter send") === true &&
        lines.every((l) => l.length <= 70) &&
        s.includes("In Oslo, Norway it is 3.7 °C")
      );
    }, "the resized layout");
    expect(resized).toContain("In Oslo, Norway it is 3.7 °C");

    tmux("send-keys", "-t", session, "C-c");
    const after = await until((s) => s.includes("EXITED="), "the process to end");
    expect(after).toContain("EXITED=0");
    expect(after).toContain("Left the app. The conversation conv_");
    // Back on the normal screen: the banner printed before the app is visible again.
    expect(after).toContain("▶ 2-desktop");
  });
});
