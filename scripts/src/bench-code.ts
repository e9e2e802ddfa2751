/**
 * `pnpm bench`, demo 4: how long the web page waits for a code-interpreter answer against the emulator
 * (question → first byte of the page's SSE stream, and → the chart fetched through the page's server),
 * against a plain answer through the same page; and what the emulator's sandbox adds per code run
 * (bubblewrap, the runner, files copied in and out), against a bare `python3 -c` of the same code in the
 * same run.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { runPython, sandboxInfo } from "@lab/emulator/sandbox/run";
import { startEmulator } from "@lab/emulator/server";
import { repoRoot } from "@lab/shared/config";
// A script may use a demo's server: the bench measures exactly what `pnpm 4-code:web` serves.
import { createWebApp } from "../../demos/4-code/src/web-app.ts";
import { measured, ratioTable, sample } from "./bench-kit.ts";

const TURNS = Number(process.env.BENCH_CODE_TURNS ?? 10);
const RUNS = Number(process.env.BENCH_CODE_RUNS ?? 20);

export async function benchCode(work: string): Promise<void> {
  const info = await sandboxInfo();
  if (!info.python) {
    console.log(`\ndemo 4 bench skipped: code interpreter cannot run here: ${info.refused}.`);
    return;
  }
  const emulator = await startEmulator({ dataDir: path.join(work, "emulator"), streamDelayMs: 0 });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  const project = new AIProjectClient(emulator.endpoint, {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const openai = project.getOpenAIClient();
  const csv = readFileSync(path.join(repoRoot, "demos", "4-code", "data", "sales.csv"));
  const file = await openai.files.create({ file: new File([csv], "sales.csv"), purpose: "assistants" });
  const agent = await project.agents.createVersion("bench-code", {
    kind: "prompt",
    model: "model-router",
    tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [file.id] } }],
  });
  const app = createWebApp({
    openai,
    agent: { name: agent.name, version: agent.version },
    deployment: "model-router",
    describe: (err) => String(err),
    newConversation: async () => (await openai.conversations.create()).id,
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** One question through the page's API: ms to the first SSE byte, and to the chart's bytes (if any). */
  async function pageTurn(message: string): Promise<{ firstByte: number; chart: number }> {
    const { conversation } = (await (
      await fetch(`${base}/api/conversations`, { method: "POST" })
    ).json()) as {
      conversation: string;
    };
    const started = performance.now();
    const res = await fetch(`${base}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversation, message }),
    });
    let firstByte = Number.NaN;
    let text = "";
    for await (const chunk of res.body ?? []) {
      if (Number.isNaN(firstByte)) firstByte = performance.now() - started;
      text += Buffer.from(chunk).toString("utf8");
    }
    const url = /"type":"file","filename":"[^"]+","url":"([^"]+)"/.exec(text)?.[1];
    if (url) await (await fetch(`${base}${url}`)).arrayBuffer();
    return { firstByte, chart: url ? performance.now() - started : Number.NaN };
  }

  const plain = await sample(TURNS, async () => (await pageTurn("Hello there")).firstByte);
  const plainRow = measured("page: plain answer, question → first SSE byte", plain);
  const charts: { firstByte: number; chart: number }[] = [];
  await sample(TURNS, async () => {
    const turn = await pageTurn("Draw a bar chart of revenue by region");
    charts.push(turn);
    return turn.chart;
  });
  charts.shift(); // the warm-up
  const rows = [
    plainRow,
    measured(
      "page: chart request, question → first SSE byte",
      charts.map((c) => c.firstByte),
      plainRow,
    ),
    measured(
      "page: chart request, question → chart fetched",
      charts.map((c) => c.chart),
      plainRow,
    ),
  ];

  // The sandbox's own cost: the same code, run bare by the same interpreter, then through run.ts.
  const python = info.python;
  const folder = path.join(work, "sandbox");
  mkdirSync(folder, { recursive: true });
  for (const [label, code] of [
    ["`pass`", "pass"],
    ["a loop of 10^6 squares", "print(sum(i * i for i in range(10**6)))"],
  ] as const) {
    const bare = measured(
      `bare \`python3 -I -c\` of ${label}`,
      await sample(RUNS, () => {
        const t = performance.now();
        return new Promise<number>((resolve, reject) => {
          const child = spawn(python, ["-I", "-c", code], { stdio: "ignore" });
          child.on("error", reject);
          child.on("close", () => resolve(performance.now() - t));
        });
      }),
    );
    const sandboxed = await sample(RUNS, async () => {
      const result = await runPython(code, folder);
      if (!result.ok) throw new Error(`sandboxed run failed: ${result.failure}`);
      return result.durationMs;
    });
    rows.push(bare, measured(`same code through the sandbox (${info.boundary})`, sandboxed, bare));
  }

  server.close();
  server.closeAllConnections();
  await emulator.close();

  console.log(
    `\ndemo 4 (code interpreter): ${TURNS} page turns, ${RUNS} sandbox runs, emulator stream delay 0\n`,
  );
  console.log(ratioTable(rows));
}
