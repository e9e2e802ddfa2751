/**
 * `pnpm lab:doctor`: the pre-workshop check. Each line is one thing a demo needs (Node, pnpm, .env, a token,
 * the endpoint, the model deployment, permission to list agents), then per-demo hints for built-in tools
 * that some regions or policies do not offer. Red lines carry one fix each; exit 0 only when every needed
 * line is green (hints may warn). Runs against the emulator too, embedded by default like the demos.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AccessToken } from "@azure/identity";
import { weatherSettings } from "@lab/1-tools/weather";
import { hasModel, listModels } from "@lab/emulator/model/remote/chat-client";
import { type LocalModelSettings, localModelFromEnv } from "@lab/emulator/model/remote/settings";
import {
  type Backend,
  ENDPOINT_VARS,
  type LabConfig,
  loadConfig,
  loadEnv,
  repoRoot,
  unknownSettingsWarning,
} from "@lab/shared/config";
import { describeError, type ErrorContext } from "@lab/shared/errors";
import { connect, type Lab } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { bold, dim, green, yellow } from "@lab/shared/terminal";
import type OpenAI from "openai";
import { nodeVersionProblem } from "../node-check.mjs";
import { listDemos } from "./demos.ts";
import { sandboxLine } from "./doctor-sandbox.ts";
import { tracingLine } from "./doctor-tracing.ts";
import { markdownTable } from "./table.ts";

type Status = "ok" | "fail" | "warn" | "skip";

interface Line {
  check: string;
  status: Status;
  detail: string;
  /** For a red line: the one thing to do. */
  fix?: string;
}

const SCOPE = "https://ai.azure.com/.default";
/** No step may hang a workshop room: every network step gives up after this long. */
const STEP_TIMEOUT_MS = Number(process.env.LAB_DOCTOR_TIMEOUT_MS) || 20_000;
const MARK: Record<Status, string> = { ok: "✔", fail: "✖", warn: "!", skip: "–" };

export async function doctor(): Promise<void> {
  const lines: Line[] = [];
  const add = (line: Line) => {
    lines.push(line);
    return line;
  };

  add(nodeLine());
  add(pnpmLine());
  const { line: configLine, config } = configCheck();
  add(configLine);
  if (config) add(settingNamesLine());

  let lab: Lab | undefined;
  let tokenOk = false;
  if (config) {
    add(endpointLine(config));
    const credential = add(await credentialLine(config.backend));
    tokenOk = credential.status === "ok";
    try {
      lab = await connect(path.join(repoRoot, "scripts", "doctor", "src"), "doctor-check");
    } catch (err) {
      add({ check: "connect", status: "fail", ...failure(err, { backend: config.backend }) });
    }
  }

  const ctx: ErrorContext = lab?.errorContext() ?? {};
  let reachable = false;
  if (lab && ctx.endpoint) {
    const line = add(await reachLine(ctx.endpoint, ctx));
    reachable = line.status === "ok";
  } else {
    add({ check: "endpoint reachable", status: "skip", detail: "needs a valid configuration" });
  }

  const ready = lab !== undefined && reachable && tokenOk;
  const needs = !lab
    ? "needs a valid configuration"
    : !tokenOk
      ? "needs a token"
      : "needs a reachable endpoint";
  let deploymentOk = false;
  if (ready && lab) {
    const line = add(await deploymentLine(lab, ctx));
    deploymentOk = line.status === "ok";
    add(await agentsLine(lab, ctx));
  } else {
    add({ check: "model deployment", status: "skip", detail: needs });
    add({ check: "list agents (permission)", status: "skip", detail: needs });
  }

  add(await localModelLine(config));
  add(await sandboxLine(config?.backend));

  if (ready && lab && deploymentOk) {
    for (const line of await demoHints(lab, ctx)) add(line);
  } else {
    add({ check: "per-demo hints", status: "skip", detail: "need the model deployment" });
  }

  add(ready && lab ? await tracingLine(lab) : { check: "tracing (--otel)", status: "skip", detail: needs });

  printReport(lines);
  if (lines.some((line) => line.status === "fail")) process.exitCode = 1;
}

