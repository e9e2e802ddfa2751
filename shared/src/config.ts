/**
 * One config module for every demo, so variable names cannot drift between templates and code.
 * Order: the root .env, then the demo's .env, and the process environment wins over both.
 * Everything is validated before any network call; a bad value exits 2 naming the variable,
 * the file it came from and an example.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { ConfigError } from "./errors.ts";

export type Backend = "azure" | "emulator";

export interface DemoInfo {
  /** Folder name, e.g. "0-hello". */
  id: string;
  /** The demo's folder (where its .env and state live). */
  dir: string;
  /** Agent name used when AGENT_NAME is not set. */
  defaultAgentName: string;
}

export interface LabConfig {
  demo: DemoInfo;
  repoRoot: string;
  backend: Backend;
  /** The project endpoint for Azure, or a separately started emulator; undefined: start the embedded one. */
  endpoint: string | undefined;
  model: string;
  agentName: string;
  /** Where each variable that was read came from, for messages. */
  sources: Record<string, string>;
  env: Record<string, string | undefined>;
}

export const ENDPOINT_VARS = [
  "FOUNDRY_PROJECT_ENDPOINT",
  "PROJECT_ENDPOINT",
  "AZURE_AI_PROJECT_ENDPOINT",
] as const;
export const MODEL_VARS = ["MODEL_DEPLOYMENT", "MODEL_DEPLOYMENT_NAME", "FOUNDRY_MODEL_NAME"] as const;
export const DEFAULT_MODEL = "model-router";
export const ENDPOINT_EXAMPLE = "https://my-foundry.services.ai.azure.com/api/projects/my-project";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..");

/** Reads one .env file; a line that is not `NAME=value` is a configuration error, not a silent skip. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, "utf8");
  let open: string | undefined; // a quote character while inside a multi-line quoted value
  text.split(/\r?\n/).forEach((line, index) => {
    if (open) {
      if (line.includes(open)) open = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      throw new ConfigError(
        `Line ${index + 1} of ${displayPath(file)} is not NAME=value ("${trimmed.slice(0, 40)}"); fix or remove it (example: FOUNDRY_PROJECT_ENDPOINT=${ENDPOINT_EXAMPLE}).`,
      );
    }
    const value = match[1] ?? "";
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === "`") && !value.slice(1).includes(quote)) open = quote;
  });
  return parseEnv(text) as Record<string, string>;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/** Merges root .env, demo .env and the process environment, remembering where each value came from. */
export function loadEnv(demoDir: string | undefined, processEnv: NodeJS.ProcessEnv = process.env) {
  const env: Record<string, string | undefined> = {};
  const sources: Record<string, string> = {};
  // LAB_ROOT_ENV points at another root .env (tests use it to stay clear of a developer's own .env).
  const rootEnv = processEnv.LAB_ROOT_ENV
    ? path.resolve(processEnv.LAB_ROOT_ENV)
    : path.join(repoRoot, ".env");
  const layers: Array<[string, Record<string, string | undefined>]> = [
    [displayPath(rootEnv), readEnvFile(rootEnv)],
  ];
  if (demoDir)
    layers.push([displayPath(path.join(demoDir, ".env")), readEnvFile(path.join(demoDir, ".env"))]);
  layers.push(["the environment", processEnv]);
  for (const [source, values] of layers) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      env[key] = value;
      sources[key] = source;
    }
  }
  return { env, sources };
}

