/**
 * An OTLP/HTTP trace receiver (`POST /api/projects/<project>/v1/traces`, JSON encoding), so that
 * `OTEL_EXPORTER_OTLP_ENDPOINT=<project endpoint>` sends any OpenTelemetry SDK's spans here and the lab's
 * `--otel` works offline. Spans land in the trace store; `pnpm traces` shows them. The bearer token is
 * required like everywhere else (the lab's exporter sends it; another exporter sets OTEL_EXPORTER_OTLP_HEADERS).
 */
import type { Reply, RequestContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import type { Router } from "../router.ts";
import { spansFromOtlp } from "../stores/traces.ts";

export function mountTraces(router: Router): void {
  router.add("POST", "/v1/traces", receiveTraces, false);
}

async function receiveTraces(ctx: RequestContext): Promise<Reply> {
  const type = String(ctx.req.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim()
    .toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `This OTLP receiver takes the JSON encoding (content-type application/json), not '${type || "none"}'; set OTEL_EXPORTER_OTLP_PROTOCOL=http/json.`,
    );
  }
  let spans: ReturnType<typeof spansFromOtlp>;
  try {
    spans = spansFromOtlp(await ctx.json());
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, "invalid_payload", `Not an OTLP trace export: ${(error as Error).message}`);
  }
  ctx.app.traces.insert(spans);
  // OTLP's ExportTraceServiceResponse: an empty partialSuccess means everything was accepted.
  return { status: 200, body: { partialSuccess: {} } };
}
