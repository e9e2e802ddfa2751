/**
 * `pnpm traces` in a real browser (Debian's Chromium via playwright-core): demo 1 runs with `-- --otel`
 * against a fresh emulator, the page shows its turn as a waterfall (tool calls, model, tokens), a chat
 * that is still running appears and grows without a reload, recorded content that looks like HTML stays
 * text, and the server refuses a foreign Host header. A screenshot goes to test-artifacts/.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeatherFixture, type WeatherFixture } from "../../demos/1-tools/test/weather-fixture.ts";
import {
  live,
  repoRoot,
  run,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../shared/test/support.ts";

const LAB = path.join(repoRoot, "scripts", "lab.mjs");

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`traces page tests skipped: no Chromium at ${CHROMIUM}`);

let backend: TestBackend;
let weather: WeatherFixture;
let browser: Browser;
let page: Page;
let server: ChildProcess | undefined;
let serverDone: Promise<unknown> | undefined;
let url = "";
const datasets = tempDir("lab-datasets-");
const transcripts = tempDir("lab-transcripts-");

beforeAll(async () => {
  if (!haveChromium || live) return;
  backend = await startBackend();
  weather = await startWeatherFixture();
  const tools = await runLab(["1-tools", "--", "--otel"], {
    env: { ...backend.env, ...weather.env, AGENT_NAME: "traced-weather" },
    input: ["What's the weather in Oslo?"],
  });
  expect(tools.code).toBe(0);
  // A demo 9 report with one item that passes and one that cannot (its expected temperature is wrong).
  writeFileSync(
    path.join(datasets, "weather.jsonl"),
    [
      '{"id":"oslo","question":"What\'s the weather in Oslo?","expect":{"contains":["3.7"],"tools":[{"name":"get_weather","arguments":{"city":"Oslo"}}]}}',
      '{"id":"wrong-expectation","question":"What\'s the weather in Paris?","expect":{"contains":["99.9"]}}',
    ].join("\n"),
  );
  const evaluated = await runLab(["9-evaluate", "--", "--dataset", "weather"], {
    env: {
      ...backend.env,
      AGENT_NAME: "traced-eval",
      EVAL_DATASETS: datasets,
      LAB_TRANSCRIPTS_DIR: transcripts,
    },
  });
  expect(evaluated.code).toBe(0);
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    serverDone = run(LAB, ["traces"], {
      env: { ...backend.env, TRACES_PORT: "0", LAB_TRANSCRIPTS_DIR: transcripts },
      keepOpen: true,
      timeoutMs: 300_000,
      onStdout: (chunk, child) => {
        server = child;
        seen += chunk;
        const found = /Traces: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen)?.[1];
        if (found && !url) {
          url = found;
          resolve();
        }
      },
    }).then((result) => reject(new Error(`pnpm traces exited: ${result.stdout}${result.stderr}`)));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
});

afterAll(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await serverDone?.catch(() => {});
  await weather?.close();
  await backend?.close();
});

type InBrowser = {
  document: {
    querySelector(s: string): { textContent: string | null } | null;
    querySelectorAll(s: string): { length: number };
  };
};

describe.skipIf(!haveChromium || live)("pnpm traces in Chromium", () => {
  it("shows demo 1's turn as a waterfall: the turn, two responses, the tool call, model and tokens", async () => {
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); // the console's red lines
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url);
    const run = page.locator('section.run[data-service="1-tools"]');
    await run.waitFor({ timeout: 15_000 });
    const turn = run.locator(".turn", { has: page.locator('[data-span-name="turn 1-tools"]') });
    await expect(turn.locator(".summary").textContent()).resolves.toMatch(
      /turn 1-tools.*agent traced-weather v1.*responses 2.*tool calls 1.*model lab-offline-\w+.*tokens \d+.*latency \d/,
    );
    const rows = await turn
      .locator(".row")
      .evaluateAll((els) =>
        els.map((e) => (e as unknown as { dataset: { spanName?: string } }).dataset.spanName),
      );
    expect(rows).toEqual([
      "turn 1-tools",
      "invoke_agent traced-weather",
      "execute_tool get_weather",
      "invoke_agent traced-weather",
    ]);
    // The create-agent step of the same run is its own trace, listed below the (newer) turn.
    await expect(run.locator(".turn").last().textContent()).resolves.toContain("create_agent traced-weather");
    // The icon a browser asks for on its own, whatever the page links (a 404 is a red console line).
    for (const icon of ["/favicon.ico", "/favicon.svg"])
      expect((await page.request.get(new URL(icon, url).href)).status(), icon).toBe(200);
    expect(problems).toEqual([]);
  });

  it("a chat that is still running appears and grows without a reload; recorded HTML stays text", async () => {
    await page.goto(url);
    let chat: ChildProcess | undefined;
    const hostile = "<img src=x onerror=alert(1)> <b>bold?</b>";
    const done = run(LAB, ["0-hello", "--", "--otel-content", "--otel"], {
      env: { ...backend.env, AGENT_NAME: "traced-hello" },
      input: [hostile],
      keepOpen: true,
      onStdout: (_chunk, child) => {
        chat = child;
      },
    });
    const turnsOf = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as InBrowser).document.querySelectorAll(
            'section.run[data-service="0-hello"] [data-span-name="turn 0-hello"]',
          ).length,
      );
    await expect.poll(turnsOf, { timeout: 20_000 }).toBe(1);
    chat?.stdin?.write("What is my name?\n");
    await expect.poll(turnsOf, { timeout: 20_000 }).toBe(2);
    chat?.stdin?.end();
    expect((await done).code).toBe(0);
    // The user's words were recorded (content on) and are shown as text: no <img> element was made.
    const shown = await page.locator('section.run[data-service="0-hello"]').textContent();
    expect(shown).toContain(hostile);
    mkdirSync(path.join(repoRoot, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, "test-artifacts", "traces-page.png"), fullPage: true });
    expect(await page.locator('section.run[data-service="0-hello"] img, section.run b').count()).toBe(0);
  });

  it("a link to one trace shows it on top", async () => {
    const traceId = await page
      .locator('section.run[data-service="1-tools"] .turn')
      .first()
      .getAttribute("data-trace-id");
    await page.goto(`${url}#trace=${traceId}`);
    await page.locator("#focus .turn.focused").waitFor({ timeout: 10_000 });
    await expect(page.locator("#focus h2").textContent()).resolves.toBe(`Trace ${traceId}`);
  });

  it("shows demo 9's report: pass rate per grader, and a failing item's link opens its trace", async () => {
    await page.goto(url);
    const report = page.locator("#evals [data-report]").first();
    await report.waitFor({ timeout: 15_000 });
    await expect(report.locator("h2").textContent()).resolves.toMatch(
      /^weather · traced-eval-weather v1 · 50% of items pass · median latency \d+(?: ms|\.\d\d s) · /,
    );
    // Each grader's row has its own figures: a latency only on the latency grader's, not the items'
    // median repeated on every row.
    const cells = (grader: string) =>
      report
        .locator(`tr[data-grader="${grader}"] td`)
        .evaluateAll((tds) => tds.map((td) => (td as unknown as { textContent: string }).textContent));
    await expect(cells("answer contains")).resolves.toEqual(["answer contains", "1/2", "", ""]);
    await expect(cells("tool called")).resolves.toEqual(["tool called", "1/1", "", ""]);
    await expect(cells("latency")).resolves.toEqual([
      "latency",
      "2/2",
      "",
      expect.stringMatching(/^\d+(?: ms|\.\d\d s)$/),
    ]);
    const failing = report.locator('li[data-item="wrong-expectation"]');
    await expect(failing.textContent()).resolves.toContain(
      'wrong-expectation: answer contains: missing "99.9"',
    );
    await failing.locator("a").click();
    await page.locator("#focus .turn.focused").waitFor({ timeout: 10_000 });
    const rows = await page
      .locator("#focus .row")
      .evaluateAll((els) =>
        els.map((e) => (e as unknown as { dataset: { spanName?: string } }).dataset.spanName).filter(Boolean),
      );
    expect(rows[0]).toBe("evaluate weather/wrong-expectation");
    expect(rows).toContain("invoke_agent traced-eval-weather");
  });

  it("answers only to its own host name (DNS rebinding)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(url, { headers: { host: "attacker.example:80" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(status).toBe(403);
  });
});