function printReport(lines: Line[]): void {
  const colour: Record<Status, (text: string) => string> = {
    ok: green,
    fail: (text) => bold(text),
    warn: yellow,
    skip: dim,
  };
  const table = markdownTable(
    ["", "check", "result"],
    lines.map((line) => [MARK[line.status], line.check, line.detail]),
  );
  const rows = table.split("\n");
  console.log("");
  rows.forEach((row, i) => {
    const line = lines[i - 2];
    console.log(line ? row.replace(MARK[line.status], colour[line.status](MARK[line.status])) : row);
  });
  const red = lines.filter((line) => line.status === "fail");
  const warned = lines.filter((line) => line.status === "warn").length;
  console.log("");
  for (const line of red) console.log(`${MARK.fail} ${bold(line.check)}: ${line.fix ?? line.detail}`);
  if (red.length === 0) {
    console.log(
      green(
        `Ready: everything the demos need is green${warned ? ` (${warned} hint${warned > 1 ? "s" : ""} above: only the demos named there are affected)` : ""}.`,
      ),
    );
  } else {
    console.log(
      `${red.length} thing${red.length > 1 ? "s" : ""} to fix before the workshop (one fix per red line above).`,
    );
  }
}

function nodeLine(): Line {
  const problem = nodeVersionProblem(process.version);
  return problem
    ? { check: "Node.js", status: "fail", detail: `${process.version} is too old`, fix: problem }
    : { check: "Node.js", status: "ok", detail: `${process.version} (needs 22.19 or newer)` };
}

function pnpmLine(): Line {
  const wanted = /pnpm@(\S+)/.exec(readPackageManager())?.[1] ?? "";
  const fromAgent = /\bpnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? "")?.[1];
  let version = fromAgent;
  if (!version) {
    const probe = spawnSync("pnpm", ["--version"], {
      encoding: "utf8",
      timeout: 10_000,
      shell: process.platform === "win32",
    });
    version = probe.status === 0 ? probe.stdout.trim() : undefined;
  }
  const fix = `install pnpm ${wanted} (\`npm install -g pnpm@${wanted}\`, or \`corepack enable\`), then \`pnpm install\` at the repository root.`;
  if (!version) return { check: "pnpm", status: "fail", detail: "not found on PATH", fix };
  const major = (v: string) => v.split(".")[0];
  if (wanted && major(version) !== major(wanted)) {
    return {
      check: "pnpm",
      status: "warn",
      detail: `${version}; the lab is tested with ${wanted} (a different major version may rewrite the lockfile)`,
    };
  }
  return { check: "pnpm", status: "ok", detail: version };
}

function readPackageManager(): string {
  try {
    return (
      (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { packageManager?: string })
        .packageManager ?? ""
    );
  } catch {
    return "";
  }
}

/** The root .env and every demo's .env, through the same config module the demos use. */
function configCheck(): { line: Line; config?: LabConfig } {
  const rootEnv = process.env.LAB_ROOT_ENV
    ? path.resolve(process.env.LAB_ROOT_ENV)
    : path.join(repoRoot, ".env");
  try {
    const config = loadConfig({
      id: "doctor",
      dir: path.join(repoRoot, "scripts", "doctor"),
      defaultAgentName: "doctor-check",
    });
    for (const demo of listDemos()) {
      const demoConfig = loadConfig({ id: demo.id, dir: demo.dir, defaultAgentName: "doctor-check" });
      // Demo 1's LAB_WEATHER (read by demos 1, 2 and 9 at start, where a bad value stops them).
      weatherSettings(demoConfig.env, demoConfig.sources.LAB_WEATHER);
    }
    const detail = existsSync(rootEnv)
      ? `${path.relative(repoRoot, rootEnv) || rootEnv} found; model deployment ${config.model}`
      : `no .env (fine for the emulator; to use Azure, copy .env.sample to .env); model deployment ${config.model}`;
    return { line: { check: ".env and settings", status: "ok", detail }, config };
  } catch (err) {
    const { message } = describeError(err);
    return {
      line: { check: ".env and settings", status: "fail", detail: "a setting is not valid", fix: message },
    };
  }
}

