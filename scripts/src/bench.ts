/**
 * `pnpm bench`: how long a learner waits, measured against baselines taken in the same run on the same
 * machine, and printed as ratios. Nothing here is asserted: numbers vary by machine, ratios much less.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { weatherAgentDefinition } from "@lab/1-tools/agent";
import { runToolLoop } from "@lab/1-tools/tool-loop";
import type { ToolRegistry } from "@lab/1-tools/tools";
import { runApprovalLoop } from "@lab/6-mcp/approval-loop";
import { loadOrCreateTlsIdentity } from "@lab/emulator/certs";
import { startEmulator } from "@lab/emulator/server";
import { startMcpServers } from "@lab/mcp-servers/servers";
import { agentReference } from "@lab/shared/agents";
import { repoRoot } from "@lab/shared/config";
import { benchCode } from "./bench-code.ts";
import { benchHosted } from "./bench-hosted.ts";
import { measured, type Row, ratioTable, sample } from "./bench-kit.ts";
import { benchLocalModel } from "./bench-local-model.ts";
import { benchModel } from "./bench-model.ts";
import { benchRetrieval } from "./bench-retrieval.ts";
import { benchTracing } from "./bench-tracing.ts";

const STARTS = Number(process.env.BENCH_STARTS ?? 7);
const TURNS = Number(process.env.BENCH_TURNS ?? 200);

const rows: Row[] = [];

/** get_weather with a constant answer: the bench measures the loop, not a weather service. */
const benchTools: ToolRegistry = {
  get_weather: {
    definition: {
      type: "function",
      name: "get_weather",
      description: "Get the current weather for a city.",
      strict: true,
      parameters: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
    },
    run: async (args) => ({ city: args.city, temperature_c: 3.7, conditions: "overcast" }),
  },
};

function record(what: string, samples: number[], baseline?: Row): Row {
  const row = measured(what, samples, baseline);
  rows.push(row);
  return row;
}

/** Starts `node args…`, types `input` if given, and resolves with the milliseconds until stdout contains `marker`. */
function timeUntil(
  args: string[],
  marker: string | undefined,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let done = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!done && marker && out.includes(marker)) {
        done = true;
        resolve(performance.now() - started);
        child.stdin.end();
        // The Azure start-up row stops here, before the credential would look for a token on the network.
        if (env.LAB_BACKEND === "azure") child.kill("SIGKILL");
      }
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("close", (code) => {
      if (!marker && !done) return resolve(performance.now() - started);
      if (!done) reject(new Error(`no "${marker}" (exit ${code}): ${err || out}`));
    });
    if (input !== undefined) child.stdin.write(input);
    if (!marker) child.stdin.end();
  });
}

