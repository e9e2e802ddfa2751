/**
 * Demo 4 · the web page's server (express). The browser never talks to Foundry: it posts a message
 * here, this server calls the agent with the same `responses.create` as the terminal chat and relays
 * the stream to the page as server-sent events of its own (text, code, logs, files, the served model),
 * and it downloads generated files from the container for the page. No token or key reaches the page.
 */
import path from "node:path";
import { type AgentRef, agentReference, statusOf } from "@lab/shared/agents";
import express, { type NextFunction, type Request, type Response } from "express";
import type OpenAI from "openai";
import { download, type GeneratedFile, generatedFiles, safeFilename } from "./generated-files.ts";

export interface WebOptions {
  openai: OpenAI;
  agent: AgentRef;
  /** The deployment the agent runs on (model-router picks the model that serves each answer). */
  deployment: string;
  /** Creates a conversation for the page (and records it, so reset deletes it). */
  newConversation(): Promise<string>;
  /** One sentence for an error, for people. */
  describe(err: unknown): string;
}

const PUBLIC = path.join(import.meta.dirname, "..", "public");
const MAX_MESSAGE = 4000;
const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

/** A mistake in what the page sent: becomes a 4xx with this sentence. */
class BadRequest extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function createWebApp(options: WebOptions): express.Express {
  const { openai, agent } = options;
  const conversations = new Set<string>();
  /** Files cited in answers on this page: the only ones the file route hands out. */
  const cited = new Map<string, GeneratedFile>();

  const app = express();
  app.disable("x-powered-by");
  app.use(sameOriginOnly);
  app.use((_req, res, next) => {
    res.set({
      // Model output is data, never code: only our own script runs, and nothing inline.
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    next();
  });
  app.use(express.static(PUBLIC, { index: "index.html", maxAge: 0 }));

  app.post("/api/conversations", async (_req, res) => {
    const id = await options.newConversation();
    conversations.add(id);
    res.json({ conversation: id });
  });

  app.post("/api/chat", express.json({ limit: "16kb" }), async (req, res) => {
    const { conversation, message } = readChat(req.body, conversations);
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) controller.abort(); // the page went away: stop the answer
    });
    // Errors before the first event (agent gone, throttled) still get a status code of their own.
    const stream = await openai.responses
      .create(
        { conversation, input: message, stream: true, include: ["code_interpreter_call.outputs"] },
        { body: agentReference(agent), signal: controller.signal },
      )
      .catch((err: unknown) => {
        const status = statusOf(err);
        throw new BadRequest(status && status >= 400 && status < 500 ? status : 502, options.describe(err));
      });
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const send = (event: object) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    try {
      for await (const event of stream) {
        if (event.type === "response.output_text.delta") send({ type: "text", delta: event.delta });
        else if (event.type === "response.output_item.added" && event.item.type === "code_interpreter_call")
          send({ type: "code_start", id: event.item.id });
        else if (event.type === "response.code_interpreter_call_code.delta")
          send({ type: "code", id: event.item_id, delta: event.delta });
        else if (event.type === "response.output_item.done" && event.item.type === "code_interpreter_call") {
          const logs = (event.item.outputs ?? []).map((o) => (o.type === "logs" ? o.logs : "")).join("");
          send({
            type: "code_done",
            id: event.item.id,
            code: event.item.code,
            status: event.item.status,
            logs,
          });
        } else if (event.type === "response.failed")
          throw new Error(event.response.error?.message ?? "failed");
        else if (event.type === "error") throw new Error(event.message);
        else if (event.type === "response.completed") {
          for (const file of generatedFiles(event.response)) {
            const key = `${file.containerId}/${file.fileId}`;
            cited.set(key, file);
            const image = extension(file.filename) in IMAGE_TYPES;
            send({ type: "file", filename: file.filename, url: `/api/files/${key}`, image });
          }
          send({ type: "done", model: event.response.model, deployment: options.deployment });
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) send({ type: "error", message: options.describe(err) });
    }
    res.end();
  });

  app.get("/api/files/:containerId/:fileId", async (req, res) => {
    const file = cited.get(`${req.params.containerId}/${req.params.fileId}`);
    if (!file) throw new BadRequest(404, "That file was not part of an answer on this page.");
    let bytes: Buffer;
    try {
      bytes = await download(openai, file);
    } catch (err) {
      throw new BadRequest(502, `${file.filename} could not be downloaded: ${options.describe(err)}`);
    }
    const type = IMAGE_TYPES[extension(file.filename)];
    res.set({
      "content-type": type ?? "application/octet-stream",
      "content-disposition": `${type ? "inline" : "attachment"}; filename="${safeFilename(file.filename)}"`,
      // A generated SVG opened on its own must not run script in this origin.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "cache-control": "private, max-age=3600",
    });
    res.send(bytes);
  });

  app.use("/api", (_req, _res, next) => next(new BadRequest(404, "There is no such API route.")));
  app.use(errorHandler);
  return app;
}

/** Only `{conversation, message}` from this page: known conversation, non-empty text of sane size. */
function readChat(body: unknown, conversations: Set<string>): { conversation: string; message: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequest(400, "Send a JSON object with conversation and message.");
  }
  const { conversation, message, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new BadRequest(400, `Unexpected field: ${Object.keys(rest)[0]}.`);
  if (typeof conversation !== "string" || !conversations.has(conversation)) {
    throw new BadRequest(400, "That conversation was not started on this page; press New conversation.");
  }
  if (typeof message !== "string" || message.trim() === "")
    throw new BadRequest(400, "Type a message first.");
  if (message.length > MAX_MESSAGE) {
    throw new BadRequest(413, `The message is longer than ${MAX_MESSAGE} characters.`);
  }
  return { conversation, message: message.trim() };
}

/**
 * The server listens on 127.0.0.1 (or DEMO4_HOST), but a web page elsewhere could still reach it through
 * the browser. DNS rebinding needs the attacker's own name in Host, so only `localhost` and IP addresses
 * (the bound address, typed into the address bar) are answered; a request whose Origin is another site
 * is refused too.
 */
function sameOriginOnly(req: Request, _res: Response, next: NextFunction): void {
  const host = req.headers.host ?? "";
  if (!/^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[\da-f:.]+\])(?::\d+)?$/i.test(host)) {
    next(new BadRequest(403, "This page only answers on its IP address or localhost."));
    return;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    next(new BadRequest(403, "Requests from other sites are refused."));
    return;
  }
  next();
}

function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const e = err as { status?: number; type?: string; message?: string };
  let status = 500;
  let message = "The page's server hit an unexpected error; see its terminal.";
  if (err instanceof BadRequest) {
    status = err.status;
    message = err.message;
  } else if (e.type === "entity.too.large") {
    status = 413;
    message = "The request is too large.";
  } else if (e.type === "entity.parse.failed") {
    status = 400;
    message = "The request is not valid JSON.";
  } else if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    status = e.status;
    message = e.message ?? "Bad request.";
  } else {
    console.error(err);
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json({ error: message });
}

function extension(filename: string): string {
  return path.extname(filename).toLowerCase();
}
