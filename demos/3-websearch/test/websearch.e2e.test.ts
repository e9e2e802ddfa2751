/**
 * Demo 3 end to end: `pnpm 3-websearch` and its reset as child processes with piped stdin against a
 * fresh emulator (offline corpus), checked with the SDK. Also the tool switch and the refusal of a
 * project without web search.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, runLab, startBackend, type TestBackend } from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.close();
});

const agentName = () => `web-test-${Math.random().toString(36).slice(2, 8)}`;

function savedState(env: NodeJS.ProcessEnv) {
  const file = path.join(env.LAB_STATE_DIR ?? "", "3-websearch.lab-state.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as {
    projects: Record<string, { agent: { name: string; version: string }; conversations: string[] }>;
  };
  const [section] = Object.values(parsed.projects);
  if (!section) throw new Error("no state saved");
  return section;
}

async function statusOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    const e = err as { status?: number; statusCode?: number };
    return e.status ?? e.statusCode ?? -1;
  }
}

describe("pnpm 3-websearch", () => {
  it("answers with footnoted url citations, with no client tool loop, and reset removes everything", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    const result = await runLab(["3-websearch"], {
      env,
      input: ["Why is the sky blue?", "When was the transistor invented?"],
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created agent ${env.AGENT_NAME} version 1 with the web_search tool.`);
    expect(result.stdout.match(/↳ served by \S+/g)).toHaveLength(2);
    if (!live) {
      expect(result.stdout).toContain("offline corpus");
      // The marker follows the cited span; the footnote gives the title and URL.
      expect(result.stdout).toMatch(/Rayleigh scattering\. \[1\]/);
      expect(result.stdout).toContain(
        "[1] Why the sky is blue (offline lab corpus) — https://offline.lab.invalid/sky-blue",
      );
      expect(result.stdout).toContain(
        "[1] The transistor (offline lab corpus) — https://offline.lab.invalid/transistor",
      );
    }
    const state = savedState(env);
    const agent = await backend.project.agents.get(env.AGENT_NAME);
    expect(agent.versions.latest.definition).toMatchObject({ tools: [{ type: "web_search" }] });
    // The conversation holds the search calls the service made: the client never ran a tool.
    const items = [];
    for await (const item of backend.openai.conversations.items.list(state.conversations[0] ?? ""))
      items.push(item);
    expect(items.filter((i) => i.type === "web_search_call")).toHaveLength(2);
    expect(items.filter((i) => i.type === "function_call")).toHaveLength(0);

    const reset = await runLab(["3-websearch:reset"], { env });
    expect(reset.code).toBe(0);
    expect(await statusOf(backend.project.agents.get(env.AGENT_NAME))).toBe(404);
    expect(await statusOf(backend.openai.conversations.retrieve(state.conversations[0] ?? ""))).toBe(404);
    expect((await runLab(["3-websearch:reset"], { env })).stdout).toContain(
      `agent ${env.AGENT_NAME}: already gone`,
    );
  });

  it("WEB_SEARCH_TOOL switches to web_search_preview; anything else is a usage error (exit 2)", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    const preview = await runLab(["3-websearch"], {
      env: { ...env, WEB_SEARCH_TOOL: "web_search_preview" },
      input: ["Who was Ada Lovelace?"],
    });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("with the web_search_preview tool");
    expect(preview.stdout).toContain("https://offline.lab.invalid/ada-lovelace");
    const bad = await runLab(["3-websearch"], { env: { ...env, WEB_SEARCH_TOOL: "bing" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("WEB_SEARCH_TOOL=bing");
    expect(bad.stderr).toContain("must be web_search or web_search_preview");
    await runLab(["3-websearch:reset"], { env });
  });
});

describe.skipIf(live)("demo 3 where web search is not available", () => {
  it("the service's 400 becomes one sentence saying the tool is not available here (exit 1)", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    process.env.EMULATOR_UNAVAILABLE_TOOLS = "web_search"; // the in-process emulator reads it per request
    try {
      const result = await runLab(["3-websearch"], { env, input: ["What is the capital of France?"] });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /The web search tool is not available for this Foundry project \(its region or a policy/,
      );
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      delete process.env.EMULATOR_UNAVAILABLE_TOOLS;
    }
    await runLab(["3-websearch:reset"], { env });
  });
});
