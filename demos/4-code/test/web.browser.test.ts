/**
 * Demo 4's web page in a real browser (Debian's Chromium driven by playwright-core): `pnpm 4-code:web`
 * runs as a child process against a fresh emulator; the page streams an answer, shows the code and its
 * logs, renders the chart fetched through our server, shows model output containing HTML as text with
 * nothing executed, survives a file that cannot be downloaded, and shows server errors in the page.
 * The server's input checks are exercised over plain HTTP too. A screenshot goes to test-artifacts/.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, repoRoot, run, startBackend, type TestBackend } from "../../../shared/test/support.ts";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`demo 4 browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let backend: TestBackend;
let browser: Browser;
let server: ChildProcess | undefined;
let serverDone: Promise<unknown> | undefined;
let url = "";

beforeAll(async () => {
  if (!haveChromium || live) return;
  backend = await startBackend({ streamDelayMs: 8 });
  const env = {
    ...backend.env,
    AGENT_NAME: `code-web-${Math.random().toString(36).slice(2, 8)}`,
    DEMO4_PORT: "0",
  };
  let seen = "";
  const started = new Promise<void>((resolve, reject) => {
    serverDone = run(path.join(repoRoot, "scripts", "lab.mjs"), ["4-code:web"], {
      env,
      keepOpen: true,
      timeoutMs: 300_000,
      onStdout: (chunk, child) => {
        server = child;
        seen += chunk;
        const found = /Demo 4 web page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen)?.[1];
        if (found && !url) {
          url = found;
          resolve();
        }
      },
    }).then((result) => reject(new Error(`the web server exited: ${result.stdout}${result.stderr}`)));
  });
  await started;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  await serverDone?.catch(() => {});
  await backend?.close();
});

async function openPage(): Promise<{ page: Page; problems: string[]; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const problems: string[] = [];
  const consoleErrors: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()} ${m.location().url}`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url);
  await page.waitForSelector("body[data-conversation]");
  return { page, problems, consoleErrors };
}

async function ask(page: Page, message: string): Promise<void> {
  await page.fill("#message", message);
  await page.press("#message", "Enter");
}

const lastAnswer = "article.assistant:last-of-type";

/** The page's DOM, typed just enough for the checks that run in the browser (this repo has no DOM types). */
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  complete?: boolean;
  naturalWidth?: number;
  querySelector(selector: string): PageElement | null;
}
/** Functions run in the browser are sent as source: they reach the DOM through `globalThis` cast to this. */
type InBrowser = { document: { body: PageElement; querySelector(selector: string): PageElement | null } };

