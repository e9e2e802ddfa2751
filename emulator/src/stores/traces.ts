/**
 * Spans the emulator received over OTLP/HTTP (`POST …/v1/traces`), kept in their own SQLite file
 * (`<dataDir>/traces.db`) so traces can be wiped without touching agents and conversations, and so
 * `pnpm traces` can read them while a chat is still writing (WAL). Bounded: the oldest spans go first.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Beyond this many spans the oldest are dropped: a trace viewer for a lab, not an archive. */
export const MAX_STORED_SPANS = 50_000;
/** A single attribute value longer than this is cut (message content can be long). */
const MAX_VALUE_CHARS = 8_000;

export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [k: string]: AttributeValue };

export interface StoredSpan {
  seq: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** `service.instance.id` of the process that sent it: one run of a demo. */
  runId: string;
  service: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number;
  statusMessage: string | null;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; timeMs: number; attributes: Record<string, AttributeValue> }>;
}

export interface RunSummary {
  runId: string;
  service: string;
  startMs: number;
  endMs: number;
  spans: number;
  traces: number;
}

export class TraceStore {
  private readonly db: DatabaseSync;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(path.join(dataDir, "traces.db"), { timeout: 5000 });
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS spans (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        parent_span_id TEXT,
        run_id TEXT NOT NULL,
        service TEXT NOT NULL,
        name TEXT NOT NULL,
        kind INTEGER NOT NULL,
        start_ms REAL NOT NULL,
        end_ms REAL NOT NULL,
        status INTEGER NOT NULL,
        status_message TEXT,
        attributes TEXT NOT NULL,
        events TEXT NOT NULL,
        UNIQUE (trace_id, span_id)
      );
      CREATE INDEX IF NOT EXISTS spans_by_run ON spans (run_id, start_ms);
      CREATE INDEX IF NOT EXISTS spans_by_trace ON spans (trace_id);`);
  }

  /** Stores the spans of one OTLP/JSON `ExportTraceServiceRequest`; returns how many were accepted. */
  insert(spans: Omit<StoredSpan, "seq">[]): number {
    const put = this.db.prepare(
      `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, run_id, service, name, kind, start_ms,
         end_ms, status, status_message, attributes, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const s of spans) {
        put.run(
          s.traceId,
          s.spanId,
          s.parentSpanId,
          s.runId,
          s.service,
          s.name,
          s.kind,
          s.startMs,
          s.endMs,
          s.status,
          s.statusMessage,
          JSON.stringify(s.attributes),
          JSON.stringify(s.events),
        );
      }
      this.db
        .prepare("DELETE FROM spans WHERE seq <= (SELECT MAX(seq) FROM spans) - ?")
        .run(MAX_STORED_SPANS);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    return spans.length;
  }

  /** The newest runs first. */
  runs(limit = 30): RunSummary[] {
    return this.db
      .prepare(
        `SELECT run_id, MIN(service) AS service, MIN(start_ms) AS start_ms, MAX(end_ms) AS end_ms,
           COUNT(*) AS spans, COUNT(DISTINCT trace_id) AS traces
         FROM spans GROUP BY run_id ORDER BY MIN(start_ms) DESC LIMIT ?`,
      )
      .all(limit)
      .map((row) => ({
        runId: String(row.run_id),
        service: String(row.service),
        startMs: Number(row.start_ms),
        endMs: Number(row.end_ms),
        spans: Number(row.spans),
        traces: Number(row.traces),
      }));
  }

  /** Every span of one run, in start order. */
  spansOfRun(runId: string): StoredSpan[] {
    return this.db
      .prepare("SELECT * FROM spans WHERE run_id = ? ORDER BY start_ms LIMIT 5000")
      .all(runId)
      .map(fromRow);
  }

  /** Every span of one trace, in start order. */
  spansOfTrace(traceId: string): StoredSpan[] {
    return this.db
      .prepare("SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms LIMIT 5000")
      .all(traceId)
      .map(fromRow);
  }

  /** Grows with every insert: a page polls it to know whether to redraw. */
  lastSeq(): number {
    const row = this.db.prepare("SELECT MAX(seq) AS seq FROM spans").get();
    return Number(row?.seq ?? 0);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function fromRow(row: Record<string, unknown>): StoredSpan {
  return {
    seq: Number(row.seq),
    traceId: String(row.trace_id),
    spanId: String(row.span_id),
    parentSpanId: row.parent_span_id ? String(row.parent_span_id) : null,
    runId: String(row.run_id),
    service: String(row.service),
    name: String(row.name),
    kind: Number(row.kind),
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    status: Number(row.status),
    statusMessage: row.status_message ? String(row.status_message) : null,
    attributes: JSON.parse(String(row.attributes)),
    events: JSON.parse(String(row.events)),
  };
}

/**
 * Reads an OTLP/JSON `ExportTraceServiceRequest` (the body the OpenTelemetry OTLP/HTTP exporters send).
 * Throws a one-sentence Error for a body that is not one.
 */
export function spansFromOtlp(body: unknown): Omit<StoredSpan, "seq">[] {
  const resourceSpans = (body as { resourceSpans?: unknown })?.resourceSpans;
  if (!Array.isArray(resourceSpans)) throw new Error("The body has no resourceSpans array.");
  const out: Omit<StoredSpan, "seq">[] = [];
  for (const rs of resourceSpans) {
    const resource = attributes((rs as { resource?: { attributes?: unknown } })?.resource?.attributes);
    const service = String(resource["service.name"] ?? "unknown_service");
    const runId = String(resource["service.instance.id"] ?? service);
    for (const ss of arrayOf((rs as { scopeSpans?: unknown }).scopeSpans)) {
      for (const raw of arrayOf((ss as { spans?: unknown }).spans)) {
        const span = raw as Record<string, unknown>;
        const traceId = hexId(span.traceId, 16);
        const spanId = hexId(span.spanId, 8);
        if (!traceId || !spanId) throw new Error("A span has no valid traceId or spanId.");
        const parent = span.parentSpanId ? hexId(span.parentSpanId, 8) : undefined;
        const status = (span.status ?? {}) as { code?: unknown; message?: unknown };
        out.push({
          traceId,
          spanId,
          parentSpanId: parent ?? null,
          runId,
          service,
          name: clip(String(span.name ?? "")),
          kind: Number(span.kind ?? 0) || 0,
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          status: Number(status.code ?? 0) || 0,
          statusMessage: typeof status.message === "string" && status.message ? clip(status.message) : null,
          attributes: attributes(span.attributes),
          events: arrayOf(span.events).map((e) => {
            const event = e as { name?: unknown; timeUnixNano?: unknown; attributes?: unknown };
            return {
              name: clip(String(event.name ?? "")),
              timeMs: nanosToMs(event.timeUnixNano),
              attributes: attributes(event.attributes),
            };
          }),
        });
      }
    }
  }
  return out;
}

const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const clip = (text: string) => (text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text);

function attributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of arrayOf(list).slice(0, 256)) {
    const { key, value } = (kv ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key === "string") out[key] = anyValue(value, 0);
  }
  return out;
}

