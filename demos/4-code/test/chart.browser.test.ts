/**
 * The charts the code interpreter draws, as a browser shows them (Debian's Chromium via playwright-core):
 * every label, the x labels turned 40 degrees too, lies inside the picture. Through the real SDK against
 * the emulator: the demo's own sales.csv by month, and a CSV of long region names the lab model has never
 * seen, each uploaded to a code interpreter agent, asked for a chart, and the chart downloaded.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, startBackend, type TestBackend } from "../../../shared/test/support.ts";
import { download, generatedFiles } from "../src/generated-files.ts";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);

let backend: TestBackend;
let browser: Browser;
beforeAll(async () => {
  if (!haveChromium || live) return;
  backend = await startBackend({ streamDelayMs: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

/** Uploads the CSV, asks a code interpreter agent for the chart, and returns the SVG it drew. */
async function chartOf(name: string, csv: string, question: string): Promise<string> {
  const { openai, project } = backend;
  const file = await openai.files.create({ file: new File([csv], name), purpose: "assistants" });
  const agent = await project.agents.createVersion(`chart-${Math.random().toString(36).slice(2, 8)}`, {
    kind: "prompt",
    model: "model-router",
    instructions: `Answer questions about ${name} with code.`,
    tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [file.id] } }],
  });
  const response = await openai.responses.create(
    { input: question },
    { body: { agent_reference: { name: agent.name, version: agent.version, type: "agent_reference" } } },
  );
  const svg = generatedFiles(response).find((f) => f.filename.endsWith(".svg"));
  expect(svg, response.output_text).toBeDefined();
  return (await download(openai, svg as NonNullable<typeof svg>)).toString("utf8");
}

/** Every text's box in the rendered SVG that reaches outside the picture (with its text). */
async function cutLabels(svg: string): Promise<{ text: string; box: number[] }[]> {
  const page = await browser.newPage();
  try {
    await page.setContent(svg);
    return await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): SvgNode } }).document;
      const root = doc.querySelector("svg").getBoundingClientRect();
      return [...doc.querySelector("svg").querySelectorAll("text")]
        .map((t) => ({ text: t.textContent ?? "", r: t.getBoundingClientRect() }))
        .filter(
          ({ r }) => r.left < root.left || r.top < root.top || r.right > root.right || r.bottom > root.bottom,
        )
        .map(({ text, r }) => ({ text, box: [r.left, r.top, r.right, r.bottom].map(Math.round) }));
    });
  } finally {
    await page.close();
  }
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
interface SvgNode {
  textContent: string | null;
  getBoundingClientRect(): Box;
  querySelectorAll(selector: string): Iterable<SvgNode>;
}

describe.skipIf(!haveChromium || live)("a chart's labels in Chromium", () => {
  it("the demo's sales by month: every label inside the picture", async () => {
    const csv = readFileSync(path.join(import.meta.dirname, "..", "data", "sales.csv"), "utf8");
    const svg = await chartOf("sales.csv", csv, "Draw a line chart of revenue by month");
    expect(svg).toContain(">2025-12<");
    expect(await cutLabels(svg)).toEqual([]);
  });

  it("long group names: every label inside the picture, a very long one shortened", async () => {
    const regions = [
      "North-East Atlantic coast",
      "South",
      "Central highlands and river valleys",
      "Greater metropolitan area (capital)",
    ];
    const csv = `region,revenue\n${regions.map((r, i) => `"${r}",${(i + 2) * 1250}`).join("\n")}\n`;
    const svg = await chartOf("regions.csv", csv, "Bar chart of revenue by region");
    expect(svg).toContain(">North-East Atlantic coast<");
    expect(await cutLabels(svg)).toEqual([]);
    expect(svg).toContain("<title>Central highlands and river valleys</title>");
  });
});
