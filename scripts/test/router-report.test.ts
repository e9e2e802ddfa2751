/**
 * `pnpm router-report` reads transcripts written by the chat's own Transcript class (the fixture below)
 * and writes the model-router table: demo, question, task type, served model, latency.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Transcript } from "../../shared/src/transcript.ts";
import { runLab, tempDir } from "../../shared/test/support.ts";
import { classify, type TurnRecord } from "../src/router-report.ts";

const served = (model: string, latencyMs: number) => ({
  requested: "model-router",
  served: model,
  latencyMs,
  status: "completed",
});

function writeFixture(dir: string): void {
  const hello = new Transcript(
    dir,
    { demo: "0-hello", backend: "emulator", agent: "hello-agent" },
    new Date("2026-11-02T09:00:00Z"),
  );
  hello.recordTurn("Hello there", "Hi!", served("lab-offline-mini", 400));
  hello.recordTurn("What is my name?", "Ada.", served("lab-offline-mini", 600));
  hello.recordTurn(
    "Explain why agents are versioned -- and | compare them",
    "Because…",
    served("lab-offline-large", 2300),
  );
  const web = new Transcript(
    dir,
    { demo: "3-websearch", backend: "emulator", agent: "web-agent" },
    new Date("2026-11-02T09:05:00Z"),
  );
  web.recordTurn("What is new in Foundry?", "From the corpus…", served("lab-offline-mini", 900));
  const tools = new Transcript(
    dir,
    { demo: "1-tools", backend: "emulator", agent: "weather-agent" },
    new Date("2026-11-02T09:10:00Z"),
  );
  tools.recordTurn("Is it warm in Lisbon today?", "22 °C.", served("lab-offline-mini", 1200));
}

describe("pnpm router-report", () => {
  it("writes one row per logged turn and a summary per task type, into MODEL-ROUTER.md", async () => {
    const dir = tempDir("lab-transcripts-");
    writeFixture(dir);
    const result = await runLab(["router-report", dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = readFileSync(path.join(dir, "MODEL-ROUTER.md"), "utf8");
    expect(result.stdout).toContain(report.trim());
    expect(report).toContain("From 5 turns in 3 transcripts");
    const rows = report.split("\n").filter((l) => l.startsWith("| "));
    expect(rows[0]).toMatch(/^\| demo +\| question +\| task type +\| served model +\| latency +\|$/);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\| 0-hello +\| Hello there +\| greeting +\| lab-offline-mini \(via model-router\) +\| 0\.4 s +\|$/,
        ),
        expect.stringMatching(/^\| 0-hello +\| What is my name\? +\| recall +\| lab-offline-mini/),
        // "--" survives the HTML comment escaping, "|" is escaped in the table.
        expect.stringMatching(
          /^\| 0-hello +\| Explain why agents are versioned -- and \\\| compare them +\| analysis +\| lab-offline-large \(via model-router\) +\| 2\.3 s/,
        ),
        expect.stringMatching(
          /^\| 3-websearch +\| What is new in Foundry\? +\| search\/retrieval +\| lab-offline-mini/,
        ),
        expect.stringMatching(/^\| 1-tools +\| Is it warm in Lisbon today\? +\| tool use +\|/),
        expect.stringMatching(/^\| analysis +\| 1 +\| lab-offline-large ×1 +\| 2\.3 s/),
      ]),
    );
    expect(report).toContain("## How task types are assigned");

    const out = path.join(tempDir("lab-report-"), "observations.md");
    const elsewhere = await runLab(["router-report", "--", dir, "--out", out]);
    expect(elsewhere.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("an empty or missing folder says to chat with --log first (exit 2)", async () => {
    const empty = await runLab(["router-report", tempDir("lab-empty-")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("No logged turns in");
    expect(empty.stderr).toContain("pnpm 0-hello -- --log");
    const missing = await runLab(["router-report", "/nonexistent/transcripts"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("There is no transcripts folder at /nonexistent/transcripts");
  });

  it("classifies by transparent rules: first match wins", () => {
    const turn = (demo: string, question: string): TurnRecord => ({
      demo,
      question,
      turn: 1,
      at: "",
      requested: "model-router",
      model: "m",
      latencyMs: 1,
      status: "completed",
    });
    expect(classify(turn("5-rag", "How many vacation days do I get?"))).toBe("search/retrieval");
    expect(classify(turn("4-code", "Plot sales by region"))).toBe("analysis");
    expect(classify(turn("6-mcp", "Open an issue about the login page"))).toBe("tool use");
    expect(classify(turn("0-hello", "Tell me a joke"))).toBe("chat");
    expect(classify(turn("0-hello", "My name is Ada and I live in Oslo."))).toBe("chat");
    expect(classify(turn("0-hello", "Who am I?"))).toBe("recall");
    expect(
      classify(turn("0-hello", "Hello, can you tell me a long story about dragons and knights please")),
    ).toBe("chat");
  });
});