/** OTLP AnyValue → plain JSON (depth-limited). */
function anyValue(value: unknown, depth: number): AttributeValue {
  if (!value || typeof value !== "object" || depth > 4) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.stringValue === "string") return clip(v.stringValue);
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue)
    return arrayOf((v.arrayValue as { values?: unknown }).values).map((x) => anyValue(x, depth + 1));
  if (v.kvlistValue) {
    const nested: Record<string, AttributeValue> = {};
    for (const kv of arrayOf((v.kvlistValue as { values?: unknown }).values)) {
      const { key, value: inner } = (kv ?? {}) as { key?: unknown; value?: unknown };
      if (typeof key === "string") nested[key] = anyValue(inner, depth + 1);
    }
    return nested;
  }
  return null;
}

/** OTLP/JSON ids are hex; the generic protobuf-JSON mapping gives base64: accept both. */
function hexId(value: unknown, bytes: number): string | undefined {
  if (typeof value !== "string") return undefined;
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, "base64");
  return decoded.length === bytes ? decoded.toString("hex") : undefined;
}

function nanosToMs(value: unknown): number {
  try {
    if (typeof value === "string" && /^\d+$/.test(value)) return Number(BigInt(value) / 1000n) / 1000;
    if (typeof value === "number" && Number.isFinite(value)) return value / 1e6;
  } catch {
    // fall through
  }
  return 0;
}
