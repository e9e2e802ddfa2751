/**
 * `pnpm traces`: a page on 127.0.0.1 showing the spans `--otel` runs sent to the emulator, each run's
 * turns as a waterfall (agent version, responses, tool and MCP calls, served model, tokens, latency),
 * newest first, updating while a chat runs. It reads the emulator's trace store (`traces.db` in its data
 * folder) directly, so it works whether or not an emulator is running. Demo 9's evaluation reports are
 * listed too, each failing item linked to its trace.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadEnv, repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { bold, dim } from "@lab/shared/terminal";

export const DEFAULT_TRACES_PORT = 4319;
const PAGE_DIR = fileURLToPath(new URL("./traces-page/", import.meta.url));
const ASSETS: Record<string, [file: string, type: string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/style.css": ["style.css", "text/css; charset=utf-8"],
  // Browsers ask for an icon whatever the page says; without one every visit logs a 404 in the console.
  "/favicon.ico": ["favicon.svg", "image/svg+xml"],
  "/favicon.svg": ["favicon.svg", "image/svg+xml"],
};

export async function traces(): Promise<void> {
  const { env } = loadEnv(undefined);
  const rawPort = env.TRACES_PORT?.trim();
  const port = rawPort ? Number(rawPort) : DEFAULT_TRACES_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`TRACES_PORT is "${rawPort}"; use a port number such as ${DEFAULT_TRACES_PORT}.`);
  }
  const { defaultDataDir } = await import("@lab/emulator/paths");
  const { TraceStore } = await import("@lab/emulator/stores/traces");
  const dataDir = defaultDataDir();
  const store = new TraceStore(dataDir);
  const evalsDir = env.LAB_TRANSCRIPTS_DIR ?? path.join(repoRoot, "transcripts");

  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      send(res, 500, "application/json", JSON.stringify({ error: (err as Error).message }));
    }
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    // DNS rebinding: a page on another site that resolves its name to 127.0.0.1 carries its own Host.
    if (!/^(?:127\.0\.0\.1|localhost)(?::\d+)?$/.test(req.headers.host ?? "")) {
      return send(res, 403, "text/plain", "This page only answers on 127.0.0.1 or localhost.");
    }
    if (req.method !== "GET") return send(res, 405, "text/plain", "Only GET.");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const asset = ASSETS[url.pathname];
    if (asset) return send(res, 200, asset[1], readFileSync(path.join(PAGE_DIR, asset[0])));
    if (url.pathname === "/api/version") return json(res, { lastSeq: store.lastSeq() });
    if (url.pathname === "/api/runs") {
      const runs = store.runs(Math.min(Number(url.searchParams.get("limit")) || 20, 100));
      return json(res, {
        lastSeq: store.lastSeq(),
        runs: runs.map((run) => ({ ...run, spans: store.spansOfRun(run.runId) })),
      });
    }
    const trace = /^\/api\/traces\/([0-9a-f]{32})$/.exec(url.pathname)?.[1];
    if (trace) return json(res, { spans: store.spansOfTrace(trace) });
    if (url.pathname === "/api/evals") return json(res, { reports: evalReports(evalsDir) });
    send(res, 404, "text/plain", "Not found.");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          `The traces page could not start on 127.0.0.1:${port}: ${err.code === "EADDRINUSE" ? "the port is in use" : err.message}. Set TRACES_PORT to another port.`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  console.log(`${bold("Traces:")} http://127.0.0.1:${bound}/`);
  console.log(
    dim(
      `Reading ${path.join(dataDir, "traces.db")}${existsSync(path.join(dataDir, "traces.db")) ? "" : " (empty so far)"}. Run any demo with -- --otel (e.g. pnpm 1-tools -- --otel); Ctrl-C stops this page.`,
    ),
  );
  const stop = () => {
    server.close();
    store.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Demo 9 writes `<name>.eval.json` next to its Markdown report; the newest come first. */
function evalReports(dir: string): unknown[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eval.json"))
    .sort()
    .reverse()
    .slice(0, 20)
    .flatMap((f) => {
      try {
        return [{ file: f, ...JSON.parse(readFileSync(path.join(dir, f), "utf8")) }];
      } catch {
        return [];
      }
    });
}

function json(res: http.ServerResponse, body: unknown): void {
  send(res, 200, "application/json", JSON.stringify(body));
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    // Everything the page shows is text it puts in the DOM as text; no script but its own runs.
    "content-security-policy":
      "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
  });
  res.end(body);
}
