/**
 * Connecting a demo to a Foundry project: configuration, the backend, the credential and the two SDK
 * clients. With no endpoint configured this starts the lab's emulator inside the process (or reuses one
 * started with `pnpm emulator`), so the same demo code runs with no cloud account.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import type { AIProjectClient } from "@azure/ai-projects";
import type { TokenCredential } from "@azure/identity";
import type OpenAI from "openai";
import { type LabConfig, loadConfig, unknownSettingsWarning } from "./config.ts";
import { ConfigError, describeError, type ErrorContext } from "./errors.ts";
import { DemoState } from "./state.ts";
import { bold, dim, problem } from "./terminal.ts";
import { connectTracing, sdkTracingOptions, startTracing, tracingRequested } from "./tracing.ts";

export interface Lab {
  config: LabConfig;
  /** Foundry-native operations: agents, toolboxes, deployments, connections. */
  project: AIProjectClient;
  /** The Responses API, conversations, files, vector stores: always from `project.getOpenAIClient()`. */
  openai: OpenAI;
  /** The credential both clients use (DefaultAzureCredential on Azure; a local token on the emulator). */
  credential: TokenCredential;
  /** The project as one line for people ("emulator (embedded) https://…" or "Azure AI Foundry https://…"). */
  backendLabel: string;
  /** This demo's state file, in the section for this project. */
  state<T extends object>(): DemoState<T>;
  errorContext(): ErrorContext;
}

let current: Promise<Lab> | undefined;
let currentContext: ErrorContext = {};

export interface ConnectOptions {
  /**
   * Checks the demo's own settings (demo 1's LAB_WEATHER) with the lab's, before anything connects or is
   * created: a bad value throws a ConfigError, one sentence and exit 2.
   */
  checkSettings?(config: LabConfig): void;
}

/**
 * Connects the demo whose source folder is `srcDir` (pass `import.meta.dirname`). Calling it again in
 * the same process (create-agent, then chat) returns the same connection.
 */
export function connect(
  srcDir: string,
  defaultAgentName: string,
  options: ConnectOptions = {},
): Promise<Lab> {
  installErrorHandlers();
  current ??= open(srcDir, defaultAgentName, options);
  return current;
}

async function open(srcDir: string, defaultAgentName: string, options: ConnectOptions): Promise<Lab> {
  const dir = path.resolve(srcDir, "..");
  const config = loadConfig({ id: path.basename(dir), dir, defaultAgentName });
  // A misspelt FOUNDRY_PROJECT_ENDPOINT would otherwise run silently on the emulator.
  const unknown = unknownSettingsWarning(config.unknownSettings);
  if (unknown) process.stderr.write(`! ${unknown}\n`);
  options.checkSettings?.(config);
  currentContext = {
    backend: config.backend,
    model: config.model,
    agentName: config.agentName,
    demo: config.demo.id,
  };

  let endpoint: string;
  let credential: TokenCredential;
  let backendLabel: string;
  let projectKey: string;
  if (config.backend === "azure" && config.endpoint) {
    endpoint = config.endpoint;
    // Imported only here: the identity library is large and the emulator path never needs it.
    const { DefaultAzureCredential } = await import("@azure/identity");
    credential = new DefaultAzureCredential();
    backendLabel = `Azure AI Foundry ${endpoint}`;
    projectKey = endpoint;
  } else {
    const emulator = await reachEmulator(config);
    endpoint = emulator.endpoint;
    credential = localCredential(config.env.LAB_EMULATOR_TOKEN);
    backendLabel = `emulator (${emulator.how}) ${endpoint}`;
    projectKey = `emulator:${emulator.dataDir ?? endpoint}`;
    // `pnpm reset:all` runs a demo's reset once per emulator section of its state file (the embedded or
    // `pnpm emulator` route, and each FOUNDRY_PROJECT_ENDPOINT used for an emulator), through this emulator.
    const section = process.env.LAB_STATE_SECTION;
    if (section?.startsWith("emulator:")) projectKey = section;
  }
  currentContext.endpoint = endpoint;

  // --otel / LAB_TRACING=1: the tracer provider exists before the client, which gets tracingOptions.
  const tracing = tracingRequested(process.argv, config.env);
  if (tracing) await startTracing(config.demo.id, config.env);
  // Imported here, not at the top: on the emulator the launcher first points the SDK's one use of
  // @azure/identity at a small stand-in (scripts/src/commands.ts), which must happen before it loads.
  const { AIProjectClient } = await import("@azure/ai-projects");
  const project = new AIProjectClient(
    endpoint,
    credential,
    tracing ? { tracingOptions: sdkTracingOptions(config.env) } : {},
  );
  const openai = project.getOpenAIClient();
  process.stdout.write(
    `${bold(`▶ ${config.demo.id}`)} ${dim(`· backend: ${backendLabel} · model: ${config.model} · agent: ${config.agentName}`)}\n`,
  );
  if (tracing) {
    const token = config.backend === "azure" ? undefined : config.env.LAB_EMULATOR_TOKEN;
    await connectTracing({ backend: config.backend, endpoint, token, project, env: config.env });
  }
  return {
    config,
    project,
    openai,
    credential,
    backendLabel,
    state: <T extends object>() => new DemoState<T>(dir, projectKey),
    errorContext: () => currentContext,
  };
}

