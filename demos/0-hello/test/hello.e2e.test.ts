/**
 * Demo 0 end to end, as a learner runs it: `pnpm 0-hello` and `pnpm 0-hello:reset` as child processes
 * with piped stdin, against a fresh emulator (or, under `pnpm test:live`, the configured project).
 */
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, runLab, startBackend, type TestBackend, tempDir } from "../../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 5 });
});
afterAll(async () => {
  await backend?.close();
});

const agentName = () => `hello-test-${Math.random().toString(36).slice(2, 8)}`;

async function statusOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    const e = err as { status?: number; statusCode?: number };
    return e.status ?? e.statusCode ?? -1;
  }
}

function savedState(env: NodeJS.ProcessEnv) {
  const file = path.join(env.LAB_STATE_DIR ?? "", "0-hello.lab-state.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as {
    projects: Record<
      string,
      { agent: { name: string; version: string }; conversation: string; conversations: string[] }
    >;
  };
  const [section] = Object.values(parsed.projects);
  if (!section) throw new Error("no state saved");
  return section;
}

describe("pnpm 0-hello", () => {
  it("creates the agent, holds a two-turn conversation, resumes it, and reset removes everything", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    const first = await runLab(["0-hello"], { env, input: ["My name is Ada.", "What is my name?"] });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = first.stdout.split("\n");
    expect(lines[0]).toMatch(
      live ? /backend: Azure AI Foundry https:/ : /backend: emulator \(external\) https:\/\/127\.0\.0\.1/,
    );
    expect(first.stdout).toContain(`Created agent ${env.AGENT_NAME} version 1`);
    expect(first.stdout.match(/↳ served by \S+/g)).toHaveLength(2);
    if (!live) {
      expect(first.stdout).toMatch(/served by lab-offline-(mini|large) via model-router/);
      // The second answer depends on the first turn: the service kept the conversation.
      const secondAnswer = first.stdout.slice(first.stdout.lastIndexOf("What is my name?"));
      expect(secondAnswer).toContain("Ada");
    }

    const state = savedState(env);
    expect(state.agent).toEqual({ name: env.AGENT_NAME, version: "1" });
    const items = [];
    for await (const item of backend.openai.conversations.items.list(state.conversation, { order: "asc" }))
      items.push(item);
    const userTexts = items
      .filter((i) => i.type === "message" && i.role === "user")
      .map((i) => JSON.stringify(i.type === "message" ? i.content : ""));
    // Each turn sent only its own message: two user messages, each once, plus two answers.
    expect(userTexts).toHaveLength(2);
    expect(userTexts[0]).toContain("My name is Ada.");
    expect(items.filter((i) => i.type === "message" && i.role === "assistant")).toHaveLength(2);

    const again = await runLab(["0-hello"], { env, input: ["What did I say first?"] });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Agent ${env.AGENT_NAME} version 1 is unchanged; reusing it.`);
    expect(again.stdout).toContain(state.conversation);
    if (!live) expect(again.stdout).toContain("My name is Ada.");

    const reset = await runLab(["0-hello:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`conversation ${state.conversation}: deleted`);
    expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted with all its versions`);
    expect(await statusOf(backend.project.agents.get(env.AGENT_NAME))).toBe(404);
    expect(await statusOf(backend.openai.conversations.retrieve(state.conversation))).toBe(404);

    const twice = await runLab(["0-hello:reset"], { env });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain(`agent ${env.AGENT_NAME}: already gone`);
  });

  it("--new starts a fresh conversation, --log writes a transcript with the served model, --trace shows the events", async () => {
    const transcripts = tempDir("lab-transcripts-");
    const env = { ...backend.env, AGENT_NAME: agentName(), LAB_TRANSCRIPTS_DIR: transcripts };
    const first = await runLab(["0-hello", "--", "--log", "--trace"], { env, input: ["Hello there"] });
    expect(first.code).toBe(0);
    // The first trace line starts below `Agent ›`, not after it.
    expect(first.stdout).toContain("Agent › \n  · response.created\n");
    for (const event of [
      "response.created",
      "response.output_item.added  message",
      "response.output_text.delta",
      "response.completed",
    ]) {
      expect(first.stdout).toContain(event);
    }
    const [file] = readdirSync(transcripts);
    expect(file).toMatch(/^0-hello-.*\.md$/);
    const markdown = readFileSync(path.join(transcripts, file ?? ""), "utf8");
    expect(markdown).toContain("**You:** Hello there");
    expect(markdown).toMatch(/served by `[^`]+` via `model-router`/);
    expect(markdown).toMatch(/<!-- lab-turn \{.*"question":"Hello there".*\} -->/);

    const before = savedState(env).conversation;
    const fresh = await runLab(["0-hello", "--", "--new"], { env, input: ["Hi again"] });
    expect(fresh.code).toBe(0);
    const after = savedState(env);
    expect(after.conversation).not.toBe(before);
    expect(after.conversations).toEqual([before, after.conversation]);
    await runLab(["0-hello:reset"], { env });
  });

  it.skipIf(live)("Ctrl-C during an answer cancels that turn only; nothing from it is kept", async () => {
    const slow = await startBackend({ streamDelayMs: 60 });
    try {
      const env = { ...slow.env, AGENT_NAME: agentName() };
      let sent = false;
      let seen = "";
      const result = await runLab(["0-hello"], {
        env,
        input: [
          "Please explain in detail why agents are versioned and how conversations keep their history",
          "My name is Grace.",
        ],
        onStdout: (chunk, child) => {
          seen += chunk;
          // Interrupt once the answer has started streaming (a few words in).
          if (!sent && /Agent › \S+ \S+ \S+/.test(seen)) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      });
      expect(sent).toBe(true);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("cancelled; nothing from this answer was kept");
      expect(result.stdout).toMatch(/Noted|Grace/);
      const state = savedState(env);
      const items = [];
      for await (const item of slow.openai.conversations.items.list(state.conversation)) items.push(item);
      expect(JSON.stringify(items)).not.toContain("versioned");
      expect(JSON.stringify(items)).toContain("Grace");
    } finally {
      await slow.close();
    }
  });

  it.skipIf(live)(
    "runs on the embedded emulator when no endpoint is set, and state survives between processes",
    async () => {
      const env = {
        LAB_STATE_DIR: tempDir("lab-state-"),
        EMULATOR_DATA_DIR: tempDir("lab-emulator-"),
        AGENT_NAME: agentName(),
      };
      const first = await runLab(["0-hello"], { env, input: ["My favourite colour is teal."] });
      expect(first.code).toBe(0);
      expect(first.stdout.split("\n")[0]).toMatch(
        /backend: emulator \(embedded\) https:\/\/127\.0\.0\.1:\d+\/api\/projects\/lab/,
      );
      const second = await runLab(["0-hello"], { env, input: ["What is my favourite colour?"] });
      expect(second.stdout).toContain("teal");
      const reset = await runLab(["0-hello:reset"], { env });
      expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted`);
    },
  );
});

