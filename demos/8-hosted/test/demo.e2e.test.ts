/**
 * Demo 8 end to end, as a learner and as the platform run it: `pnpm 8-hosted` (server + chat in one
 * process), `pnpm 8-hosted:serve` in the foreground with SIGTERM mid-stream, `pnpm 8-hosted:reset`, and the
 * container's own entry (`node src/server.ts`). The model is the emulator's lab model.
 */
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  live,
  type RunResult,
  run,
  runLab,
  startBackend,
  type TestBackend,
} from "../../../shared/test/support.ts";

const serverEntry = path.resolve(import.meta.dirname, "..", "src", "server.ts");
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend({ streamDelayMs: 20 });
});
afterAll(async () => {
  await backend?.close();
});

/** Starts a long-running lab command; resolves once its stdout printed a URL, with the child and its end. */
function startUntilUrl(
  start: (onStdout: (chunk: string, child: ChildProcess) => void) => Promise<RunResult>,
): Promise<{ url: string; child: ChildProcess; done: Promise<RunResult> }> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let found = false;
    const done = start((chunk, child) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1] && !found) {
        found = true;
        resolve({ url: match[1], child, done });
      }
    });
    done.then((result) => {
      if (!found) reject(new Error(`no URL printed (exit ${result.code}): ${result.stdout}${result.stderr}`));
    }, reject);
  });
}

