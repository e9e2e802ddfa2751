/**
 * `pnpm bench`, the local model path (EMULATOR_MODEL_URL): what the emulator adds to a model step. The
 * model server here answers at once with a fixed reply (a tool call when file search is offered and the
 * last message is the user's, else a sentence), so the numbers are the emulator's mapping, the SDK and
 * HTTPS, not a model's; the baseline is the same Chat Completions call made straight to that server.
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

/** A model server that thinks not at all: the one fixed answer per kind of request. */
function fixedModelServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const body = JSON.parse(raw) as { messages: Array<{ role: string }>; tools?: unknown[] };
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
  console.log(`\nThe local model path (EMULATOR_MODEL_URL; the model server answers at once):\n`);
  console.log(ratioTable(rows));
}