/**
 * Names in the .env files that look like settings but are none. Red when the likely intent changes the
 * backend (a misspelt endpoint runs every demo on the emulator without a word), a warning otherwise.
 */
function settingNamesLine(): Line {
  const unknown = [{ dir: undefined as string | undefined }, ...listDemos()].flatMap(
    (demo) => loadEnv(demo.dir).unknownSettings,
  );
  const seen = [...new Map(unknown.map((u) => [`${u.file}:${u.name}`, u])).values()];
  const warning = unknownSettingsWarning(seen);
  if (!warning)
    return { check: "setting names", status: "ok", detail: "every name in .env is one the lab reads" };
  const backendChanging = seen.some(
    (u) => u.closest && ([...ENDPOINT_VARS, "LAB_BACKEND"] as string[]).includes(u.closest),
  );
  return {
    check: "setting names",
    status: backendChanging ? "fail" : "warn",
    detail: warning,
    fix: seen
      .map((u) =>
        u.closest
          ? `rename ${u.name} to ${u.closest} in ${u.file}`
          : `remove or rename ${u.name} in ${u.file}`,
      )
      .join("; "),
  };
}

function endpointLine(config: LabConfig): Line {
  if (config.backend === "azure") {
    return {
      check: "endpoint",
      status: "ok",
      detail: `Azure AI Foundry ${config.endpoint} (project endpoint shape)`,
    };
  }
  return {
    check: "endpoint",
    status: "ok",
    detail: config.endpoint
      ? `emulator at ${config.endpoint}`
      : "none set: the embedded emulator (set FOUNDRY_PROJECT_ENDPOINT in .env for Azure)",
  };
}

async function credentialLine(backend: Backend): Promise<Line> {
  if (backend === "emulator") {
    return {
      check: "credential",
      status: "ok",
      detail: "the emulator accepts the lab's local token (no Azure login needed)",
    };
  }
  const started = Date.now();
  try {
    // DefaultAzureCredential is what every demo uses; its chain ends with the Azure CLI login.
    const { DefaultAzureCredential } = await import("@azure/identity");
    const token = await withTimeout<AccessToken | null>(
      (signal) => new DefaultAzureCredential().getToken(SCOPE, { abortSignal: signal }),
      "No Azure credential answered",
    );
    if (!token) throw Object.assign(new Error("no token"), { name: "CredentialUnavailableError" });
    const minutes = Math.round((token.expiresOnTimestamp - Date.now()) / 60_000);
    return { check: "credential", status: "ok", detail: `token for ${SCOPE} (valid ~${minutes} min)` };
  } catch (err) {
    const timedOut = err instanceof StepTimeout;
    return {
      check: "credential",
      status: "fail",
      detail: timedOut
        ? `no credential answered within ${STEP_TIMEOUT_MS / 1000} s`
        : `no token after ${Date.now() - started} ms`,
      fix: describeError(
        timedOut ? Object.assign(new Error(""), { name: "CredentialUnavailableError" }) : err,
      ).message,
    };
  }
}

/** Any HTTP answer counts: this line is about the network path, not about permissions. */
async function reachLine(endpoint: string, ctx: ErrorContext): Promise<Line> {
  const started = Date.now();
  try {
    const res = await withTimeout((signal) => fetch(endpoint, { signal }), `No answer from ${endpoint}`);
    await res.body?.cancel();
    return {
      check: "endpoint reachable",
      status: "ok",
      detail: `${new URL(endpoint).host} answered (HTTP ${res.status}) in ${Date.now() - started} ms`,
    };
  } catch (err) {
    if (err instanceof StepTimeout) {
      return {
        check: "endpoint reachable",
        status: "fail",
        detail: `no answer within ${STEP_TIMEOUT_MS / 1000} s`,
        fix: `Nothing answered at ${endpoint}: check FOUNDRY_PROJECT_ENDPOINT, your network, VPN or proxy.`,
      };
    }
    return { check: "endpoint reachable", status: "fail", ...failure(err, ctx) };
  }
}