describe.skipIf(live)("demo 0 with bad configuration or a failing service", () => {
  it("LAB_BACKEND=azure without an endpoint: exit 2 and the sentence", async () => {
    const result = await runLab(["0-hello"], { env: { LAB_BACKEND: "azure" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /LAB_BACKEND=azure needs FOUNDRY_PROJECT_ENDPOINT: add it to .*\.env \(example: FOUNDRY_PROJECT_ENDPOINT=https:\/\/my-foundry/,
    );
    expect(result.stdout).toBe("");
  });

  it("/help is answered by the chat, not sent; 'exit' without the slash leaves", async () => {
    const result = await runLab(["0-hello"], {
      env: { ...backend.env, AGENT_NAME: agentName() },
      input: ["/help", "Hello!", "exit", "What did I say before?"],
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "/help is not a command here: /exit or Ctrl-D leaves, Ctrl-C cancels an answer; anything else goes to the agent.",
    );
    // One answer: "Hello!" went to the agent, nothing after "exit" did.
    expect(result.stdout.match(/served by/g)?.length).toBe(1);
    expect(result.stdout).not.toContain("What did I say before?");
  });

  it("a flag the chat does not know: two sentences, the second listing the flags (exit 2)", async () => {
    const result = await runLab(["0-hello", "--", "--bogus"], {
      env: { ...backend.env, AGENT_NAME: agentName() },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'. Chat takes --log (write a transcript)");
  });

  it("a malformed endpoint: exit 2 naming the variable, before any network call", async () => {
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as net.AddressInfo).port;
    try {
      const result = await runLab(["0-hello"], {
        env: { PROJECT_ENDPOINT: `https://127.0.0.1:${port}/openai/v1` },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /PROJECT_ENDPOINT \(from the environment\) must end with \/api\/projects\/<project>/,
      );
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });

  const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

  it("403 names the Foundry User (formerly Azure AI User) role; 401 says to log in again", async () => {
    const denied = await runLab(["0-hello"], { env: { ...backend.env, LAB_EMULATOR_TOKEN: "lab-denied" } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("Foundry User (formerly Azure AI User)");
    expect(denied.stderr).toContain("new terminal");
    noStack(denied.stderr);
    const expired = await runLab(["0-hello"], { env: { ...backend.env, LAB_EMULATOR_TOKEN: "lab-expired" } });
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain("az login");
    noStack(expired.stderr);
  });

  it("a deployment that does not exist names MODEL_DEPLOYMENT (exit 2)", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName(), MODEL_DEPLOYMENT: "gpt-nonexistent" };
    const result = await runLab(["0-hello"], { env, input: ["hello"] });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The model deployment "gpt-nonexistent" does not exist');
    // The sentence (on stderr) starts on a line of its own, not after `Agent ›`.
    expect(result.stdout).toMatch(/Agent › \n$/);
    expect(result.stderr).toContain("MODEL_DEPLOYMENT");
    noStack(result.stderr);
    await runLab(["0-hello:reset"], { env });
  });

  it("429 after retries says to raise TPM; a stream cut mid-answer says the connection was lost", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName() };
    expect((await runLab(["0-hello"], { env, input: [] })).code).toBe(0);
    const throttled = await runLab(["0-hello"], {
      env: { ...env, LAB_EMULATOR_TOKEN: "lab-throttled" },
      input: ["hi"],
    });
    expect(throttled.code).toBe(1);
    expect(throttled.stderr).toContain("tokens-per-minute (TPM)");
    noStack(throttled.stderr);
    const dropped = await runLab(["0-hello"], {
      env: { ...env, LAB_EMULATOR_TOKEN: "lab-drop-stream" },
      input: ["Tell me about the lab and its demos please"],
    });
    expect(dropped.code).toBe(1);
    expect(dropped.stderr).toMatch(/connection to 127\.0\.0\.1:\d+ was lost|Could not reach/);
    noStack(dropped.stderr);
    // The saved state survived the failures.
    expect(savedState(env).agent.name).toBe(env.AGENT_NAME);
    await runLab(["0-hello:reset"], { env });
  });
});
