/**
 * `pnpm bench`, demo 8: the hosted agent's server under load on this machine, against a minimal express
 * relay measured in the same run that does the same upstream work: it makes the agent's model call (the
 * same deployment, streamed) and sends the answer back (the final JSON, or the deployment's events as SSE). Non-streamed
 * turns: requests per second and p50/p99 latency; streamed turns: time to the first text delta. The model
 * is the emulator's lab model (stream delay 0), so the ratios are what the agent adds (its tool, the
 * redaction, the stored response and its own events), not a model's time.
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
import type OpenAI from "openai";
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

const ROUNDS = 5;

/**
 * Measures a baseline and a subject under the same conditions: both warm up, then take turns, `ROUNDS`
 * times, each sending its share of `total` requests from `concurrency` workers (so a neighbour's load on
 * a shared machine falls on both alike). Returns throughput and latency quantiles for each.
 */
async function loadPair(
  total: number,
  concurrency: number,
  baseline: () => Promise<number>,
  subject: () => Promise<number>,
): Promise<[Load, Load]> {
  const runs = [baseline, subject].map((once) => ({ once, latencies: [] as number[], seconds: 0 }));
  for (const run of runs) for (let i = 0; i < 20; i++) await run.once(); // warm-up: JIT, connection pool
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      let next = 0;
      const share = Math.ceil(total / ROUNDS);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < share) run.latencies.push(await run.once());
        }),
      );
      run.seconds += (performance.now() - started) / 1000;
    }
  }
  const [a, b] = runs.map(({ latencies, seconds }) => {
    latencies.sort((x, y) => x - y);
    return { rps: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
  });
  return [a as Load, b as Load];
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

  // The baseline: the least a Responses relay can do with the same upstream call.
  const bare = http.createServer(relay(project.getOpenAIClient(), "model-router"));
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const relayUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/responses`;
  const hostedUrl = `${hosted.url}/responses`;

  const turn = JSON.stringify({ input: "Convert 10 km to miles and tell me about ada@example.com" });
  const streamed = JSON.stringify({ input: "hello", stream: true });
  const delta = "response.output_text.delta";
  const [relayJson, json] = await loadPair(
    REQUESTS,
    CONCURRENCY,
    () => post(relayUrl, turn),
    () => post(hostedUrl, turn),
  );
  const [relayText, firstText] = await loadPair(
    STREAMS,
    1,
    () => post(relayUrl, streamed, delta),
    () => post(hostedUrl, streamed, delta),
  );

  console.log(
    `\nDemo 8, hosted agent server on ${os.cpus().length} cores: ${REQUESTS} JSON turns at concurrency ${CONCURRENCY}, ${STREAMS} streamed turns one at a time, each in ${ROUNDS} rounds taken in turn with the baseline; baseline: an express relay making the same model call (model: the emulator's lab model)\n`,
  );
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    markdownTable(
      [
        "measurement",
        "req/s",
        "p50 ms",
        "p99 ms",
        "req/s ratio (target ≥ 0.7×)",
        "p99 ratio (target ≤ 1.5×)",
      ],
      [
        [
          "relay, JSON turn",
          relayJson.rps.toFixed(0),
          relayJson.p50.toFixed(2),
          relayJson.p99.toFixed(2),
          "(baseline)",
          "(baseline)",
        ],
        [
          "hosted agent, JSON turn (tool + model + redaction)",
          json.rps.toFixed(0),
          json.p50.toFixed(2),
          json.p99.toFixed(2),
          ratio(json.rps, relayJson.rps),
          ratio(json.p99, relayJson.p99),
        ],
      ],
    ),
  );
  console.log(
    markdownTable(
      ["measurement", "p50 ms", "p99 ms", "p50 ratio (target ≤ 1.5×)"],
      [
        [
          "relay, streamed turn: first text delta",
          relayText.p50.toFixed(2),
          relayText.p99.toFixed(2),
          "(baseline)",
        ],
        [
          "hosted agent, streamed turn: first text delta",
          firstText.p50.toFixed(2),
          firstText.p99.toFixed(2),
          ratio(firstText.p50, relayText.p50),
        ],
      ],
    ),
  );

  agent.destroy();
  bare.close();
  await hosted.close(1);
  await emulator.close();
}

/**
 * The baseline relay: parse the body, make the same model call as the agent (streamed, as the agent
 * always calls it), and send back the events, or for a JSON turn the response they end with.
 */
function relay(openai: OpenAI, deployment: string): express.Express {
  const app = express();
  app.use(express.json());
  app.post("/responses", async (req, res) => {
    const { input, stream } = req.body as { input: string; stream?: boolean };
    const events = await openai.responses.create({ model: deployment, input, stream: true });
    if (!stream) {
      for await (const event of events) if (event.type === "response.completed") res.json(event.response);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for await (const event of events) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    res.end();
  });
  return app;
}