function firstSet(env: Record<string, string | undefined>, names: readonly string[]) {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** True for the emulator's own URLs: https on a loopback address. */
export function isLocalEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

/**
 * Checks the shape of a project endpoint and returns it without a trailing slash
 * (a trailing slash makes the OpenAI client call `//openai/v1`, which the service answers with 404).
 */
export function normalizeEndpoint(raw: string, variable: string, source: string): string {
  const value = raw.trim().replace(/\/+$/, "");
  const fail = (why: string) =>
    new ConfigError(
      `${variable} (from ${source}) ${why}; expected a project endpoint such as ${ENDPOINT_EXAMPLE}.`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`is not a URL ("${value.slice(0, 80)}")`);
  }
  const local = isLocalEndpoint(value);
  if (url.protocol !== "https:") throw fail(`must start with https:// ("${value}")`);
  if (url.search || url.hash) throw fail(`must not carry a query string or fragment ("${value}")`);
  if (!local) {
    if (
      /\.openai\.azure\.com$/i.test(url.hostname) ||
      /\.cognitiveservices\.azure\.com$/i.test(url.hostname)
    ) {
      throw fail(`is an Azure OpenAI or resource endpoint, not a Foundry project endpoint ("${value}")`);
    }
    if (!/^[a-z0-9][a-z0-9-]*\.services\.ai\.azure\.com$/i.test(url.hostname)) {
      throw fail(`does not point at <resource>.services.ai.azure.com ("${value}")`);
    }
  }
  if (!/^\/api\/projects\/[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(url.pathname)) {
    throw fail(
      url.pathname === "" || url.pathname === "/"
        ? `is the resource endpoint without /api/projects/<project> ("${value}"); copy the project endpoint from the project's Overview page`
        : `must end with /api/projects/<project> ("${value}")`,
    );
  }
  return value;
}

const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function loadConfig(demo: DemoInfo, processEnv: NodeJS.ProcessEnv = process.env): LabConfig {
  const { env, sources } = loadEnv(demo.dir, processEnv);
  const from = (name: string) => sources[name] ?? "the environment";

  const endpointVar = firstSet(env, ENDPOINT_VARS);
  const endpoint = endpointVar
    ? normalizeEndpoint(endpointVar.value, endpointVar.name, from(endpointVar.name))
    : undefined;

  const requested = env.LAB_BACKEND?.trim().toLowerCase();
  if (requested && requested !== "azure" && requested !== "emulator") {
    throw new ConfigError(
      `LAB_BACKEND (from ${from("LAB_BACKEND")}) is "${env.LAB_BACKEND}"; use "azure" or "emulator", or leave it unset to pick Azure exactly when FOUNDRY_PROJECT_ENDPOINT is set.`,
    );
  }
  let backend: Backend;
  if (requested === "azure") {
    if (!endpoint) {
      throw new ConfigError(
        `LAB_BACKEND=azure needs FOUNDRY_PROJECT_ENDPOINT: add it to ${displayPath(path.join(repoRoot, ".env"))} (example: FOUNDRY_PROJECT_ENDPOINT=${ENDPOINT_EXAMPLE}).`,
      );
    }
    if (isLocalEndpoint(endpoint)) {
      throw new ConfigError(
        `LAB_BACKEND=azure but ${endpointVar?.name} (from ${from(endpointVar?.name ?? "")}) points at a local emulator (${endpoint}); use your project endpoint, e.g. ${ENDPOINT_EXAMPLE}.`,
      );
    }
    backend = "azure";
  } else if (requested === "emulator") {
    backend = "emulator";
  } else {
    backend = endpoint && !isLocalEndpoint(endpoint) ? "azure" : "emulator";
  }

  const modelVar = firstSet(env, MODEL_VARS);
  const model = modelVar?.value ?? DEFAULT_MODEL;
  if (/\s|\//.test(model)) {
    throw new ConfigError(
      `${modelVar?.name} (from ${from(modelVar?.name ?? "")}) is "${model}", which is not a deployment name; use the name under "Models + endpoints", e.g. MODEL_DEPLOYMENT=model-router.`,
    );
  }

  const agentName = env.AGENT_NAME?.trim() || demo.defaultAgentName;
  if (!AGENT_NAME_PATTERN.test(agentName)) {
    throw new ConfigError(
      `AGENT_NAME (from ${from("AGENT_NAME")}) is "${agentName}"; an agent name is 1-63 letters, digits, "-" or "_", starting with a letter or digit (example: AGENT_NAME=${demo.defaultAgentName}).`,
    );
  }

  return {
    demo,
    repoRoot,
    backend,
    // An Azure endpoint is ignored when LAB_BACKEND=emulator asks for the embedded emulator.
    endpoint: backend === "azure" || (endpoint && isLocalEndpoint(endpoint)) ? endpoint : undefined,
    model,
    agentName,
    sources,
    env,
  };
}
