/**
 * `-- --otel` end to end: demos 0, 1 and 6 run as child processes against an emulator in this process;
 * their spans arrive over OTLP/HTTP at the emulator's receiver and are read back from its trace store,
 * checking names, GenAI attributes and parent/child links. Message content stays out unless asked for.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeatherFixture, type WeatherFixture } from "../../demos/1-tools/test/weather-fixture.ts";
import { type StoredSpan, TraceStore } from "../../emulator/src/stores/traces.ts";
import { type LocalMcpServers, startMcpServers } from "../../mcp-servers/src/servers.ts";
import {
  live,
  repoRoot,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../shared/test/support.ts";

let backend: TestBackend;
let store: TraceStore;
beforeAll(async () => {
  backend = await startBackend();
  store = new TraceStore(backend.dataDir ?? tempDir());
});
afterAll(async () => {
  store?.close();
  await backend?.close();
});

const agentName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** The spans of the newest run of `service` (one child process = one run). */
function lastRun(service: string): StoredSpan[] {
  const run = store.runs(100).find((r) => r.service === service);
  expect(run, `a run of ${service} in the trace store`).toBeDefined();
  return store.spansOfRun(run?.runId ?? "");
}
const parentOf = (spans: StoredSpan[], span: StoredSpan) => spans.find((s) => s.spanId === span.parentSpanId);

