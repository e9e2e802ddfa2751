/**
 * `pnpm 9-evaluate -- --all`: the pre-workshop check. Every demo runs as the learner runs it
 * (`pnpm <demo>`, one turn per stdin line) against the configured backend, and its smoke dataset says
 * what the output must show. One pass rate per demo; exit 1 when any demo falls short. A demo without a
 * smoke dataset (demo 2 is a full-screen app that needs a real terminal) is listed as skipped.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "@lab/shared/errors";
import type { Lab } from "@lab/shared/lab";
import { bold, dim, green } from "@lab/shared/terminal";
import { table } from "./report.ts";
import { startWeatherStandIn } from "./weather-stand-in.ts";

interface SmokeItem {
  id: string;
  input: string[];
  /** Chat flags, e.g. --approve-all for demo 6 (or answer its approval questions with input lines). */
  args?: string[];
  expect: {
    /** In the last answer (the text after the last "Agent ›"). */
    answer?: string[];
    /** Anywhere in what the demo printed (tool lines, footnotes, saved files). */
    output?: string[];
  };
}

const DEMO_TIMEOUT_MS = 180_000;

export async function smokeAll(lab: Lab): Promise<void> {
  const root = lab.config.repoRoot; // the lab's (args.ts refuses --all in an ejected copy)
  const demos = readdirSync(path.join(root, "demos")).filter(
    (d) => /^\d+-/.test(d) && d !== lab.config.demo.id,
  );
  demos.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  // Offline, demo 1's weather comes from the stand-in (the emulator has no internet); on Azure, live.
  const standIn = lab.config.backend === "azure" ? undefined : await startWeatherStandIn();
  const rows: string[][] = [];
  let short = false;
  for (const demo of demos) {
    const file = path.join(lab.config.demo.dir, "datasets", "smoke", `${demo}.jsonl`);
    if (!existsSync(file)) {
      rows.push(["–", demo, "skipped", "no smoke dataset (demo 2 needs a real terminal)"]);
      continue;
    }
    const items = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l, i) => {
        try {
          return JSON.parse(l) as SmokeItem;
        } catch {
          throw new ConfigError(`${path.relative(root, file)} line ${i + 1} is not valid JSON.`);
        }
      });
    process.stdout.write(dim(`${demo}: ${items.length} item(s)… `));
    const started = performance.now();
    const failures: string[] = [];
    for (const item of items) {
      const why = await runItem(root, demo, item, standIn?.env ?? {});
      if (why) failures.push(`${item.id}: ${why}`);
    }
    process.stdout.write(dim(`${Math.round(performance.now() - started)} ms\n`));
    const passed = items.length - failures.length;
    if (failures.length) short = true;
    rows.push([failures.length ? "✖" : "✔", demo, `${passed}/${items.length}`, failures.join("; ") || "ok"]);
  }
  await standIn?.close();
  console.log(`\n${bold(`Smoke check against ${lab.backendLabel}`)}`);
  console.log(table(["", "demo", "pass", "details"], rows));
  console.log(
    short
      ? bold("Some demos fall short: see the details above (LAB_DEBUG=1 shows a demo's whole output).")
      : green("Every demo with a smoke dataset passes on this machine and backend."),
  );
  console.log(dim("The demos created their agents as a learner's run would; pnpm reset:all removes them."));
  if (short) process.exitCode = 1;
}

/** Runs `pnpm <demo>` with the item's lines on stdin; returns why it failed, or undefined. */
function runItem(
  root: string,
  demo: string,
  item: SmokeItem,
  extraEnv: Record<string, string>,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(root, "scripts", "lab.mjs"), demo, ...(item.args?.length ? ["--", ...item.args] : [])],
      { cwd: root, env: { ...process.env, ...extraEnv, NO_COLOR: "1" }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), DEMO_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (process.env.LAB_DEBUG) console.log(`\n--- ${demo} ---\n${out}${err}`);
      if (code !== 0) return resolve(`exited ${code}: ${(err.trim().split("\n")[0] ?? "").slice(0, 200)}`);
      const answer = out.slice(out.lastIndexOf("Agent › ") + "Agent › ".length).toLowerCase();
      const missing = [
        ...(item.expect.answer ?? [])
          .filter((w) => !answer.includes(w.toLowerCase()))
          .map((w) => `answer lacks "${w}"`),
        ...(item.expect.output ?? []).filter((w) => !out.includes(w)).map((w) => `output lacks "${w}"`),
      ];
      resolve(missing.length ? missing.join(", ") : undefined);
    });
    child.stdin.end(`${item.input.join("\n")}\n`);
  });
}
