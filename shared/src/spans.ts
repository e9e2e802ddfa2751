/**
 * The lab's own spans, where the lesson happens on the client: a chat turn, each local function call
 * (demo 1), each human approval (demos 6 and 7), each request a hosted agent serves (demo 8). Names and
 * attributes follow the OpenTelemetry GenAI semantic conventions (`execute_tool <name>`, `gen_ai.*`);
 * what has no convention is `lab.*`. Only `@opentelemetry/api` is used, which the Foundry SDK loads
 * anyway: with tracing off every span here is the API's no-op span and costs next to nothing.
 */
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { Response } from "openai/resources/responses/responses";

export type { Span } from "@opentelemetry/api";

import { contentRecording } from "./tracing.ts";

const tracer = () => trace.getTracer("foundry-agent-lab");

/** Runs `fn` inside a new active span (children nest under it) and ends it, marking errors. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? "Error" });
      span.setAttribute("error.type", (err as Error)?.name ?? "Error");
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Makes each chat turn one span: everything the SDK does for it (its `invoke_agent` spans) nests inside. */
export function tracedTurns<T extends { input: string }, R>(
  demo: string,
  onTurn: (turn: T) => Promise<R>,
): (turn: T) => Promise<R> {
  return (turn) =>
    inSpan(
      `turn ${demo}`,
      { "lab.demo": demo, ...(contentRecording() ? { "lab.turn.input": turn.input } : {}) },
      () => onTurn(turn),
    );
}

/**
 * What a response says that the trace should show: the agent version that answered, the served model,
 * tokens, and each server-side tool call (MCP, file search, web search, code) as an event on the turn.
 */
export function recordResponse(response: Response): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const ref = (response as { agent_reference?: { name?: string; version?: string } }).agent_reference;
  if (ref?.name) span.setAttribute("gen_ai.agent.name", ref.name);
  if (ref?.version) span.setAttribute("gen_ai.agent.version", String(ref.version));
  if (response.model) span.setAttribute("gen_ai.response.model", response.model);
  const conversation = (response as { conversation?: { id?: string } | null }).conversation;
  if (conversation?.id) span.setAttribute("gen_ai.conversation.id", conversation.id);
  for (const item of response.output) {
    if (item.type === "message" || item.type === "function_call" || item.type === "reasoning") continue;
    const named = item as { name?: string; server_label?: string; status?: string; error?: unknown };
    span.addEvent("lab.server_tool_call", {
      "gen_ai.tool.type": item.type,
      ...(named.name ? { "gen_ai.tool.name": named.name } : {}),
      ...(named.server_label ? { "lab.mcp.server": named.server_label } : {}),
      ...(named.status ? { "lab.tool.status": named.status } : {}),
      ...(named.error ? { "error.type": "tool_error" } : {}),
    });
  }
}

/** A local function call (the `execute_tool` span of the GenAI conventions); arguments only if asked. */
export function toolSpan<T>(
  call: { name: string; call_id: string; arguments: string },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(
    `execute_tool ${call.name}`,
    {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": call.name,
      "gen_ai.tool.call.id": call.call_id,
      "gen_ai.tool.type": "function",
      ...(contentRecording() ? { "gen_ai.tool.call.arguments": call.arguments } : {}),
    },
    fn,
  );
}

/** Records a tool's result on its span (content only if asked) and whether it was an error. */
export function recordToolResult(span: Span, ok: boolean, output: string): void {
  if (!ok) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: "tool returned an error" });
    span.setAttribute("error.type", "tool_error");
  }
  if (contentRecording()) span.setAttribute("gen_ai.tool.call.result", output);
}

/** Who decides an MCP call: asked, answered (approved or not), and by whom (the user, a rule, a flag). */
export function approvalSpan<T extends { approve: boolean }>(
  request: { server_label: string; name: string; arguments: string },
  by: string,
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `approve_tool ${request.name}`,
    {
      "gen_ai.tool.name": request.name,
      "gen_ai.tool.type": "mcp",
      "lab.mcp.server": request.server_label,
      ...(contentRecording() ? { "gen_ai.tool.call.arguments": request.arguments } : {}),
    },
    async (span) => {
      span.addEvent("lab.approval.asked");
      const decision = await fn();
      span.setAttribute("lab.approval.approved", decision.approve);
      span.setAttribute("lab.approval.by", by);
      span.addEvent("lab.approval.answered", {
        "lab.approval.approved": decision.approve,
        "lab.approval.by": by,
      });
      return decision;
    },
  );
}

/**
 * The active span's W3C trace context (`traceparent`, `tracestate`) as request headers, for a call the
 * Foundry SDK does not make (a plain `openai` client pointed at a server of our own), so the server's span
 * continues this trace. Empty with tracing off.
 */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

interface IncomingLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface OutgoingLike {
  statusCode: number;
  on(event: "close", listener: () => void): unknown;
}

/**
 * A server span per request a hosted agent serves, continuing the caller's trace (`traceparent`), so
 * the client's `invoke_agent` span and the server's work line up in one waterfall. Express middleware.
 */
export function requestSpans(req: IncomingLike, res: OutgoingLike, next: () => void): void {
  const parent = propagation.extract(context.active(), req.headers);
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const span = tracer().startSpan(
    `${req.method ?? "GET"} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method ?? "GET", "url.path": path },
    },
    parent,
  );
  res.on("close", () => {
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
