/**
 * The lab's own spans with a real OpenTelemetry SDK and an in-memory exporter: who decided an approval
 * (the user, an earlier "always", the --approve-all flag, a line of piped stdin), and a local tool call's
 * outcome; arguments only when content recording is on.
 */
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApprovalPrompt } from "../src/approval.ts";
import { recordToolResult, toolSpan } from "../src/spans.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const write = process.stdout.write.bind(process.stdout);
beforeAll(() => {
  provider.register();
  process.stdout.write = () => true; // the prompt's own lines
});
afterAll(async () => {
  process.stdout.write = write;
  await provider.shutdown();
});
afterEach(() => exporter.reset());

const request = { server_label: "lab_issues", name: "create_issue", arguments: '{"title":"Chairs"}' };
const approvals = () =>
  exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    approved: s.attributes["lab.approval.approved"],
    by: s.attributes["lab.approval.by"],
    events: s.events.map((e) => e.name),
  }));

describe("approve_tool spans", () => {
  it("say who decided: the user, then an earlier 'always'", async () => {
    const prompt = new ApprovalPrompt({ interactive: true, approveAll: false });
    expect(await prompt.decide(request, async () => "n")).toMatchObject({ approve: false });
    expect(await prompt.decide(request, async () => "a")).toMatchObject({ approve: true });
    expect(await prompt.decide(request, async () => "n")).toMatchObject({ approve: true }); // not asked
    const asked = ["lab.approval.asked", "lab.approval.answered"];
    expect(approvals()).toEqual([
      { name: "approve_tool create_issue", approved: false, by: "user", events: asked },
      { name: "approve_tool create_issue", approved: true, by: "user", events: asked },
      { name: "approve_tool create_issue", approved: true, by: "always (earlier answer)", events: asked },
    ]);
  });

  it("say when a flag decided, or a line of piped stdin", async () => {
    await new ApprovalPrompt({ interactive: false, approveAll: true }).decide(request, async () => "");
    await new ApprovalPrompt({ interactive: false, approveAll: false }).decide(request, async () => "n");
    expect(approvals().map((a) => [a.approved, a.by])).toEqual([
      [true, "--approve-all"],
      [false, "stdin"],
    ]);
    // Without content recording the arguments stay out of the span.
    expect(exporter.getFinishedSpans()[0]?.attributes["gen_ai.tool.call.arguments"]).toBeUndefined();
  });
});

describe("execute_tool spans", () => {
  it("mark a tool's error output as an error, and record arguments and result only when asked", async () => {
    const call = { name: "get_weather", call_id: "call_1", arguments: '{"city":"Oslo"}' };
    await toolSpan(call, async (span) => recordToolResult(span, false, '{"error":"down"}'));
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = "true";
    try {
      await toolSpan(call, async (span) => recordToolResult(span, true, '{"temperature_c":3.7}'));
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const [failed, ok] = exporter.getFinishedSpans();
    expect(failed?.status.code).toBe(2);
    expect(failed?.attributes).toMatchObject({ "error.type": "tool_error", "gen_ai.tool.call.id": "call_1" });
    expect(failed?.attributes["gen_ai.tool.call.arguments"]).toBeUndefined();
    expect(ok?.status.code).toBe(0);
    expect(ok?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.call.arguments": '{"city":"Oslo"}',
      "gen_ai.tool.call.result": '{"temperature_c":3.7}',
    });
  });
});