interface ReachedEmulator {
  endpoint: string;
  how: string;
  dataDir?: string;
}

/** The emulator to use: the configured URL, a running `pnpm emulator`, or a new one in this process. */
async function reachEmulator(config: LabConfig): Promise<ReachedEmulator> {
  const { defaultDataDir } = await import("@lab/emulator/paths");
  const dataDir = defaultDataDir();
  if (config.endpoint) {
    // A separately started emulator: trust its certificate unless NODE_EXTRA_CA_CERTS already does.
    if (!config.env.NODE_EXTRA_CA_CERTS) trustCertificateFile(path.join(dataDir, "emulator-cert.pem"));
    return { endpoint: config.endpoint, how: "external" };
  }
  const { findRunningEmulator } = await import("@lab/emulator/discovery");
  const running = await findRunningEmulator(dataDir);
  if (running) {
    trustCertificateFile(running.caCertPath);
    return { endpoint: running.endpoint, how: "pnpm emulator", dataDir };
  }
  const { startEmulator } = await import("@lab/emulator/server");
  const { EmulatorSettingError } = await import("@lab/emulator/model/remote/settings");
  // A bad EMULATOR_MODEL_* setting is the user's configuration: its sentence, exit 2.
  const settingError = (err: unknown) => {
    throw err instanceof EmulatorSettingError ? new ConfigError(err.message) : err;
  };
  // The port of the last embedded run, again if it is free: an agent definition that names the emulator's
  // URL (demo 7's pinned toolbox endpoint) then stays the same, so an unchanged agent keeps its version.
  const portFile = path.join(dataDir, "embedded-port");
  const lastPort = existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) || 0 : 0;
  const started = await startEmulator({ dataDir, port: lastPort })
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EADDRINUSE" || lastPort === 0) throw err;
      return startEmulator({ dataDir }); // another run has it: any free port
    })
    .catch(settingError);
  writeFileSync(portFile, new URL(started.endpoint).port);
  trustCertificate(started.caCertPem);
  return { endpoint: started.endpoint, how: "embedded", dataDir };
}

function trustCertificateFile(file: string): void {
  try {
    trustCertificate(readFileSync(file, "utf8"));
  } catch {
    // Not readable: the first request will fail with a TLS error that says what to do.
  }
}

/** Adds the emulator's certificate to this process's trusted roots; verification stays on. */
function trustCertificate(pem: string): void {
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), pem]);
}

/** The emulator accepts any bearer token; a few special ones make it answer 401/403/429 for tests. */
function localCredential(token = "lab-local-token"): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

let handlersInstalled = false;

/** Last resort: any error that escapes a demo becomes one sentence on stderr and the right exit code. */
export function installErrorHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const fail = (err: unknown) => {
    const { message, exitCode } = describeError(err, currentContext);
    problem(message);
    if (process.env.LAB_DEBUG) console.error(err);
    process.exit(exitCode);
  };
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  // Output piped into a program that stopped reading (`pnpm 0-hello | head`): end quietly, like any CLI.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    fail(err);
  });
}