async function deploymentLine(lab: Lab, ctx: ErrorContext): Promise<Line> {
  const name = lab.config.model;
  try {
    const d = await withTimeout(
      (abortSignal) => lab.project.deployments.get(name, { abortSignal }),
      "No answer",
    );
    const model = "modelName" in d ? ` (${d.modelName}${d.modelVersion ? ` ${d.modelVersion}` : ""})` : "";
    return { check: "model deployment", status: "ok", detail: `${name}: ${d.type}${model}` };
  } catch (err) {
    const line: Line = { check: "model deployment", status: "fail", ...failure(err, ctx) };
    if ((err as { statusCode?: number }).statusCode === 404) {
      const names: string[] = [];
      try {
        for await (const d of lab.project.deployments.list()) names.push(d.name);
      } catch {
        // the list is only a hint
      }
      line.detail = `"${name}" not found${names.length ? `; this project has ${names.join(", ")}` : ""}`;
    }
    return line;
  }
}

async function agentsLine(lab: Lab, ctx: ErrorContext): Promise<Line> {
  try {
    const first = await withTimeout(
      (abortSignal) => lab.project.agents.list({ limit: 5, abortSignal }).byPage({ maxPageSize: 5 }).next(),
      "No answer",
    );
    const count = first.done ? 0 : first.value.length;
    return {
      check: "list agents (permission)",
      status: "ok",
      detail: `allowed (${count}${count === 5 ? "+" : ""} agent${count === 1 ? "" : "s"} in the project)`,
    };
  } catch (err) {
    return { check: "list agents (permission)", status: "fail", ...failure(err, ctx) };
  }
}

/**
 * The real model behind the emulator (EMULATOR_MODEL_URL): its server answers `GET /models` and has the
 * model named by EMULATOR_MODEL_NAME. Read from the environment, as the emulator reads it.
 */
async function localModelLine(config: LabConfig | undefined): Promise<Line> {
  const check = "local model (EMULATOR_MODEL_URL)";
  const backend = config?.backend;
  let settings: LocalModelSettings | null;
  try {
    settings = localModelFromEnv();
  } catch (err) {
    return { check, status: "fail", detail: "a setting is not valid", fix: (err as Error).message };
  }
  if (settings === null) {
    // The emulator reads its settings from the environment only: one written in a .env file does nothing.
    const inFiles = Object.keys(config?.env ?? {})
      .filter((name) => /^EMULATOR_(MODEL_|ROUTER$)/.test(name) && process.env[name] === undefined)
      .sort((a, b) => Number(b === "EMULATOR_MODEL_URL") - Number(a === "EMULATOR_MODEL_URL"));
    const first = inFiles[0];
    if (first !== undefined && config !== undefined) {
      return {
        check,
        status: "warn",
        detail: `${inFiles.join(", ")} ${inFiles.length > 1 ? "are" : "is"} set in ${config.sources[first] ?? "a .env file"}, which the emulator does not read; export ${inFiles.length > 1 ? "them" : "it"} in the shell instead`,
      };
    }
    return { check, status: "skip", detail: "none: the emulator's lab model answers offline" };
  }
  if (backend === "azure") {
    return { check, status: "skip", detail: "not used: the demos talk to Azure AI Foundry" };
  }
  try {
    const ids = await listModels({ ...settings, timeoutMs: Math.min(settings.timeoutMs, STEP_TIMEOUT_MS) });
    if (hasModel(ids, settings.name)) {
      return {
        check,
        status: "ok",
        detail: `${settings.name} at ${settings.url} (EMULATOR_ROUTER=${settings.router})`,
      };
    }
    const some = ids.slice(0, 8).join(", ");
    return {
      check,
      status: "fail",
      detail: `"${settings.name}" not found at ${settings.url}${ids.length > 0 ? `; it has ${some}${ids.length > 8 ? ", …" : ""}` : ""}`,
      fix: `The server at ${settings.url} has no model "${settings.name}": set EMULATOR_MODEL_NAME to one it lists, or get the model first (\`ollama pull ${settings.name}\`, or \`foundry model download ${settings.name}\`).`,
    };
  } catch (err) {
    const status = (err as { status?: number }).status;
    return {
      check,
      status: "fail",
      detail: status === 504 ? "no answer in time" : "no model server",
      fix: (err as Error).message,
    };
  }
}