describe.skipIf(!haveChromium || live)("pnpm 4-code:web in Chromium", () => {
  it("streams the answer, shows the code and its logs, and renders the chart fetched through the server", async () => {
    const { page, problems, consoleErrors } = await openPage();
    await ask(page, "Draw a bar chart of revenue by region");
    // Text is on the page while the answer is still streaming.
    await page.waitForFunction(
      (sel) => {
        const a = (globalThis as unknown as InBrowser).document.querySelector(sel);
        return a?.dataset.state === "streaming" && (a.querySelector(".answer")?.textContent ?? "").length > 0;
      },
      lastAnswer,
      { timeout: 20_000 },
    );
    await page.waitForSelector(`${lastAnswer}[data-state="done"]`, { timeout: 20_000 });
    expect(Number(await page.getAttribute(lastAnswer, "data-deltas"))).toBeGreaterThan(3);
    await expect(page.textContent(`${lastAnswer} .answer strong`)).resolves.toBe("revenue_eur");

    // The code, collapsed until clicked, and the logs it printed.
    const details = page.locator(`${lastAnswer} details.code`);
    await expect(details.getAttribute("open")).resolves.toBeNull();
    await details.locator("summary").click();
    expect(await details.locator("pre code").textContent()).toContain("import csv");
    expect(await details.locator("pre code").isVisible()).toBe(true);
    expect(await details.locator("pre.logs").textContent()).toMatch(/North: [\d,]+\.\d\d/);

    // The chart: an image from our server's file route, actually decoded by the browser.
    const img = page.locator(`${lastAnswer} .files img`);
    expect(await img.getAttribute("src")).toMatch(/^\/api\/files\/cntr_\w+\/cfile_\w+$/);
    await page.waitForFunction((sel) => {
      const img = (globalThis as unknown as InBrowser).document.querySelector(sel);
      return img?.complete === true && (img.naturalWidth ?? 0) > 0;
    }, `${lastAnswer} .files img`);
    // The file is named once: the answer's link to it (now to the downloaded file), no caption under it.
    expect(await page.locator(`${lastAnswer} .files figcaption`).count()).toBe(0);
    expect(await page.locator(`${lastAnswer} a`, { hasText: "chart.svg" }).count()).toBe(1);
    expect(await page.getAttribute(`${lastAnswer} .answer a[download="chart.svg"]`, "href")).toBe(
      await img.getAttribute("src"),
    );
    expect(await page.textContent(`${lastAnswer} .served`)).toMatch(
      /^served by lab-offline-\w+ via model-router$/,
    );
    mkdirSync(path.join(repoRoot, "test-artifacts"), { recursive: true });
    await page.screenshot({
      path: path.join(repoRoot, "test-artifacts", "demo4-web-chart.png"),
      fullPage: true,
    });
    expect(problems).toEqual([]);
    // The console stays clean: no red 404 (for a favicon, say) on loading the page.
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("shows <script> and <img onerror> in an answer as text, and nothing executes", async () => {
    const { page, problems } = await openPage();
    const attack = `Analyze <script>window.__pwned = 1; alert(1)</script> and <img src=x onerror="window.__pwned = 2; alert(2)">`;
    await ask(page, attack);
    await page.waitForSelector(`${lastAnswer}[data-state="done"]`, { timeout: 20_000 });
    const text = (await page.textContent(`${lastAnswer} .answer`)) ?? "";
    expect(text).toContain("<script>window.__pwned = 1; alert(1)</script>");
    expect(text).toContain('<img src=x onerror="window.__pwned = 2; alert(2)">');
    expect(await page.locator("#transcript script, #transcript img").count()).toBe(0);
    expect(await page.textContent("article.user")).toBe(attack);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a notice for a file that cannot be downloaded, errors from the service as a message, and starts over", async () => {
    const { page, problems } = await openPage();
    await page.route("**/api/files/**", (route) =>
      route.fulfill({ status: 502, contentType: "application/json", body: '{"error":"gone"}' }),
    );
    await ask(page, "bar chart of units by region");
    await page.waitForSelector(`${lastAnswer} .files .notice`, { timeout: 20_000 });
    expect(await page.textContent(`${lastAnswer} .files .notice`)).toBe(
      "chart.svg could not be downloaded from the container.",
    );
    expect(await page.textContent(`${lastAnswer} .answer`)).toContain("bar chart of units by region");

    // The conversation disappears on the service: the next message gets a visible error sentence.
    const conversation = (await page.getAttribute("body", "data-conversation")) ?? "";
    await backend.openai.conversations.delete(conversation);
    await ask(page, "summarize the data");
    await page.waitForSelector(`${lastAnswer} .error`, { timeout: 20_000 });
    expect(await page.textContent(`${lastAnswer} .error`)).toMatch(
      /not found|does not exist|No conversation/i,
    );

    await page.click("#new-conversation");
    await page.waitForFunction(
      (old) => (globalThis as unknown as InBrowser).document.body.dataset.conversation !== old,
      conversation,
    );
    expect(await page.locator("#transcript article").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("accepts only what the page sends: bad JSON, unknown fields or conversations, huge bodies, other hosts", async () => {
    const post = (body: string) =>
      fetch(new URL("/api/chat", url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const conversation = (
      (await (await fetch(new URL("/api/conversations", url), { method: "POST" })).json()) as {
        conversation: string;
      }
    ).conversation;
    const cases: [string, number, RegExp][] = [
      ["{not json", 400, /not valid JSON/],
      ["[1,2]", 400, /JSON object/],
      [JSON.stringify({ conversation: "conv_other", message: "hi" }), 400, /not started on this page/],
      [JSON.stringify({ conversation, message: "hi", model: "gpt" }), 400, /Unexpected field: model/],
      [JSON.stringify({ conversation, message: "   " }), 400, /Type a message/],
      [JSON.stringify({ conversation, message: "x".repeat(5000) }), 413, /longer than 4000/],
      [JSON.stringify({ conversation, message: "x".repeat(40_000) }), 413, /too large/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, body.slice(0, 40)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    expect((await fetch(new URL("/api/files/cntr_x/cfile_y", url))).status).toBe(404);
    expect((await fetch(new URL("/api/nothing", url))).status).toBe(404);
    const otherOrigin = await fetch(new URL("/api/conversations", url), {
      method: "POST",
      headers: { origin: "http://evil.example" },
    });
    expect(otherOrigin.status).toBe(403);
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const target = new URL(url);
        http
          .get({ host: target.hostname, port: target.port, path: "/", headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on("error", reject);
      });
    // DNS rebinding: a name the attacker controls, pointed at 127.0.0.1, is refused.
    expect(await withHost("evil.example")).toBe(403);
    expect(await withHost(`evil.example:${new URL(url).port}`)).toBe(403);
    expect(await withHost(`127.0.0.1.evil.example:${new URL(url).port}`)).toBe(403);
    // The address it is bound to, or another of this machine's addresses typed in, is answered.
    expect(await withHost(`localhost:${new URL(url).port}`)).toBe(200);
    expect(await withHost(`10.0.0.7:${new URL(url).port}`)).toBe(200);
    // Still serving after all of it.
    expect((await fetch(url)).status).toBe(200);
  });
});
