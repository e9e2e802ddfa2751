/**
 * `pnpm bench`, demo 8: the hosted agent's server under load on this machine, against a bare express
 * handler returning fixed JSON measured in the same run. Non-streamed turns: requests per second and
 * p50/p99 latency; streamed turns: time to the first byte. The model call is answered by the emulator's
 * lab model (stream delay 0), so the numbers are the server's and the protocol's overhead, not a model's.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { startServer } from "@lab/8-hosted/server";
import { startEmulator } from "@lab/emulator/server";
import express from "express";
import { markdownTable } from "./table.ts";

const REQUESTS = Number(process.env.BENCH_HOSTED_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_HOSTED_CONCURRENCY ?? 8);
const STREAMS = Number(process.env.BENCH_HOSTED_STREAMS ?? 100);

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Sends `total` requests from `concurrency` workers; returns throughput and latency quantiles. */
async function load(total: number, concurrency: number, once: () => Promise<number>): Promise<Load> {
  for (let i = 0; i < 20; i++) await once(); // warm-up: JIT, connection pool
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) latencies.push(await once());
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/**
 * One POST; resolves with the milliseconds until the body contains `marker` ("" for the first byte), or,
 * without a marker, until the whole body arrived.
 */
function post(url: string, body: string, marker?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json" }, agent });
    req.on("response", (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
      let seen = "";
      let done = false;
      res.setEncoding("utf8").on("data", (chunk: string) => {
        seen += chunk;
        if (!done && marker !== undefined && seen.includes(marker)) {
          done = true;
          resolve(performance.now() - started);
        }
      });
      res.on("end", () => resolve(performance.now() - started));
    });
    req.on("error", reject);
    req.end(body);
  });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export async function benchHosted(work: string): Promise<void> {
  const emulator = await startEmulator({ dataDir: path.join(work, "hosted-emulator"), streamDelayMs: 0 });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  const project = new AIProjectClient(emulator.endpoint, {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const hosted = await startServer({
    openai: project.getOpenAIClient(),
    deployment: "model-router",
    port: 0,
    keepAliveSeconds: 0,
  });

  // The baseline: express with a JSON body parser and a handler that returns fixed JSON.
  const app = express();
  app.use(express.json());
  app.post("/responses", (_req, res) => {
    res.json({ id: "fixed", object: "response", status: "completed", output: [] });
  });
  const bare = http.createServer(app);
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/responses`;
  const hostedUrl = `${hosted.url}/responses`;

  const turn = JSON.stringify({ input: "Convert 10 km to miles and tell me about ada@example.com" });
  const streamed = JSON.stringify({ input: "hello", stream: true });
  const baseline = await load(REQUESTS, CONCURRENCY, () => post(bareUrl, turn));
  const json = await load(REQUESTS, CONCURRENCY, () => post(hostedUrl, turn));
  const ttfbBare = await load(STREAMS, 1, () => post(bareUrl, streamed, ""));
  const ttfb = await load(STREAMS, 1, () => post(hostedUrl, streamed, ""));
  const firstText = await load(STREAMS, 1, () => post(hostedUrl, streamed, "response.output_text.delta"));

  const rows = [
    ["bare express, fixed JSON", baseline, undefined],
    ["hosted agent, JSON turn (tool + model + redaction)", json, baseline],
    ["bare express, first byte", ttfbBare, undefined],
    ["hosted agent, streamed turn: first byte", ttfb, ttfbBare],
    ["hosted agent, streamed turn: first text delta", firstText, ttfbBare],
  ] as const;
  console.log(
    `\nDemo 8, hosted agent server on ${os.cpus().length} cores: ${REQUESTS} JSON turns at concurrency ${CONCURRENCY}, ${STREAMS} streamed turns one at a time (model: the emulator's lab model)\n`,
  );
  const header = ["measurement", "req/s", "p50 ms", "p99 ms", "p50 ratio"];
  const body = rows.map(([what, m, base]) => [
    what,
    m.rps.toFixed(0),
    m.p50.toFixed(2),
    m.p99.toFixed(2),
    base ? `${(m.p50 / base.p50).toFixed(1)}×` : "(baseline)",
  ]);
  console.log(markdownTable(header, body));

  agent.destroy();
  bare.close();
  await hosted.close(1);
  await emulator.close();
}
