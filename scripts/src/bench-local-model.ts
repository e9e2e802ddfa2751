/**
 * `pnpm bench`, the local model path (EMULATOR_MODEL_URL): what the emulator adds to a model step. The
 * model server here answers at once with a fixed reply (a tool call when file search is offered and the
 * last message is the user's, else a sentence), streamed when asked, so the numbers are the emulator's
 * mapping, the SDK and HTTPS, not a model's; the baseline is the same Chat Completions call made straight
 * to that server. For the first words, the server writes its sentence in chunks a few milliseconds apart
 * (as a model generates): the emulator's first `output_text.delta` should come about when the server's
 * first chunk does, long before the last.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import { startEmulator } from "@lab/emulator/server";
import { agentReference } from "@lab/shared/agents";
import { toFile } from "openai";
import { measured, type Row, ratioTable, sample } from "./bench-kit.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 200);
const MODEL = "bench-local";
/** Asked for this, the server writes its answer in CHUNKS pieces, CHUNK_GAP_MS apart. */
const SLOWLY = "Answer slowly, please";
const CHUNKS = 8;
const CHUNK_GAP_MS = 5;

/** A model server that thinks not at all: the one fixed answer per kind of request. */
function fixedModelServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const body = JSON.parse(raw) as {
        messages: Array<{ role: string; content: unknown }>;
        tools?: unknown[];
        stream?: boolean;
      };
      const searching = (body.tools?.length ?? 0) > 0 && body.messages.at(-1)?.role === "user";
      const message = searching
        ? {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "file_search", arguments: '{"query":"travel leave"}' },
              },
            ],
          }
        : { role: "assistant", content: "Noted: a fixed answer from the bench's model server [1]." };
      if (body.stream) {
        const slowly = body.messages.at(-1)?.content === SLOWLY;
        return void streamAnswer(res, message, slowly ? CHUNK_GAP_MS : 0);
      }
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: "c",
          object: "chat.completion",
          model: MODEL,
          choices: [{ index: 0, message, finish_reason: "stop" }],
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The fixed answer as Chat Completions chunks: its text in CHUNKS pieces (or the tool call whole), then [DONE]. */
async function streamAnswer(res: http.ServerResponse, message: Record<string, unknown>, gapMs: number) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const text = typeof message.content === "string" ? message.content : "";
  const size = Math.ceil(text.length / CHUNKS);
  const deltas = text
    ? Array.from({ length: CHUNKS }, (_, i) => ({ content: text.slice(i * size, (i + 1) * size) }))
    : [
        {
          tool_calls: (message.tool_calls as unknown[]).map((call, index) => ({
            index,
            ...(call as object),
          })),
        },
      ];
  for (const delta of deltas) {
    res.write(chunk(delta));
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  res.end(`${chunk({}, text ? "stop" : "tool_calls")}data: [DONE]\n\n`);
}

/** Milliseconds from sending to the first event with text, and to the end of the stream. */
async function firstAndLast(
  start: () => Promise<AsyncIterable<unknown>>,
  isText: (event: unknown) => boolean,
) {
  const t = performance.now();
  let first = Number.NaN;
  for await (const event of await start())
    if (Number.isNaN(first) && isText(event)) first = performance.now() - t;
  return { first, last: performance.now() - t };
}

/** A streamed Chat Completions call, straight to the server: its SSE events, parsed. */
async function* directStream(url: string): AsyncGenerator<unknown> {
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: "user", content: SLOWLY }] }),
  });
  const decoder = new TextDecoder();
  let pending = "";
  for await (const bytes of res.body ?? []) {
    pending += decoder.decode(bytes, { stream: true });
    const events = pending.split("\n\n");
    pending = events.pop() ?? "";
    for (const event of events) {
      const data = event.replace(/^data: /, "");
      if (data !== "[DONE]") yield JSON.parse(data);
    }
  }
}