async function timeToFirstPrompt(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lab-bench-"));
  const floorScript = path.join(work, "floor.mjs");
  // The floor: import the SDKs and build both clients, nothing of ours.
  writeFileSync(
    floorScript,
    `import { AIProjectClient } from ${JSON.stringify(import.meta.resolve("@azure/ai-projects"))};\n` +
      `const p = new AIProjectClient("https://127.0.0.1:1/api/projects/lab", { getToken: async () => null });\n` +
      `p.getOpenAIClient();\n`,
  );
  const env = {
    EMULATOR_DATA_DIR: path.join(work, "emulator"),
    LAB_STATE_DIR: path.join(work, "state"),
    LAB_ROOT_ENV: path.join(work, "none.env"),
    LAB_BACKEND: "emulator",
  };
  const lab = path.join(repoRoot, "scripts", "lab.mjs");
  const azureEnv = {
    ...env,
    LAB_BACKEND: "azure",
    FOUNDRY_PROJECT_ENDPOINT: "https://lab-bench.services.ai.azure.com/api/projects/bench",
  };
  const starts = {
    bare: () => timeUntil(["-e", ""], undefined, {}),
    floor: () => timeUntil([floorScript], undefined, {}),
    prompt: () => timeUntil([lab, "0-hello"], "Reading one turn per line", env),
    // The same start loading the installed SDK packages one module at a time (scripts/src/sdk-bundle.ts).
    unbundled: () =>
      timeUntil([lab, "0-hello"], "Reading one turn per line", { ...env, LAB_SDK_BUNDLE: "0" }),
    // What was left out of the start is paid by the first turn (the lab model's code): that one, unpaced.
    answer: () => timeUntil([lab, "0-hello"], "served by", { ...env, EMULATOR_STREAM_DELAY_MS: "0" }, "hi\n"),
    // The Azure path up to its first network call: config, @azure/identity, both clients, the backend line.
    azure: () => timeUntil([lab, "0-hello"], "backend: Azure AI Foundry", azureEnv),
  };
  // Each kind once to warm up (file and compile caches, the emulator's certificate, the agent), then
  // taken in turn, so that load from elsewhere on the machine falls on the floor and the lab alike.
  const times = Object.fromEntries(Object.keys(starts).map((k) => [k, [] as number[]])) as Record<
    keyof typeof starts,
    number[]
  >;
  const kinds = Object.keys(starts) as (keyof typeof starts)[];
  for (const kind of kinds) await starts[kind]();
  for (let i = 0; i < STARTS; i++) for (const kind of kinds) times[kind].push(await starts[kind]());
  const bare = record('bare `node -e ""` start', times.bare);
  const floor = record("floor: import SDKs + build both clients", times.floor, bare);
  record("`pnpm 0-hello` to first prompt (embedded emulator)", times.prompt, bare);
  record(
    "  … same, against the floor (target ≤ 0.6×: no @azure/identity, storage-blob, model code at start)",
    times.prompt,
    floor,
  );
  record("  … same with the SDK bundle off (LAB_SDK_BUNDLE=0), against the floor", times.unbundled, floor);
  record("`pnpm 0-hello` to its first answer (unpaced stream)", times.answer, floor);
  record("`pnpm 0-hello` on Azure, to its first request", times.azure, bare);
  record("  … same, against the floor (target ≤ 1.0×)", times.azure, floor);
  rmSync(work, { recursive: true, force: true });
}

/**
 * The launcher's compile cache (scripts/lab.mjs): the same start with it switched off and on (warm),
 * alternated so that load from elsewhere on the machine falls on both alike.
 */
async function compileCache(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lab-bench-"));
  const env = {
    EMULATOR_DATA_DIR: path.join(work, "emulator"),
    LAB_STATE_DIR: path.join(work, "state"),
    LAB_ROOT_ENV: path.join(work, "none.env"),
    LAB_BACKEND: "emulator",
  };
  const lab = path.join(repoRoot, "scripts", "lab.mjs");
  const start = (extra: NodeJS.ProcessEnv) =>
    timeUntil([lab, "0-hello"], "Reading one turn per line", { ...env, ...extra });
  const off: number[] = [];
  const on: number[] = [];
  await start({}); // warm: fills the cache if this checkout has not started yet
  for (let i = 0; i < STARTS; i++) {
    off.push(await start({ NODE_DISABLE_COMPILE_CACHE: "1" }));
    on.push(await start({}));
  }
  const baseline = record("`pnpm 0-hello` to first prompt, compile cache off", off);
  record("  … compile cache on (warm)", on, baseline);
  rmSync(work, { recursive: true, force: true });
}

