// The traces page: polls the lab's trace store and draws each run's turns as waterfalls. Everything it
// shows (span names, attributes, model output recorded as content) goes into the page as text.

/** An element with an optional class and text (always textContent, never HTML). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
const time = (epochMs) => new Date(epochMs).toLocaleTimeString();

/** Groups spans into traces (one per turn or operation), each with its root and a child index. */
function tracesOf(spans) {
  const byTrace = new Map();
  for (const span of spans) {
    if (!byTrace.has(span.traceId)) byTrace.set(span.traceId, []);
    byTrace.get(span.traceId).push(span);
  }
  return [...byTrace.values()]
    .map((list) => {
      const ids = new Set(list.map((s) => s.spanId));
      const roots = list.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
      const start = Math.min(...list.map((s) => s.startMs));
      const end = Math.max(...list.map((s) => s.endMs));
      return { traceId: list[0].traceId, spans: list, roots, start, end };
    })
    .sort((a, b) => b.start - a.start);
}

function summaryOf(trace) {
  const attrs = (name) =>
    trace.spans.map((s) => s.attributes[name]).filter((v) => v !== undefined && v !== null);
  const agentSpan = trace.spans.find((s) => s.attributes["gen_ai.agent.version"] !== undefined);
  const agentName = attrs("gen_ai.agent.name")[0];
  const models = [...new Set(attrs("gen_ai.response.model"))];
  const calls = trace.spans.filter((s) =>
    ["invoke_agent", "chat"].includes(s.attributes["gen_ai.operation.name"]),
  );
  const tokens = calls.reduce(
    (sum, s) =>
      sum +
      (Number(s.attributes["gen_ai.usage.input_tokens"]) || 0) +
      (Number(s.attributes["gen_ai.usage.output_tokens"]) || 0),
    0,
  );
  const serverTools = trace.spans.flatMap((s) => s.events.filter((e) => e.name === "lab.server_tool_call"));
  return {
    title: trace.roots.map((r) => r.name).join(", "),
    agent: agentName
      ? `${agentName}${agentSpan ? ` v${agentSpan.attributes["gen_ai.agent.version"]}` : ""}`
      : undefined,
    responses: calls.length,
    tools: trace.spans.filter((s) => s.attributes["gen_ai.operation.name"] === "execute_tool").length,
    mcp: serverTools.filter((e) => e.attributes["gen_ai.tool.type"] === "mcp_call").length,
    approvals: trace.spans.filter((s) => s.name.startsWith("approve_tool ")).length,
    models,
    tokens,
    latency: trace.end - trace.start,
    input: attrs("lab.turn.input")[0],
    error: trace.spans.some((s) => s.status === 2),
  };
}

function rowKind(span) {
  if (span.status === 2) return "error";
  if (span.attributes["gen_ai.operation.name"] === "execute_tool") return "tool";
  if (span.name.startsWith("approve_tool ")) return "approval";
  if (span.kind === 2) return "server";
  return "";
}

function detailOf(span) {
  const a = span.attributes;
  const parts = [];
  if (a["gen_ai.response.model"]) parts.push(`model ${a["gen_ai.response.model"]}`);
  if (a["gen_ai.usage.input_tokens"] !== undefined)
    parts.push(`${a["gen_ai.usage.input_tokens"]} in / ${a["gen_ai.usage.output_tokens"]} out tokens`);
  if (a["gen_ai.response.id"]) parts.push(String(a["gen_ai.response.id"]));
  if (a["gen_ai.tool.call.arguments"]) parts.push(`args ${a["gen_ai.tool.call.arguments"]}`);
  if (a["lab.approval.by"] !== undefined)
    parts.push(`${a["lab.approval.approved"] ? "approved" : "denied"} by ${a["lab.approval.by"]}`);
  if (a["http.response.status_code"] !== undefined) parts.push(`HTTP ${a["http.response.status_code"]}`);
  if (a["error.type"]) parts.push(`error ${a["error.type"]}`);
  return parts.join(" · ");
}

function waterfall(trace) {
  const box = el("div", "waterfall");
  const total = Math.max(trace.end - trace.start, 1);
  const children = new Map();
  for (const span of trace.spans) {
    const key = span.parentSpanId ?? "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(span);
  }
  const addRow = (label, kind, start, end, depth, extra, name) => {
    const row = el("div", `row ${kind}`);
    if (name) row.dataset.spanName = name;
    const text = el("div", "label", label);
    text.style.paddingLeft = `${depth * 1.1}rem`;
    if (extra) text.append(el("span", "detail", extra));
    text.title = extra ? `${label} · ${extra}` : label;
    const track = el("div", "track");
    const bar = el("div", "bar");
    bar.style.left = `${((start - trace.start) / total) * 100}%`;
    bar.style.width = `${Math.max(((end - start) / total) * 100, 0.3)}%`;
    track.append(bar);
    row.append(text, track, el("div", "ms", end > start ? ms(end - start) : ""));
    box.append(row);
  };
  const visit = (span, depth) => {
    addRow(span.name, rowKind(span), span.startMs, span.endMs, depth, detailOf(span), span.name);
    for (const event of span.events) {
      if (event.name !== "lab.server_tool_call") continue;
      const a = event.attributes;
      const what = [a["gen_ai.tool.type"], a["lab.mcp.server"], a["gen_ai.tool.name"]]
        .filter(Boolean)
        .join(" ");
      addRow(`↳ ${what}`, "event", event.timeMs, event.timeMs, depth + 1, a["lab.tool.status"] ?? "");
    }
    for (const child of (children.get(span.spanId) ?? []).sort((x, y) => x.startMs - y.startMs))
      visit(child, depth + 1);
  };
  for (const root of trace.roots.sort((x, y) => x.startMs - y.startMs)) visit(root, 0);
  return box;
}

