/**
 * Code interpreter through the real openai SDK: the lab model's analyses of an uploaded CSV run as Python
 * in the sandbox (the numbers are checked against the CSV here), the call item and its streaming events,
 * `container_file_citation` and the containers files API, and the sandbox refusing or stopping code that
 * loops, eats memory, floods output, reads outside its folder or opens a socket, while the emulator
 * keeps serving.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { toFile } from "openai";
import type { Response } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxInfo } from "../src/sandbox/run.ts";
import { type Lab, raw, startLab } from "./support.ts";

const CSV_PATH = path.resolve(import.meta.dirname, "../../demos/4-code/data/sales.csv");
const CSV = readFileSync(CSV_PATH, "utf8");
const rows = CSV.trim()
  .split("\n")
  .slice(1)
  .map((line) => line.split(","));

let lab: Lab;
let fileId: string;
// Unsandboxed (EMULATOR_CODE_SANDBOX=none, where bubblewrap cannot run) only the limits hold.
const sandboxed = (await sandboxInfo()).boundary === "bubblewrap";

beforeAll(async () => {
  process.env.EMULATOR_CODE_TIMEOUT_MS = "2000";
  process.env.EMULATOR_CODE_MAX_OUTPUT_BYTES = "65536";
  lab = await startLab();
  fileId = (
    await lab.openai.files.create({
      file: await toFile(Buffer.from(CSV), "sales.csv"),
      purpose: "assistants",
    })
  ).id;
});
afterAll(() => lab.close());

const tools = () => [
  { type: "code_interpreter" as const, container: { type: "auto" as const, file_ids: [fileId] } },
];

function ask(input: string, extra: { conversation?: string } = {}): Promise<Response> {
  return lab.openai.responses.create({
    model: "model-router",
    input,
    tools: tools(),
    include: ["code_interpreter_call.outputs"],
    ...extra,
  });
}

function callOf(response: Response) {
  const call = response.output.find((i) => i.type === "code_interpreter_call");
  if (call?.type !== "code_interpreter_call") throw new Error("no code_interpreter_call");
  return call;
}

function logsOf(response: Response): string {
  const output = callOf(response).outputs?.[0];
  return output?.type === "logs" ? output.logs : "";
}

function textOf(response: Response) {
  const message = response.output.find((i) => i.type === "message");
  const part = message?.type === "message" ? message.content[0] : undefined;
  if (part?.type !== "output_text") throw new Error("no output_text");
  return part;
}

describe("code interpreter: analyses of a CSV", () => {
  it("draws a bar chart in Python, cites the file, and serves it from the containers files API", async () => {
    const response = await ask("Draw a bar chart of revenue by region");
    const call = callOf(response);
    expect(call.status).toBe("completed");
    expect(call.code).toContain("import csv");
    expect(call.container_id).toMatch(/^cntr_/);
    // The totals printed by the Python equal the CSV's own sums.
    const north = rows.filter((r) => r[1] === "North").reduce((sum, r) => sum + Number(r[3]), 0);
    expect(logsOf(response)).toContain(
      `North: ${north.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
    );
    const part = textOf(response);
    expect(part.text).toContain("bar chart of **revenue_eur** by **region**");
    const citation = part.annotations.find((a) => a.type === "container_file_citation");
    if (citation?.type !== "container_file_citation") throw new Error("no container_file_citation");
    expect(citation).toMatchObject({ container_id: call.container_id, filename: "chart.svg" });
    expect(part.text.slice(citation.start_index, citation.end_index)).toBe(
      "[chart.svg](sandbox:/mnt/data/chart.svg)",
    );

    const meta = await lab.openai.containers.files.retrieve(citation.file_id, {
      container_id: call.container_id,
    });
    expect(meta).toMatchObject({
      object: "container.file",
      path: "/mnt/data/chart.svg",
      source: "assistant",
    });
    const content = await lab.openai.containers.files.content.retrieve(citation.file_id, {
      container_id: call.container_id,
    });
    expect(content.headers.get("content-type")).toBe("image/svg+xml");
    const svg = Buffer.from(await content.arrayBuffer()).toString("utf8");
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(meta.bytes).toBe(Buffer.byteLength(svg));

    const listed = [];
    for await (const f of lab.openai.containers.files.list(call.container_id)) listed.push(f.path);
    expect(listed.sort()).toEqual(["/mnt/data/chart.svg", "/mnt/data/sales.csv"]);
  });

  it("computes summary statistics in Python and answers with them; outputs only when included", async () => {
    const response = await ask("Give me summary statistics of the data");
    const units = rows.map((r) => Number(r[2]));
    const mean = units.reduce((a, b) => a + b, 0) / units.length;
    const shown = mean.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(logsOf(response)).toContain(shown);
    expect(textOf(response).text).toContain(shown);
    expect(textOf(response).text).toContain("48 rows");

    const plain = await lab.openai.responses.create({
      model: "model-router",
      input: "summarize the data",
      tools: tools(),
    });
    expect(callOf(plain).outputs).toBeNull();
  });

  it("streams the call's events in order and reuses the container within a conversation", async () => {
    const conversation = await lab.openai.conversations.create();
    const first = await ask("line chart of units by month", { conversation: conversation.id });
    const stream = await lab.openai.responses.create({
      model: "model-router",
      input: "bar chart of units by region",
      tools: tools(),
      conversation: conversation.id,
      stream: true,
    });
    const types: string[] = [];
    let code = "";
    let final: Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.code_interpreter_call_code.delta") code += event.delta;
      if (event.type === "response.completed") final = event.response;
    }
    const order = [
      "response.output_item.added",
      "response.code_interpreter_call.in_progress",
      "response.code_interpreter_call_code.delta",
      "response.code_interpreter_call_code.done",
      "response.code_interpreter_call.interpreting",
      "response.code_interpreter_call.completed",
      "response.output_item.done",
      "response.output_text.delta",
      "response.output_text.annotation.added",
      "response.completed",
    ];
    const positions = order.map((t) => types.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    if (!final) throw new Error("no response.completed");
    expect(code).toBe(callOf(final).code);
    expect(callOf(final).container_id).toBe(callOf(first).container_id);
    expect(callOf(first).code).toContain('"line"');
  });

  it("says what it can do offline for other data requests, quoting the request as plain text", async () => {
    const response = await ask("Analyze <script>alert(1)</script> please");
    expect(response.output.map((i) => i.type)).toEqual(["message"]);
    const text = textOf(response).text;
    expect(text).toContain('"Analyze <script>alert(1)</script> please"');
    expect(text).toContain("summary statistics");
    expect(text).toContain("columns: month, region, units, revenue_eur");
    // Not about data at all: plain conversation answers.
    const hello = await ask("Hello there");
    expect(hello.output.map((i) => i.type)).toEqual(["message"]);
  });

  it("refuses an unknown input file or container id with a 404 that names the field", async () => {
    const bad = lab.openai.responses.create({
      model: "model-router",
      input: "summarize the data",
      tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: ["file_missing"] } }],
    });
    await expect(bad).rejects.toMatchObject({ status: 404, error: { param: "tools.container.file_ids" } });
    const badContainer = lab.openai.responses.create({
      model: "model-router",
      input: "summarize the data",
      tools: [{ type: "code_interpreter", container: "cntr_missing" }],
    });
    await expect(badContainer).rejects.toMatchObject({ status: 404 });
    expect((await raw(lab, "GET", "/openai/v1/containers/cntr_missing/files")).status).toBe(404);
  });
});

describe("code interpreter: questions an analyst asks (issue 11)", () => {
  const sum = (rs: string[][], i: number) => rs.reduce((total, r) => total + Number(r[i]), 0);

  it("answers a ratio of two columns over the rows a filter keeps, with the number the Python printed", async () => {
    const response = await ask("What is the average revenue per unit in the West?");
    const call = callOf(response);
    expect(call.status).toBe("completed");
    expect(call.code).toContain('in {"west"}');
    const west = rows.filter((r) => r[1] === "West");
    const expected = (sum(west, 3) / sum(west, 2)).toFixed(2);
    expect(logsOf(response)).toContain(`answer: ${expected}`);
    expect(textOf(response).text).toMatch(
      new RegExp(
        `^The revenue_eur ÷ units \\(total revenue_eur divided by total units\\) where region is West is \\*\\*${expected}\\*\\*`,
      ),
    );
  });

  it("ranks groups and says which one is largest", async () => {
    const response = await ask("Which region sold the most units?");
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r[1] ?? "", (totals.get(r[1] ?? "") ?? 0) + Number(r[2]));
    const [best, units] = [...totals].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    expect(textOf(response).text).toContain(
      `The region with the highest total units: **${best} (${units.toLocaleString("en-US")})**`,
    );
  });

  it("works on another CSV of another shape: semicolons, a header with spaces, quoted cells", async () => {
    const csv =
      'Warehouse Name;Item;Stock On Hand\n"Oslo; North";bolts;120\nBergen;bolts;80\n"Oslo; North";nuts;35\n';
    const file = await lab.openai.files.create({
      file: await toFile(Buffer.from(csv), "stock.csv"),
      purpose: "assistants",
    });
    const response = await lab.openai.responses.create({
      model: "model-router",
      input: "What is the total stock per warehouse?",
      tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [file.id] } }],
    });
    expect(textOf(response).text).toContain("The total Stock On Hand per Warehouse Name");
    expect(textOf(response).text).toContain("Oslo; North: 155\nBergen: 80");
  });

  it("a question that names nothing in the CSV runs no code and offers examples made of its columns", async () => {
    const response = await ask("Can you analyze the churn risk for me?");
    expect(response.output.map((i) => i.type)).toEqual(["message"]);
    expect(textOf(response).text).toContain('"average units per month"');
  });

  it("a CSV with no rows or of binary bytes gets one sentence and no code; decimal commas are read as such", async () => {
    const upload = async (name: string, bytes: Buffer) =>
      (await lab.openai.files.create({ file: await toFile(bytes, name), purpose: "assistants" })).id;
    const askAbout = (id: string, input: string) =>
      lab.openai.responses.create({
        model: "model-router",
        input,
        tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [id] } }],
      });
    const empty = await askAbout(await upload("empty.csv", Buffer.from("sku,stock\n")), "total stock?");
    expect(empty.output.map((i) => i.type)).toEqual(["message"]);
    expect(empty.output_text).toBe(
      "`empty.csv` has a header (sku, stock) but no data rows, so there is nothing to compute.",
    );
    const binary = await askAbout(
      await upload("scan.csv", Buffer.from([0x89, 0x50, 0, 0, 0xff, 0xfe, 10, 0])),
      "summarize the data",
    );
    expect(binary.output_text).toContain("`scan.csv` is not a text file");
    // Not about data: no word about the file at all.
    expect(
      (await askAbout(await upload("scan2.csv", Buffer.from([0, 1, 2])), "Hello there")).output_text,
    ).not.toContain("scan2.csv");
    const euro = await askAbout(
      await upload("temps.csv", Buffer.from("city;temp\r\nOslo;3,5\r\nBergen;7,25\r\n")),
      "average temp",
    );
    expect(euro.output_text).toContain("The average temp is **5.38**");
  });

  it("answers every question of the data-questions corpus as expected", { timeout: 120_000 }, async () => {
    const { runCorpus } = await import("./corpus/data-questions.ts");
    const [result] = await runCorpus();
    expect(result?.total).toBeGreaterThanOrEqual(50);
    expect(result?.failures).toEqual([]);
  });

  it("answers them from the data when the agent also has file search over documents on the same subjects", {
    timeout: 120_000,
  }, async () => {
    const { runCorpus } = await import("./corpus/data-questions.ts");
    const [result] = await runCorpus({ documents: true });
    expect(result?.failures).toEqual([]);
  });
});

describe("code interpreter: the sandbox", () => {
  const run = (code: string) => ask(`Run this:\n\`\`\`python\n${code}\n\`\`\``);
  const refusals: [string, string, RegExp][] = [
    [
      "reads outside its folder",
      "print(open('/etc/passwd').read())",
      /No such file or directory: '\/etc\/passwd'/,
    ],
    ["opens a socket", "import socket\nsocket.create_connection(('127.0.0.1', 9))", /network access is off/],
    ["starts a process", "import subprocess\nsubprocess.run(['id'])", /cannot start processes/],
  ];

  it.each<[string, string, RegExp]>([
    ["loops forever", "while True:\n    pass", /wall-clock limit/],
    ["allocates too much memory", "block = bytearray(4 * 1024 ** 3)", /ran out of memory/],
    ["prints megabytes", "while True:\n    print('x' * 4096)", /output cap/],
    ...(sandboxed ? refusals : []),
  ])(
    "stops or refuses code that %s, with a failed call and a message that says why",
    async (_, code, why) => {
      const response = await run(code);
      const call = callOf(response);
      expect(call.status).toBe("failed");
      expect(logsOf(response)).toMatch(why);
      expect(logsOf(response).length).toBeLessThan(70_000);
      expect(textOf(response).text).toMatch(/^The code did not finish: /);
      expect(textOf(response).text).toMatch(why);
    },
  );

  it("keeps serving after all that, and runs pasted code that stays inside its folder", async () => {
    const response = await run("import os\nopen('note.txt', 'w').write('hi')\nprint(sorted(os.environ))");
    expect(callOf(response).status).toBe("completed");
    // No secrets from the emulator's environment reach the code.
    expect(logsOf(response)).toContain("['HOME', 'LANG', 'PATH', 'TMPDIR']");
    expect(
      textOf(response).annotations.map((a) => (a.type === "container_file_citation" ? a.filename : "")),
    ).toEqual(["note.txt"]);
    expect(
      (await raw(lab, "GET", `${new URL(lab.emulator.endpoint).origin}/healthz`, { token: null })).status,
    ).toBe(200);
  });

  it("answers with a clear failed call when there is no python3", async () => {
    process.env.EMULATOR_PYTHON = "/nonexistent/python3";
    try {
      const response = await ask("summarize the data");
      expect(callOf(response).status).toBe("failed");
      expect(textOf(response).text).toContain("no Python 3.9+ was found");
    } finally {
      delete process.env.EMULATOR_PYTHON;
    }
  });
});