async function perTurn(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "lab-bench-"));
  const emulator = await startEmulator({ dataDir: path.join(work, "emulator"), streamDelayMs: 0 });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);

  // Baseline: a bare HTTPS echo on the same machine, same TLS identity, same client (fetch).
  const identity = await loadOrCreateTlsIdentity(path.join(work, "echo"));
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), identity.certPem]);
  const echo = https.createServer({ cert: identity.certPem, key: identity.keyPem }, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const echoUrl = `https://127.0.0.1:${(echo.address() as { port: number }).port}/echo`;
  const echoTimes = await sample(TURNS, async () => {
    const t = performance.now();
    await (await fetch(echoUrl, { method: "POST", body: '{"input":"hi"}' })).json();
    return performance.now() - t;
  });
  const base = record("bare HTTPS echo round trip (fetch)", echoTimes);

  const project = new AIProjectClient(emulator.endpoint, {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const openai = project.getOpenAIClient();
  const agent = await project.agents.createVersion("bench-agent", { kind: "prompt", model: "model-router" });
  const conversation = await openai.conversations.create();
  const body = { body: agentReference({ name: agent.name, version: agent.version }) };
  let n = 0;
  const turns = await sample(TURNS, async () => {
    const t = performance.now();
    await openai.responses.create(
      { conversation: conversation.id, input: `Turn ${n++}: my name is Ada` },
      body,
    );
    return performance.now() - t;
  });
  record("turn in a conversation (SDK → emulator, JSON)", turns, base);
  const streamed = await sample(Math.min(TURNS, 100), async () => {
    const t = performance.now();
    const stream = await openai.responses.create({ input: "hello", stream: true }, body);
    for await (const _event of stream) {
      // drain
    }
    return performance.now() - t;
  });
  const plain = record("streamed turn, no conversation (SSE)", streamed, base);

  // Demo 1's tool loop: model call, local function, follow-up call, against a plain turn.
  const weatherAgent = await project.agents.createVersion(
    "bench-weather",
    weatherAgentDefinition("model-router", benchTools),
  );
  const toolTurns = await sample(Math.min(TURNS, 100), async () => {
    const t = performance.now();
    await runToolLoop({
      openai,
      agent: { name: weatherAgent.name, version: weatherAgent.version },
      tools: benchTools,
      input: "What's the weather in Oslo?",
      print: async (stream) => {
        for await (const event of stream) if (event.type === "response.completed") return event.response;
        throw new Error("no response.completed");
      },
    });
    return performance.now() - t;
  });
  record("tool turn: call, local function, follow-up (demo 1 loop)", toolTurns, plain);

  // Demo 6's approval loop: tools listed, approval requested, approved, the MCP call made, answered.
  const mcpServers = await startMcpServers({ dataDir: path.join(work, "mcp") });
  const mcpAgent = await project.agents.createVersion("bench-mcp", {
    kind: "prompt",
    model: "model-router",
    tools: [
      {
        type: "mcp",
        server_label: "lab_issues",
        server_url: mcpServers.issuesUrl,
        require_approval: "always",
      },
    ],
  });
  const approved = await sample(Math.min(TURNS, 50), async () => {
    const t = performance.now();
    await runApprovalLoop({
      openai,
      agent: { name: mcpAgent.name, version: mcpAgent.version },
      input: "List the open issues",
      print: async (stream) => {
        for await (const event of stream) if (event.type === "response.completed") return event.response;
        throw new Error("no response.completed");
      },
      decide: async () => ({ approve: true }),
    });
    return performance.now() - t;
  });
  record("approved MCP turn: list, approval, call, answer (demo 6 loop)", approved, plain);
  await mcpServers.close();
  echo.close();
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
}

function print(): void {
  console.log(ratioTable(rows));
}

/** In a folder of its own that is removed afterwards. */
const inWork = (bench: (work: string) => Promise<void>) => async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "lab-bench-"));
  await bench(work);
  rmSync(work, { recursive: true, force: true });
};

/** `pnpm bench -- <name> …` runs only those sections. */
const sections: Record<string, () => Promise<void>> = {
  start: timeToFirstPrompt,
  "compile-cache": compileCache,
  turn: perTurn,
  hosted: inWork(benchHosted),
  retrieval: inWork(benchRetrieval),
  code: inWork(benchCode),
  model: benchModel,
  "local-model": inWork(benchLocalModel),
  tracing: inWork(benchTracing),
};
const asked = process.argv.slice(2).filter((a) => a !== "--");
const unknown = asked.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(
    `pnpm bench: no section ${unknown.join(", ")}; the sections are ${Object.keys(sections).join(", ")}.`,
  );
  process.exit(2);
}
console.log(
  `pnpm bench on ${os.cpus().length} cores, Node ${process.version}: ${STARTS} starts, ${TURNS} turns\n`,
);
const chosen = Object.keys(sections).filter((name) => asked.length === 0 || asked.includes(name));
const tabled = chosen.filter((name) => ["start", "compile-cache", "turn"].includes(name));
for (const name of chosen) {
  await sections[name]?.();
  // The first three add rows to one table, printed once the last of them has run.
  if (name === tabled.at(-1)) print();
}