export async function benchLocalModel(work: string): Promise<void> {
  const server = await fixedModelServer();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const emulator = await startEmulator({
    dataDir: path.join(work, "emulator"),
    streamDelayMs: 0,
    localModel: { url, name: MODEL, timeoutMs: 10_000, router: "lab" },
  });
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  const project = new AIProjectClient(emulator.endpoint, {
    getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }),
  });
  const openai = project.getOpenAIClient();
  const rows: Row[] = [];
  const time = async (work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    return performance.now() - t;
  };

  const direct = measured(
    "Chat Completions call straight to the model server (fetch)",
    await sample(TURNS, () =>
      time(async () => {
        const res = await fetch(`${url}/chat/completions`, {
          method: "POST",
          body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "hello" }] }),
        });
        await res.json();
      }),
    ),
  );
  rows.push(direct);
  const lab = measured(
    "turn on the lab model (SDK → emulator, JSON)",
    await sample(TURNS, () =>
      time(() => openai.responses.create({ model: "lab-offline-mini", input: "hello" })),
    ),
    direct,
  );
  rows.push(lab);
  const localTimes = await sample(TURNS, () =>
    time(() => openai.responses.create({ model: MODEL, input: "hello" })),
  );
  const local = measured("turn on the local model (SDK → emulator → model server)", localTimes, direct);
  rows.push(local, measured("  … same, against the lab model's turn", localTimes, lab));

  const streams = Math.min(TURNS, 100);
  const directTimes: Array<{ first: number; last: number }> = [];
  await sample(streams, async () => {
    const times = await firstAndLast(
      async () => directStream(url),
      (chunk) =>
        typeof (chunk as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta
          ?.content === "string",
    );
    directTimes.push(times);
    return times.first;
  });
  const viaEmulator: Array<{ first: number; last: number }> = [];
  await sample(streams, async () => {
    const times = await firstAndLast(
      () => openai.responses.create({ model: MODEL, input: SLOWLY, stream: true }),
      (event) => (event as { type: string }).type === "response.output_text.delta",
    );
    viaEmulator.push(times);
    return times.first;
  });
  // The warm-up run of each is left out, as `sample` leaves it out of its own samples.
  const directFirst = measured(
    `first text chunk, Chat Completions stream straight to the model server (${CHUNKS} chunks ${CHUNK_GAP_MS} ms apart)`,
    directTimes.slice(1).map((t) => t.first),
  );
  const directLast = measured(
    "  … its last chunk",
    directTimes.slice(1).map((t) => t.last),
    directFirst,
  );
  rows.push(
    directFirst,
    directLast,
    measured(
      "first output_text.delta, SDK → emulator → model server (stream: true)",
      viaEmulator.slice(1).map((t) => t.first),
      directFirst,
    ),
    measured(
      "  … response.completed",
      viaEmulator.slice(1).map((t) => t.last),
      directLast,
    ),
  );

  const store = await openai.vectorStores.create({ name: "bench" });
  await openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(
      Buffer.from("# Travel\n\nBook travel two weeks ahead.\n\n# Leave\n\nAnnual leave is 25 days.\n"),
      "h.md",
    ),
  );
  const agent = await project.agents.createVersion("bench-local-search", {
    kind: "prompt",
    model: MODEL,
    tools: [{ type: "file_search", vector_store_ids: [store.id] }],
  });
  rows.push(
    measured(
      "file-search turn on the local model (2 model steps + BM25)",
      await sample(Math.min(TURNS, 100), () =>
        time(() => openai.responses.create({ input: "How much leave?" }, { body: agentReference(agent) })),
      ),
      local,
    ),
  );
  await emulator.close();
  server.close();
  console.log(
    `\nThe local model path (EMULATOR_MODEL_URL; the model server answers at once, or in chunks ${CHUNK_GAP_MS} ms apart where it says so):\n`,
  );
  console.log(ratioTable(rows));
}
