/**
 * Doctor's tracing row: where `-- --otel` spans would go. On Azure that is the project's Application
 * Insights, which the Foundry portal's Tracing tab needs connected; without one, traces go nowhere
 * (a hint, not a failure: tracing is optional). Offline, the emulator receives them.
 */
import type { Lab } from "@lab/shared/lab";

export async function tracingLine(
  lab: Lab,
): Promise<{ check: string; status: "ok" | "warn"; detail: string; fix?: string }> {
  const check = "tracing (--otel)";
  if (lab.config.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    return { check, status: "ok", detail: `OTLP to ${lab.config.env.OTEL_EXPORTER_OTLP_ENDPOINT}` };
  }
  if (lab.config.backend !== "azure") {
    return { check, status: "ok", detail: "offline: spans go to the emulator; pnpm traces shows them" };
  }
  if (lab.config.env.APPLICATIONINSIGHTS_CONNECTION_STRING) {
    return { check, status: "ok", detail: "Application Insights from APPLICATIONINSIGHTS_CONNECTION_STRING" };
  }
  try {
    // No options on purpose: in @azure/ai-projects 2.10 any options object replaces the SDK's own
    // "AppInsights, default" filter, and the first connection of any type would be taken.
    const connection = await Promise.race([
      lab.project.telemetry.getApplicationInsightsConnectionString(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), 20_000).unref()),
    ]);
    const key = /InstrumentationKey=([0-9a-f-]{8})/i.exec(connection)?.[1];
    return {
      check,
      status: "ok",
      detail: `Application Insights connected${key ? ` (key ${key}…)` : ""}: the portal's Tracing tab shows --otel runs`,
    };
  } catch {
    const fix =
      "connect an Application Insights resource to the project (Foundry portal → Tracing), or set APPLICATIONINSIGHTS_CONNECTION_STRING";
    return { check, status: "warn", detail: `no Application Insights connected: ${fix}`, fix };
  }
}
