/**
 * Two runs of one demo at once (two terminals, two learners on one machine): `pnpm 6-mcp` twice shares one
 * pair of MCP servers that outlives the run that started it, so the first run's exit does not break the
 * second's approved calls; `pnpm 0-hello` twice does not silently share a conversation.
 */
import type { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  type RunResult,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(async () => {
  await backend?.close();
});

/** A run that stays at its prompt until `finish()` closes its stdin. */
function openRun(args: string[], env: NodeJS.ProcessEnv, first: string) {
  let child: ReturnType<typeof spawn> | undefined;
  let ready: () => void = () => {};
  const prompted = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let seen = "";
  const done: Promise<RunResult> = runLab(args, {
    env,
    input: [first],
    keepOpen: true,
    timeoutMs: 90_000,
    onStdout(chunk, c) {
      child = c;
      seen += chunk;
      // The answer to the first line is complete when the next prompt's served-by line is printed.
      if (/served by/.test(seen)) ready();
    },
  });
  return {
    prompted,
    say: (line: string) => child?.stdin?.write(`${line}\n`),
    finish: () => {
      child?.stdin?.end();
      return done;
    },
    output: () => seen,
  };
}

describe("two runs of one demo at the same time", () => {
  it("pnpm 6-mcp twice: the first one's exit leaves the shared MCP servers to the second", async () => {
    const env = {
      ...backend.env,
      LAB_ISSUES_MCP_PORT: String(await closedPort()),
      LAB_REPO_MCP_PORT: String(await closedPort()),
      LAB_MCP_DATA_DIR: tempDir("lab-mcp-"),
      // The shared pair stops itself soon after this test instead of after an hour.
      LAB_MCP_IDLE_EXIT_MS: "5000",
    };
    const first = openRun(["6-mcp", "--", "--approve-all"], env, "list the open issues");
    await first.prompted;
    const second = openRun(["6-mcp", "--", "--approve-all"], env, "list the open issues");
    await second.prompted;
    const firstDone = await first.finish();
    expect(firstDone.code, firstDone.stderr).toBe(0);

    // The first run is gone; the second's next approved call still reaches the servers.
    second.say("close issue #2");
    const secondDone = await second.finish();
    expect(secondDone.code, secondDone.stderr).toBe(0);
    const after = secondDone.stdout.slice(secondDone.stdout.lastIndexOf("close issue #2"));
    expect(after).toMatch(/close_issue/);
    expect(after).not.toMatch(/ECONNREFUSED|could not|failed/i);
  });

  it("pnpm 0-hello twice: the second run says the saved conversation is open and starts its own", async () => {
    const env = { ...backend.env, LAB_STATE_DIR: tempDir("lab-state-") };
    const once = await runLab(["0-hello"], { env, input: ["My name is Ada."] });
    expect(once.code, once.stderr).toBe(0);
    const saved = /conversation (conv_\w+)/.exec(once.stdout)?.[1];

    const first = openRun(["0-hello"], env, "hello");
    await first.prompted;
    expect(first.output()).toContain(`conversation ${saved}`);
    const second = await runLab(["0-hello"], { env, input: ["What is my name?"] });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`Conversation ${saved} is open in another run of this demo`);
    expect(second.stdout).not.toContain(`in conversation ${saved}`);
    expect(second.stdout).not.toMatch(/Your name is Ada/);
    await first.finish();

    // Once the first run has ended, the next run resumes its conversation again.
    const later = await runLab(["0-hello"], { env, input: ["/exit"] });
    expect(later.stdout).not.toContain("is open in another run");
  });
});