function turnView(trace, focused) {
  const s = summaryOf(trace);
  const box = el("div", `turn${focused ? " focused" : ""}`);
  box.dataset.traceId = trace.traceId;
  box.id = `trace-${trace.traceId}`;
  const line = el("div", "summary");
  const add = (k, v) => {
    if (v === undefined || v === "" || v === 0) return;
    const item = el("span");
    item.append(el("span", "k", `${k} `), el("span", "v", v));
    line.append(item);
  };
  line.append(el("strong", s.error ? "fail" : "", s.title));
  add("at", time(trace.start));
  add("agent", s.agent);
  add("responses", s.responses);
  add("tool calls", s.tools);
  add("MCP calls", s.mcp);
  add("approvals", s.approvals);
  add("model", s.models.join(", "));
  add("tokens", s.tokens);
  add("latency", ms(s.latency));
  box.append(line);
  if (s.input) box.append(el("div", "hint", `“${s.input}”`));
  box.append(waterfall(trace));
  return box;
}

async function renderRuns() {
  const { runs, lastSeq } = await (await fetch("/api/runs")).json();
  const main = document.getElementById("runs");
  const views = runs.map((run) => {
    const box = el("section", "run");
    box.dataset.runId = run.runId;
    box.dataset.service = run.service;
    const traces = tracesOf(run.spans);
    const turns = traces.filter((t) =>
      t.roots.some((r) => r.name.startsWith("turn ") || r.name.startsWith("evaluate ")),
    ).length;
    box.append(
      el(
        "h2",
        "",
        `${run.service} · ${time(run.startMs)} · ${turns} turn${turns === 1 ? "" : "s"}, ${run.spans.length} spans`,
      ),
    );
    for (const trace of traces) box.append(turnView(trace, false));
    return box;
  });
  main.replaceChildren(...views);
  if (runs.length === 0)
    main.append(el("p", "hint", "No traces yet. Run a demo with -- --otel, e.g. pnpm 1-tools -- --otel."));
  document.getElementById("status").textContent =
    `${runs.length} run(s) · updated ${new Date().toLocaleTimeString()}`;
  document.body.dataset.lastSeq = String(lastSeq);
}

async function renderFocus() {
  const focus = document.getElementById("focus");
  const id = /trace=([0-9a-f]{32})/.exec(location.hash)?.[1];
  if (!id) {
    focus.hidden = true;
    return;
  }
  const { spans } = await (await fetch(`/api/traces/${id}`)).json();
  focus.hidden = false;
  focus.replaceChildren(el("h2", "", `Trace ${id}`));
  if (spans.length === 0) focus.append(el("p", "hint", "No spans stored for this trace (yet)."));
  else focus.append(turnView(tracesOf(spans)[0], true));
}

/** The lower median, as demo 9's report computes it. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
}

async function renderEvals() {
  const { reports } = await (await fetch("/api/evals")).json();
  const box = document.getElementById("evals");
  box.hidden = reports.length === 0;
  box.replaceChildren(el("h2", "", "Evaluations (demo 9)"));
  for (const report of reports.slice(0, 5)) {
    const section = el("div", "run");
    section.dataset.report = report.file;
    section.append(
      el(
        "h2",
        "",
        `${report.dataset} · ${report.agent?.name} v${report.agent?.version} · ${Math.round(report.passRate * 100)}% of items pass · median latency ${ms(median((report.items ?? []).map((i) => i.latencyMs ?? 0)))} · ${report.startedAt ?? ""}`,
      ),
    );
    const table = el("table");
    const head = el("tr");
    for (const h of ["grader", "pass rate", "", "median latency"]) head.append(el("th", "", h));
    table.append(head);
    for (const g of report.graders ?? []) {
      const tr = el("tr");
      tr.dataset.grader = g.name;
      const chart = el("span", "chart");
      const fill = el("span");
      fill.style.width = `${g.total ? (g.passed / g.total) * 100 : 0}%`;
      chart.append(fill);
      const cell = el("td");
      cell.append(chart);
      tr.append(
        el("td", "", g.name),
        el("td", "", `${g.passed}/${g.total}`),
        cell,
        // A latency figure is the latency grader's own; on another grader's row it would only repeat
        // the items' median (in the heading above).
        el("td", "", g.name === "latency" ? ms(g.medianLatencyMs ?? 0) : ""),
      );
      table.append(tr);
    }
    section.append(table);
    const failing = (report.items ?? []).filter((i) => i.grades.some((g) => !g.pass));
    if (failing.length > 0) {
      const list = el("ul");
      for (const item of failing) {
        const li = el("li", "fail");
        li.dataset.item = item.id;
        const why = item.grades
          .filter((g) => !g.pass)
          .map((g) => `${g.grader}: ${g.why}`)
          .join("; ");
        li.append(el("span", "", `${item.id}: ${why} `));
        if (item.traceId) {
          const a = el("a", "", "trace");
          a.href = `#trace=${item.traceId}`;
          li.append(a);
        }
        list.append(li);
      }
      section.append(list);
    }
    box.append(section);
  }
}

let lastSeq = -1;
async function poll() {
  try {
    const { lastSeq: seq } = await (await fetch("/api/version")).json();
    if (seq !== lastSeq) {
      lastSeq = seq;
      await renderRuns();
      await renderFocus();
    }
  } catch (err) {
    document.getElementById("status").textContent = `Could not reach the traces server: ${err.message}`;
  }
}

window.addEventListener("hashchange", () => void renderFocus());
void renderEvals();
void poll();
setInterval(poll, 1000);
setInterval(() => void renderEvals(), 5000);