/**
 * Hints for the demos in this checkout whose built-in tool a region or policy may refuse. Each is probed
 * with one tiny response using that tool (store: false), because only the service knows; a refusal is a
 * warning naming the demo, not a red line: the other demos still run.
 */
async function demoHints(lab: Lab, ctx: ErrorContext): Promise<Line[]> {
  const lines: Line[] = [];
  const demos = new Map(listDemos().map((d) => [d.number, d.id]));
  const azure = lab.config.backend === "azure";
  const probe = async (demo: number, label: string, run: () => Promise<unknown>) => {
    const id = demos.get(demo);
    if (!id) return;
    const check = `${label} (demo ${id})`;
    try {
      await run();
      lines.push({
        check,
        status: "ok",
        detail: `available${azure ? "" : " (the emulator's offline version)"}`,
      });
    } catch (err) {
      lines.push({ check, status: "warn", detail: describeError(err, ctx).message });
    }
  };
  const respond = (tools: OpenAI.Responses.Tool[], input: string) =>
    withTimeout(
      (signal) =>
        lab.openai.responses.create(
          { model: lab.config.model, input, tools, store: false },
          { signal, maxRetries: 0 },
        ),
      "No answer to the probe",
    );

  const webSearch = (lab.config.env.WEB_SEARCH_TOOL ?? "web_search") as "web_search" | "web_search_preview";
  await probe(3, `${webSearch.replace(/_/g, " ")} tool`, () =>
    respond([{ type: webSearch }], "Search the web: what is Microsoft Foundry? Answer in one sentence."),
  );
  await probe(4, "code interpreter tool", () =>
    respond(
      [{ type: "code_interpreter", container: { type: "auto" } }],
      "Run this and tell me the output:\n```python\nprint(6 * 7)\n```",
    ),
  );
  await probe(5, "file search tool", async () => {
    const store = await lab.openai.vectorStores.create({
      name: "lab-doctor-probe",
      metadata: labMetadata("doctor"),
      expires_after: { anchor: "last_active_at", days: 1 },
    });
    try {
      await respond(
        [{ type: "file_search", vector_store_ids: [store.id] }],
        "What does the handbook say about travel?",
      );
    } finally {
      await lab.openai.vectorStores.delete(store.id).catch(() => undefined);
    }
  });
  await probe(7, "toolboxes", () =>
    withTimeout((abortSignal) => lab.project.toolboxes.list({ abortSignal }).byPage().next(), "No answer"),
  );
  const hosted = demos.get(8);
  if (hosted) {
    lines.push(
      azure
        ? {
            check: `hosted agents (demo ${hosted})`,
            status: "skip",
            detail:
              "not checkable from here: hosted agents (preview) exist in some regions only, and the service says so only when one is deployed (azd ai agent); the demo's local server runs anywhere",
          }
        : {
            check: `hosted agents (demo ${hosted})`,
            status: "ok",
            detail: "the demo serves its agent locally",
          },
    );
  }
  return lines;
}

function failure(err: unknown, ctx: ErrorContext): { detail: string; fix: string } {
  const { message } = describeError(err, ctx);
  const e = err as { statusCode?: number; status?: number; code?: string; name?: string };
  const status = e.statusCode ?? e.status;
  const detail = status ? `HTTP ${status}` : (chainCode(err) ?? e.name ?? "failed");
  return { detail, fix: message };
}

function chainCode(err: unknown): string | undefined {
  let current = err as { code?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current.code === "string") return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

class StepTimeout extends Error {}

async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StepTimeout(`${what} within ${STEP_TIMEOUT_MS / 1000} s.`));
    }, STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
