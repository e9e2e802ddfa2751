/**
 * OpenTelemetry for every demo, switched on by `-- --otel` or `LAB_TRACING=1` and set up here once.
 * `@azure/ai-projects` v2 ships its own GenAI instrumentation: a client constructed with `tracingOptions`
 * emits `create_agent`, `invoke_agent <name>` and `create_conversation` spans through whatever tracer
 * provider is registered globally at call time, so the provider is registered here before `connect()`
 * constructs the client. Where the spans go: `OTEL_EXPORTER_OTLP_ENDPOINT` if set (any OTLP/HTTP viewer),
 * else the project's Application Insights on Azure, else the emulator's OTLP receiver (`pnpm traces`).
 * With tracing off nothing here loads: the OpenTelemetry SDK and exporters are imported on demand.
 */
import { randomUUID } from "node:crypto";
import type { AIProjectClient } from "@azure/ai-projects";
import type { SpanExporter } from "@opentelemetry/sdk-trace-node";
import type { Backend } from "./config.ts";
import { credentialFailed } from "./errors.ts";
import { dim } from "./terminal.ts";

type Env = Record<string, string | undefined>;

const truthy = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value?.trim() ?? "");

/** True when this run should record traces: `--otel` on the command line or `LAB_TRACING=1`. */
export function tracingRequested(argv = process.argv, env: Env = process.env): boolean {
  return argv.includes("--otel") || truthy(env.LAB_TRACING);
}

/** Message content (prompts, answers, tool arguments and results) is recorded only when asked for. */
export function contentRecording(argv = process.argv, env: Env = process.env): boolean {
  return argv.includes("--otel-content") || truthy(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT);
}

/** The SDK's own switch: `tracingOptions` on the client (the experimental gate included). */
export function sdkTracingOptions(env: Env = process.env) {
  return { experimental: true, contentRecording: contentRecording(process.argv, env) };
}

interface Tracing {
  /** Where spans go once connectTracing knows the backend; spans started before then wait for it. */
  late: LateExporter;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let started: Promise<Tracing> | undefined;

/** Registers the global tracer provider (idempotent). Spans wait in memory until a target is known. */
export function startTracing(serviceName: string, env: Env = process.env): Promise<Tracing> {
  started ??= (async () => {
    const { NodeTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-node");
    const { resourceFromAttributes } = await import("@opentelemetry/resources");
    const late = new LateExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME || serviceName,
        // One id per process: the trace page groups a run's turns by it.
        "service.instance.id": randomUUID(),
        "service.namespace": "foundry-agent-lab",
      }),
      // A short delay so `pnpm traces` shows a turn while the chat is still running.
      // Batches of 64 stay under the receiver's 1 MiB body limit even with message content recorded.
      spanProcessors: [new BatchSpanProcessor(late, { scheduledDelayMillis: 500, maxExportBatchSize: 64 })],
    });
    provider.register();
    let ended: Promise<void> | undefined;
    const shutdown = () => {
      ended ??= provider.shutdown().catch(() => undefined);
      return ended;
    };
    // The demos end by running out of work: flush then, so the last turn's spans are not lost.
    process.once("beforeExit", () => void shutdown());
    return { late, flush: () => provider.forceFlush(), shutdown };
  })();
  return started;
}

export interface TracingTarget {
  backend: Backend;
  /** The project endpoint (the emulator's receiver is `<endpoint>/v1/traces`). */
  endpoint: string;
  /** The emulator's bearer token. */
  token?: string;
  project: AIProjectClient;
  env: Env;
  /** Where the one line about the destination goes (default: stdout). */
  say?: (line: string) => void;
}

/** Chooses where spans go and says so in one line. Never fails the demo: tracing is an aid. */
export async function connectTracing(target: TracingTarget): Promise<void> {
  if (!started) return;
  const { late } = await started;
  const { env } = target;
  let exporter: SpanExporter | undefined;
  let where: string;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    // The exporter reads OTEL_* from process.env only: let the lab's .env files set them too.
    for (const [key, value] of Object.entries(env))
      if (key.startsWith("OTEL_") && process.env[key] === undefined) process.env[key] = value;
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    // The exporter reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers) itself.
    exporter = new OTLPTraceExporter();
    where = `OTLP ${env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT}`;
  } else if (target.backend === "azure") {
    // Only a 404 means the project has none; no token, no network or a 403 mean it is unknown.
    let lookupFailed: string | undefined;
    const connectionString =
      env.APPLICATIONINSIGHTS_CONNECTION_STRING ||
      (await target.project.telemetry.getApplicationInsightsConnectionString().catch((err: unknown) => {
        const e = err as { statusCode?: number; status?: number; message?: string };
        const status = e.statusCode ?? e.status;
        if (status !== 404)
          lookupFailed = credentialFailed(err)
            ? "no Azure token"
            : status
              ? `HTTP ${status}`
              : (e.message ?? String(err)).split("\n")[0]?.slice(0, 120);
        return "";
      }));
    if (lookupFailed !== undefined) {
      where = `nowhere: the project's Application Insights could not be looked up (${lookupFailed})`;
    } else if (connectionString) {
      const { AzureMonitorTraceExporter } = await import("@azure/monitor-opentelemetry-exporter");
      exporter = new AzureMonitorTraceExporter({ connectionString });
      where = "the project's Application Insights (Foundry portal → Tracing)";
    } else {
      where =
        "nowhere: this project has no Application Insights connected (connect one in the Foundry portal under Tracing, or set APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT)";
    }
  } else {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    exporter = new OTLPTraceExporter({
      url: `${target.endpoint}/v1/traces`,
      headers: { authorization: `Bearer ${target.token ?? "lab-local-token"}` },
    });
    where = "the emulator (see them with pnpm traces)";
  }
  late.setTarget(exporter);
  const say = target.say ?? ((line: string) => process.stdout.write(`${dim(line)}\n`));
  say(`tracing: on → ${where}${contentRecording(process.argv, env) ? " · recording message content" : ""}`);
}

/** Ends tracing in this process: flushes, and removes the global provider (the bench measures on without it). */
export async function stopTracing(): Promise<void> {
  if (!started) return;
  await (await started).shutdown();
  started = undefined;
  (await import("@opentelemetry/api")).trace.disable();
}

/** Sends what is buffered now (the chat calls it after each turn, so the page updates mid-chat). */
export async function flushTracing(): Promise<void> {
  if (!started) return;
  await (await started).flush();
}

/**
 * A span exporter whose destination is decided after spans already exist (create-agent runs before the
 * emulator's address or the project's Application Insights is known). Until then it keeps them.
 */
class LateExporter implements SpanExporter {
  private target: SpanExporter | undefined | null;
  private waiting: Parameters<SpanExporter["export"]>[0] = [];

  setTarget(target: SpanExporter | undefined): void {
    this.target = target ?? null;
    const waiting = this.waiting;
    this.waiting = [];
    if (target && waiting.length > 0) target.export(waiting, () => undefined);
  }

  export(spans: Parameters<SpanExporter["export"]>[0], done: Parameters<SpanExporter["export"]>[1]): void {
    if (this.target) {
      this.target.export(spans, done);
      return;
    }
    // Not known yet: keep them (bounded); `null` means there is nowhere to send them.
    if (this.target === undefined && this.waiting.length < 10_000) this.waiting.push(...spans);
    done({ code: 0 });
  }

  async forceFlush(): Promise<void> {
    await this.target?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.target?.shutdown();
  }
}