describe.skipIf(live)("-- --otel", () => {
  it("demo 0: create_agent, create_conversation and one turn span per line, each with its invoke_agent child", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName("otel-hello") };
    const run = await runLab(["0-hello", "--", "--otel"], { env, input: ["Hello", "My name is Ada."] });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tracing: on → the emulator (see them with pnpm traces)");

    const spans = lastRun("0-hello");
    const names = spans.map((s) => s.name);
    expect(names).toContain(`create_agent ${env.AGENT_NAME}`);
    expect(names).toContain("create_conversation");
    const turns = spans.filter((s) => s.name === "turn 0-hello");
    expect(turns).toHaveLength(2);
    for (const turn of turns) {
      expect(turn.parentSpanId).toBeNull();
      expect(turn.attributes["gen_ai.agent.name"]).toBe(env.AGENT_NAME);
      expect(turn.attributes["gen_ai.agent.version"]).toBe("1");
      const invoke = spans.filter((s) => s.parentSpanId === turn.spanId);
      expect(invoke.map((s) => s.name)).toEqual([`invoke_agent ${env.AGENT_NAME}`]);
      expect(invoke[0]?.traceId).toBe(turn.traceId);
      expect(invoke[0]?.attributes).toMatchObject({
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "microsoft.foundry",
        "gen_ai.response.model": expect.stringMatching(/^lab-offline-/),
        "gen_ai.usage.output_tokens": expect.any(Number),
      });
    }
    // No content unless asked: the user's words are nowhere in the stored spans.
    expect(JSON.stringify(spans)).not.toContain("Ada");
    await runLab(["0-hello:reset"], { env });
  });

  describe("demo 1", () => {
    let weather: WeatherFixture;
    beforeAll(async () => {
      weather = await startWeatherFixture();
    });
    afterAll(async () => weather?.close());

    it("each local function call is an execute_tool span inside the turn, between the two invoke_agent spans", async () => {
      const env = {
        ...backend.env,
        ...weather.env,
        AGENT_NAME: agentName("otel-tools"),
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true",
      };
      const run = await runLab(["1-tools", "--", "--otel"], {
        env,
        input: ["What's the weather in Oslo and Paris?"],
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("recording message content");

      const spans = lastRun("1-tools");
      const turn = spans.find((s) => s.name === "turn 1-tools");
      expect(turn).toBeDefined();
      const children = spans
        .filter((s) => s.parentSpanId === turn?.spanId)
        .sort((a, b) => a.startMs - b.startMs);
      expect(children.map((s) => s.name)).toEqual([
        `invoke_agent ${env.AGENT_NAME}`,
        "execute_tool get_weather",
        "execute_tool get_weather",
        `invoke_agent ${env.AGENT_NAME}`,
      ]);
      const tools = children.filter((s) => s.name === "execute_tool get_weather");
      expect(
        tools.map((s) => JSON.parse(String(s.attributes["gen_ai.tool.call.arguments"])).city).sort(),
      ).toEqual(["Oslo", "Paris"]);
      for (const tool of tools) {
        expect(tool.attributes).toMatchObject({
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.type": "function",
          "gen_ai.tool.call.id": expect.any(String),
        });
        expect(String(tool.attributes["gen_ai.tool.call.result"])).toContain("temperature_c");
        expect(tool.endMs).toBeGreaterThanOrEqual(tool.startMs);
        expect(parentOf(spans, tool)?.name).toBe("turn 1-tools");
      }
      // With content recording on, the user's words are on the turn.
      expect(turn?.attributes["lab.turn.input"]).toBe("What's the weather in Oslo and Paris?");
      await runLab(["1-tools:reset"], { env });
    });
  });

  describe("demo 6", () => {
    let servers: LocalMcpServers;
    beforeAll(async () => {
      servers = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
    });
    afterAll(async () => servers?.close());

    it("each approval is an approve_tool span saying who decided; the MCP call shows on the turn", async () => {
      const env = {
        ...backend.env,
        LAB_ISSUES_MCP_URL: servers.issuesUrl,
        AGENT_NAME: agentName("otel-mcp"),
      };
      const run = await runLab(["6-mcp", "--", "--otel", "--approve-all"], {
        env,
        input: ['Create an issue titled "Traced chairs" saying we need more'],
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("approved (--approve-all)");

      const spans = lastRun("6-mcp");
      const turn = spans.find((s) => s.name === "turn 6-mcp");
      const approval = spans.find((s) => s.name === "approve_tool create_issue");
      expect(approval && parentOf(spans, approval)?.spanId).toBe(turn?.spanId);
      expect(approval?.attributes).toMatchObject({
        "lab.approval.approved": true,
        "lab.approval.by": "--approve-all",
        "lab.mcp.server": "lab_issues",
        "gen_ai.tool.type": "mcp",
      });
      expect(approval?.events.map((e) => e.name)).toEqual(["lab.approval.asked", "lab.approval.answered"]);
      const invokes = spans.filter(
        (s) => s.parentSpanId === turn?.spanId && s.name.startsWith("invoke_agent "),
      );
      expect(invokes.length).toBeGreaterThanOrEqual(2); // the one that asked, the one that ran the call
      const mcpCalls = turn?.events.filter((e) => e.attributes["gen_ai.tool.type"] === "mcp_call") ?? [];
      expect(mcpCalls.map((e) => e.attributes["gen_ai.tool.name"])).toContain("create_issue");
      await runLab(["6-mcp:reset"], { env });
    });
  });

  it("the standard OTEL_EXPORTER_OTLP_* variables send the spans to any OTLP/HTTP receiver instead", async () => {
    // Here the "other viewer" is the same receiver reached the standard way: endpoint + headers.
    const env = {
      ...backend.env,
      AGENT_NAME: agentName("otel-std"),
      LAB_TRACING: "1",
      OTEL_EXPORTER_OTLP_ENDPOINT: backend.endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer lab-otlp-token",
      OTEL_SERVICE_NAME: "standard-otlp",
    };
    const run = await runLab(["0-hello"], { env, input: ["Hello"] });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`tracing: on → OTLP ${backend.endpoint}`);
    expect(lastRun("standard-otlp").map((s) => s.name)).toContain("turn 0-hello");
    await runLab(["0-hello:reset"], { env });
  });

  it("on Azure with nobody signed in: the tracing line says its Application Insights could not be looked up, not that it has no Application Insights", async () => {
    const run = await runLab(["0-hello", "--", "--otel"], {
      env: {
        LAB_STATE_DIR: tempDir("lab-state-"),
        LAB_BACKEND: "azure",
        FOUNDRY_PROJECT_ENDPOINT: "https://lab-tracing-test.services.ai.azure.com/api/projects/nowhere",
      },
      input: ["Hello"],
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "tracing: on → nowhere: the project's Application Insights could not be looked up",
    );
    expect(run.stdout).not.toContain("has no Application Insights connected");
    expect(run.stderr).toContain("No Azure credential could get a token");
  });

  it("demo 8: one server span per request, in the chat turn's trace (traceparent), the model call nested inside", async () => {
    const env = { ...backend.env, AGENT_NAME: agentName("otel-hosted") };
    const run = await runLab(["8-hosted", "--", "--otel"], {
      env,
      input: ["Convert 10 km to miles", "My email is ada@example.com"],
    });
    expect(run.code).toBe(0);
    const spans = lastRun("8-hosted");
    const turns = spans.filter((s) => s.name === "turn 8-hosted");
    const requests = spans.filter((s) => s.name === "POST /responses");
    expect(turns).toHaveLength(2);
    expect(requests).toHaveLength(2);
    // Each turn's request is served in that turn's trace, its span a child of the client's turn span.
    for (const turn of turns) {
      const served = requests.filter((s) => s.parentSpanId === turn.spanId);
      expect(served).toHaveLength(1);
      expect(served[0]?.traceId).toBe(turn.traceId);
      expect(turn.parentSpanId).toBeNull();
    }
    const request = requests[0];
    expect(request).toMatchObject({
      kind: 2,
      attributes: { "http.request.method": "POST", "http.response.status_code": 200 },
    });
    expect(
      spans.some(
        (s) => s.parentSpanId === request?.spanId && s.attributes["gen_ai.operation.name"] === "chat",
      ),
    ).toBe(true);
    await runLab(["8-hosted:reset"], { env });
  });

  it("tracing off loads none of the OpenTelemetry SDK or exporters; --otel does", async () => {
    const modules = async (args: string[]) => {
      const log = path.join(tempDir("lab-modules-"), "modules.txt");
      const run = await runLab(["0-hello", ...args], {
        env: {
          ...backend.env,
          AGENT_NAME: agentName("otel-off"),
          NODE_OPTIONS: `--import ${path.join(repoRoot, "scripts", "src", "module-log-hook.mjs")}`,
          LAB_MODULE_LOG: log,
        },
        input: ["Hello"],
      });
      expect(run.code).toBe(0);
      return readFileSync(log, "utf8")
        .split("\n")
        .filter((url) => /node_modules\/@opentelemetry\/(?!api\/)|monitor-opentelemetry-exporter/.test(url));
    };
    expect(await modules([])).toEqual([]);
    expect((await modules(["--", "--otel"])).some((url) => url.includes("sdk-trace-node"))).toBe(true);
  });

  it("pnpm traces: a bad or busy TRACES_PORT is one sentence and exit 2", async () => {
    const bad = await runLab(["traces"], { env: { ...backend.env, TRACES_PORT: "nope" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('TRACES_PORT is "nope"; use a port number such as 4319.');
    const busy = http.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => busy.once("listening", resolve));
    const port = String((busy.address() as AddressInfo).port);
    const taken = await runLab(["traces"], { env: { ...backend.env, TRACES_PORT: port } });
    busy.close();
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(
      `The traces page could not start on 127.0.0.1:${port}: the port is in use. Set TRACES_PORT to another port.`,
    );
  });

  it("the receiver refuses what is not an OTLP/JSON export, in one sentence", async () => {
    const post = (body: string, type: string) =>
      fetch(`${backend.endpoint}/v1/traces`, {
        method: "POST",
        headers: { authorization: "Bearer lab-test-token", "content-type": type },
        body,
      });
    const proto = await post("\x0a\x00", "application/x-protobuf");
    expect(proto.status).toBe(415);
    expect(((await proto.json()) as { error: { message: string } }).error.message).toContain(
      "OTEL_EXPORTER_OTLP_PROTOCOL=http/json",
    );
    const junk = await post(
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"nope"}]}]}]}',
      "application/json",
    );
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: { message: string } }).error.message).toBe(
      "Not an OTLP trace export: A span has no valid traceId or spanId.",
    );
  });
});