describe.skipIf(live)("pnpm 8-hosted", () => {
  it("starts the server in the process, chats through it with multi-turn, the tool and redaction; reset", async () => {
    const env = { ...backend.env, AGENT_NAME: "hosted-e2e" };
    const result = await runLab(["8-hosted"], {
      env,
      input: [
        "My name is Ada.",
        "What is my name?",
        "Convert 10 km to miles",
        "Please forward this to ada@example.com today",
        "My email is ada@example.com", // the chat's own hint: the lab model echoes the address back
      ],
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Started the hosted agent on http:\/\/127\.0\.0\.1:\d+ in this process/);
    const afterName = result.stdout.slice(result.stdout.indexOf("You › What is my name?"));
    expect(afterName).toContain("Your name is Ada");
    expect(result.stdout).toContain("— Converted by the agent's own code: 10 km = 6.214 mi.");
    expect(result.stdout).toContain("[e-mail redacted]");
    // No answer shows the address (the echoed "You ›" lines are the learner's own words).
    const answers = result.stdout
      .slice(result.stdout.indexOf("You › "))
      .split("\n")
      .filter((line) => !line.startsWith("You › "));
    expect(answers.filter((line) => line.includes("@"))).toEqual([]);
    expect(result.stdout.slice(result.stdout.indexOf("You › My email is"))).toContain("[e-mail redacted]");
    expect(result.stdout.match(/served by lab-offline-mini via model-router/g)?.length).toBe(5);

    const reset = await runLab(["8-hosted:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("nothing is deleted in the project");
    expect(reset.stdout).toContain("Demo 8 is reset.");
    // The model is handed the conversion (a developer message) and answers with it, not "no knowledge".
    const conversion = result.stdout.slice(
      result.stdout.indexOf("You › Convert"),
      result.stdout.indexOf("— Converted"),
    );
    expect(conversion).toContain("10 km = 6.214 mi");
  });

  it("8-hosted:serve: SIGTERM during a stream lets it complete, then exits 0", async () => {
    const { url, child, done } = await startUntilUrl((onStdout) =>
      runLab(["8-hosted:serve"], { env: { ...backend.env, PORT: "0" }, keepOpen: true, onStdout }),
    );
    const client = new OpenAI({ baseURL: url, apiKey: "local", maxRetries: 0 });
    const stream = client.responses.stream({
      input: "Please explain in detail what happens to a hosted agent when the platform stops a replica",
    });
    let signalled = false;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta" && !signalled) {
        signalled = true;
        child.kill("SIGTERM");
      }
    }
    const final = await stream.finalResponse();
    expect(signalled).toBe(true);
    expect(final.status).toBe("completed");
    expect(final.output_text).toContain("lab-offline-large");
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("SIGTERM: finishing in-flight turns");
    noStack(result.stderr);
  });

  it("8-hosted:serve: past SHUTDOWN_GRACE_SECONDS a running stream is cancelled with a proper last event", async () => {
    const env = { ...backend.env, PORT: "0", SHUTDOWN_GRACE_SECONDS: "0" };
    const { url, child, done } = await startUntilUrl((onStdout) =>
      runLab(["8-hosted:serve"], { env, keepOpen: true, onStdout }),
    );
    const client = new OpenAI({ baseURL: url, apiKey: "local", maxRetries: 0 });
    const stream = await client.responses.create({
      input:
        "Please explain in detail why a replica that is being stopped cannot wait forever for its answers",
      stream: true,
    });
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    let signalled = false;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta" && !signalled) {
        signalled = true;
        child.kill("SIGTERM");
      }
      last = event;
    }
    expect(last?.type).toBe("response.incomplete");
    expect(last && "response" in last ? last.response.status : "").toBe("cancelled");
    expect((await done).code).toBe(0);
  });

  it("8-hosted:reset stops a server that 8-hosted:serve left running, also after chats in between", async () => {
    const env = { ...backend.env, PORT: "0" };
    const { url, done } = await startUntilUrl((onStdout) =>
      runLab(["8-hosted:serve"], { env, keepOpen: true, onStdout }),
    );
    expect((await fetch(`${url}/readiness`)).status).toBe(200);
    // A chat with its own server, and one with the served agent, leave the served one's record alone.
    const own = await runLab(["8-hosted"], { env, input: ["hello"] });
    expect(own.stdout).not.toContain(`Chatting with the hosted agent at ${url}.`);
    const served = await runLab(["8-hosted"], { env: { ...env, HOSTED_AGENT_URL: url }, input: ["hello"] });
    expect(served.stdout).toContain(`Chatting with the hosted agent at ${url}.`);
    expect([own.code, served.code]).toEqual([0, 0]);
    const reset = await runLab(["8-hosted:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(new RegExp(`hosted agent server ${url} \\(pid \\d+\\): stopped`));
    expect((await done).code).toBe(0);
    const again = await runLab(["8-hosted:reset"], { env });
    expect(again.stdout).not.toContain("hosted agent server");
  });

  it("reset deletes a hosted agent version recorded for the demo", async () => {
    const name = `hosted-reset-${Date.now()}`;
    const version = await backend.project.agents.createVersion(name, {
      kind: "hosted",
      cpu: "0.5",
      memory: "1Gi",
      container_configuration: { image: "example.azurecr.io/lab-hosted-agent:1" },
      protocol_versions: [{ protocol: "responses", version: "1.0.0" }],
    });
    const env = { ...backend.env };
    // What a deployment step would record: the project's section of the demo's state file.
    writeFileSync(
      path.join(env.LAB_STATE_DIR ?? "", "8-hosted.lab-state.json"),
      JSON.stringify({
        version: 1,
        projects: { [`emulator:${backend.endpoint}`]: { hostedAgent: { name, version: version.version } } },
      }),
    );
    const reset = await runLab(["8-hosted:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`hosted agent ${name} version ${version.version}: deleted`);
    await expect(backend.project.agents.getVersion(name, version.version)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("bad settings and an unreachable agent: one sentence, the right exit code", async () => {
    const badPort = await runLab(["8-hosted:serve"], { env: { ...backend.env, PORT: "eighty" } });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('PORT is "eighty"; use a port number such as 8088.');
    noStack(badPort.stderr);

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    try {
      const inUse = await runLab(["8-hosted:serve"], { env: { ...backend.env, PORT: port } });
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // Nothing listens there any more: the chat says which agent it could not reach.
    const gone = await runLab(["8-hosted"], {
      env: { ...backend.env, HOSTED_AGENT_URL: `http://127.0.0.1:${port}/closed` },
      input: ["hello"],
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      /Could not reach the hosted agent at http:\/\/127\.0\.0\.1:\d+\/closed: is it still running\?/,
    );
    noStack(gone.stderr);

    for (const bad of ["localhost:8088", "8088"]) {
      const notUrl = await runLab(["8-hosted"], {
        env: { ...backend.env, HOSTED_AGENT_URL: bad },
        input: ["hi"],
      });
      expect(notUrl.code).toBe(2);
      expect(notUrl.stderr.trim()).toBe(
        `✖ HOSTED_AGENT_URL is "${bad}"; set it to the hosted agent's http(s) address, such as http://127.0.0.1:8088.`,
      );
    }
  });
});

describe.skipIf(live)("the container entry: node src/server.ts", () => {
  it("without FOUNDRY_PROJECT_ENDPOINT: exit 2 and what to do", async () => {
    const result = await run(serverEntry, [], { env: { PORT: "0" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("FOUNDRY_PROJECT_ENDPOINT is not set");
  });

  it("serves /readiness and /liveness on PORT and HOST, and exits 0 on SIGTERM", async () => {
    const env = {
      FOUNDRY_PROJECT_ENDPOINT: "https://example.services.ai.azure.com/api/projects/lab",
      PORT: "0",
      HOST: "0.0.0.0",
    };
    const { url, child, done } = await startUntilUrl((onStdout) =>
      run(serverEntry, [], { env, keepOpen: true, onStdout }),
    );
    const ready = await fetch(`${url}/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "healthy" });
    expect((await fetch(`${url}/liveness`)).status).toBe(200);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("model deployment gpt-4.1-mini");
  });
});
