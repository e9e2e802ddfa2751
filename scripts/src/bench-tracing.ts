/**
 * `pnpm bench`, tracing: what `--otel` costs. The same streamed turn three ways in one process: the
 * plain SDK call (baseline), the chat's turn with tracing off (the lab's span wrappers over the API's
 * no-op tracer), and tracing on with spans exported to the emulator's OTLP receiver. Then the modules a
 * demo loads with tracing off and on, counted by a resolve hook in child processes.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { startEmulator } from "@lab/emulator/server";
import { agentReference } from "@lab/shared/agents";
import { repoRoot } from "@lab/shared/config";
import { recordResponse, tracedTurns } from "@lab/shared/spans";
import {
  connectTracing,
  flushTracing,
  sdkTracingOptions,
  startTracing,
  stopTracing,
} from "@lab/shared/tracing";
import type { Response } from "openai/resources/responses/responses";
import { measured, ratioTable, sample } from "./bench-kit.ts";
import { markdownTable } from "./table.ts";

const TURNS = Number(process.env.BENCH_TRACING_TURNS ?? 150);

export async function benchTracing(work: string): Promise<void> {
  const emulator = await startEmulator({ dataDir: path.join(work, "emulator"), streamDelayMs: 0 });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  const credential = {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  };

  const turnWith = async (project: AIProjectClient, wrapped: boolean) => {
    const openai = project.getOpenAIClient();
    const agent = await project.agents.createVersion("bench-traced", {
      kind: "prompt",
      model: "model-router",
    });
    const body = agentReference({ name: agent.name, version: agent.version });
    const once = async (turn: { input: string }): Promise<Response> => {
      const stream = await openai.responses.create({ input: turn.input, stream: true }, { body });
      for await (const event of stream) {
        if (event.type === "response.completed") {
          recordResponse(event.response);
          return event.response;
        }
      }
      throw new Error("the stream ended without response.completed");
    };
    const run = wrapped ? tracedTurns("bench", once) : once;
    return async () => {
      const t = performance.now();
      await run({ input: "hello" });
      return performance.now() - t;
    };
  };

  // Plain and tracing-off turns alternate, so neither series gains from running later (JIT, pools).
  const plainTurn = await turnWith(new AIProjectClient(emulator.endpoint, credential), false);
  const offTurn = await turnWith(new AIProjectClient(emulator.endpoint, credential), true);
  const offSamples: number[] = [];
  const plainSamples = await sample(TURNS, async () => {
    offSamples.push(await offTurn());
    return plainTurn();
  });
  const plain = measured("streamed turn, plain SDK call", plainSamples);
  const off = measured("streamed turn, tracing off (chat's span wrappers, no provider)", offSamples, plain);
  await startTracing("bench");
  const traced = new AIProjectClient(emulator.endpoint, credential, {
    tracingOptions: sdkTracingOptions({}),
  });
  await connectTracing({
    backend: "emulator",
    endpoint: emulator.endpoint,
    token: "bench",
    project: traced,
    env: {},
    say: () => undefined, // its one line would break the table
  });
  const onSamples = await sample(TURNS, await turnWith(traced, true));
  await flushTracing();
  const on = measured("streamed turn, tracing on → emulator OTLP receiver", onSamples, plain);
  await stopTracing(); // whatever runs after this measures without a tracer provider
  await emulator.close();

  const modules = async (args: string[]) => {
    const log = path.join(work, `modules-${args.length}.txt`);
    await runDemo(["0-hello", ...args], {
      NODE_OPTIONS: `--import ${path.join(repoRoot, "scripts", "src", "module-log-hook.mjs")}`,
      LAB_MODULE_LOG: log,
      EMULATOR_DATA_DIR: path.join(work, "demo-emulator"),
      LAB_STATE_DIR: path.join(work, "demo-state"),
      AGENT_NAME: "bench-modules",
    });
    const urls = readFileSync(log, "utf8").split("\n");
    const sdk = /node_modules\/@opentelemetry\/(?!api\/)|monitor-opentelemetry-exporter/;
    return { all: urls.length, otel: urls.filter((u) => sdk.test(u)).length };
  };
  const offModules = await modules([]);
  const onModules = await modules(["--", "--otel"]);

  console.log("\nTracing (--otel): a streamed turn against the emulator (lab model, stream delay 0)\n");
  console.log(ratioTable([plain, off, on]));
  console.log(
    `\n${markdownTable(
      ["pnpm 0-hello, one turn", "modules resolved", "of them OpenTelemetry SDK/exporter"],
      [
        ["tracing off", String(offModules.all), String(offModules.otel)],
        ["--otel", String(onModules.all), String(onModules.otel)],
      ],
    )}`,
  );
}

function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts", "lab.mjs"), ...args], {
      env: { ...process.env, ...env, FOUNDRY_PROJECT_ENDPOINT: "", NO_COLOR: "1" },
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.stdin.end("hello\n");
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`pnpm ${args.join(" ")} exited ${code}`)),
    );
  });
}
