/**
 * Serving an MCP server over Streamable HTTP on the loopback interface. Stateless: each POST gets a fresh
 * server and transport, so there are no sessions to leak. The Host header is checked (DNS rebinding) and a
 * browser Origin other than this server's own is refused. Every error leaves as a JSON-RPC error object,
 * never Express's HTML page (which shows a stack trace and this checkout's absolute paths).
 */
import { timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

export interface ServedMcp {
  /** The MCP endpoint, e.g. http://127.0.0.1:8931/mcp */
  url: string;
  /** Milliseconds since the last request (a shared server stops itself once nobody uses it). */
  idleMs(): number;
  close(): Promise<void>;
}

const methodNotAllowed = {
  jsonrpc: "2.0",
  error: { code: -32000, message: "Method not allowed." },
  id: null,
};

/**
 * What a lab server says about itself at `GET /lab-mcp` (whose it is, which code), and how it can be asked
 * to exit: `POST /lab-mcp/exit` with the key in `x-lab-mcp-key` (only a run that can read the key from
 * the data folder can; see servers.ts).
 */
export interface LabEndpoints {
  about: Record<string, unknown>;
  exitKey?: string;
  onExit?: () => void;
}

/**
 * `background`: do not keep the process alive for this server (a demo that started it in-process must
 * still exit when its chat ends).
 */
export async function serveMcp(
  build: () => McpServer,
  port = 0,
  host = "127.0.0.1",
  background = false,
  lab?: LabEndpoints,
): Promise<ServedMcp> {
  const app = createMcpExpressApp({ host });
  let origins: string[] = [];
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && !origins.includes(origin)) {
      res.status(403).json({
        jsonrpc: "2.0",
        error: { code: -32000, message: `Origin ${origin} is not allowed.` },
        id: null,
      });
      return;
    }
    next();
  });
  app.post("/mcp", async (req, res) => {
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  if (lab) {
    app.get("/lab-mcp", (_req, res) => {
      res.json(lab.about);
    });
    app.post("/lab-mcp/exit", (req, res) => {
      const given = Buffer.from(String(req.headers["x-lab-mcp-key"] ?? ""));
      const key = Buffer.from(lab.exitKey ?? "");
      if (!lab.exitKey || !lab.onExit || given.length !== key.length || !timingSafeEqual(given, key)) {
        res.status(403).json({ error: "Not allowed." });
        return;
      }
      res.status(202).json({ exiting: true });
      res.on("finish", () => lab.onExit?.());
    });
  }
  app.get("/mcp", (_req, res) => {
    res.status(405).json(methodNotAllowed);
  });
  app.delete("/mcp", (_req, res) => {
    res.status(405).json(methodNotAllowed);
  });

  // Four arguments make this Express's error handler: the JSON parser's failures (bad JSON, a body over
  // its 100 KB limit) and anything a handler throws end here.
  app.use((err: unknown, _req: unknown, res: JsonReply, _next: unknown) => {
    const status = httpStatusOf(err);
    const [code, message] =
      status === 413
        ? [-32600, "Invalid Request: the body is larger than this server accepts (100 KB)."]
        : status === 400
          ? [-32700, "Parse error: the body is not valid JSON."]
          : [-32603, "Internal error."];
    if (status >= 500) console.error(`[mcp] ${err instanceof Error ? err.message : String(err)}`);
    if (res.headersSent) return void res.end();
    res.status(status).json({ jsonrpc: "2.0", error: { code, message }, id: null });
  });

  const http: Server = await new Promise((resolve, reject) => {
    // Express 5 calls this back with the error too (a port in use), not only once listening.
    const listening = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  if (background) {
    http.unref();
    http.on("connection", (socket) => socket.unref());
  }
  let lastRequest = Date.now();
  http.on("request", () => {
    lastRequest = Date.now();
  });
  const bound = (http.address() as AddressInfo).port;
  origins = [`http://127.0.0.1:${bound}`, `http://localhost:${bound}`];
  return {
    url: `http://${host}:${bound}/mcp`,
    idleMs: () => Date.now() - lastRequest,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** What the error handler needs of Express's response (express itself is the MCP SDK's dependency). */
interface JsonReply {
  headersSent: boolean;
  status(code: number): { json(body: unknown): unknown };
  end(): unknown;
}

/** The HTTP status an Express or body-parser error carries (`status`/`statusCode`), else 500. */
function httpStatusOf(err: unknown): number {
  const fields = (err ?? {}) as { status?: unknown; statusCode?: unknown };
  const status = Number(fields.status ?? fields.statusCode);
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}
