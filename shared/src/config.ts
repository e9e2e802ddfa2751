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
  /** Names in a .env file that look like the lab's settings but are none (a typo is otherwise silent). */
  unknownSettings: UnknownSetting[];
}

export interface UnknownSetting {
  name: string;
  file: string;
  /** The known name closest to it, when one is close enough to be the likely intent. */
  closest?: string;
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

/**
 * Every setting the lab, the emulator and the SDKs it uses read, for the prefixes below. Names a .env.sample
 * mentions (even commented out) count as known too, so a demo's own setting needs no entry here.
 */
const KNOWN_SETTINGS = [
  ...ENDPOINT_VARS,
  ...MODEL_VARS,
  "AGENT_NAME",
  "LAB_BACKEND",
  "LAB_DEBUG",
  "LAB_TRACING",
  "LAB_STATE_DIR",
  "LAB_ROOT_ENV",
  "LAB_TRANSCRIPTS_DIR",
  "LAB_EMULATOR_TOKEN",
  "LAB_DOCTOR_TIMEOUT_MS",
  "LAB_ISSUES_MCP_URL",
  "LAB_REPO_MCP_URL",
  "LAB_ISSUES_MCP_PORT",
  "LAB_REPO_MCP_PORT",
  "LAB_MCP_DATA_DIR",
  "LAB_MCP_IDLE_EXIT_MS",
  "LAB_TOOLS_DIR",
  "LAB_TEST_LIVE",
  "LAB_COMMAND_PROBE",
  "LAB_WEATHER",
  "EMULATOR_PORT",
  "EMULATOR_DATA_DIR",
  "EMULATOR_DEPLOYMENTS",
  "EMULATOR_ROUTER",
  "EMULATOR_MODEL_URL",
  "EMULATOR_MODEL_KEY",
  "EMULATOR_MODEL_NAME",
  "EMULATOR_MODEL_TIMEOUT_MS",
  "EMULATOR_UNAVAILABLE_TOOLS",
  "EMULATOR_STREAM_DELAY_MS",
  "EMULATOR_MCP_TIMEOUT_MS",
  "EMULATOR_PYTHON",
  "EMULATOR_CODE_TIMEOUT_MS",
  "EMULATOR_CODE_MEMORY_MB",
  "EMULATOR_CODE_MAX_OUTPUT_BYTES",
  "EMULATOR_SANDBOX_NO_NETNS",
  "EMULATOR_CODE_SANDBOX",
  "EMULATOR_CODE_DISK_MB",
  "EMULATOR_SHUTDOWN_GRACE_MS",
  "FOUNDRY_AGENT_NAME",
  "FOUNDRY_AGENT_VERSION",
  // @azure/identity's environment, managed identity and CLI settings.
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "AZURE_AUTHORITY_HOST",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_ADDITIONALLY_ALLOWED_TENANTS",
  "AZURE_REGIONAL_AUTHORITY_NAME",
  "AZURE_TOKEN_CREDENTIALS",
  "AZURE_LOG_LEVEL",
  "AZURE_SUBSCRIPTION_ID",
  "AZURE_RESOURCE_GROUP",
  "AZURE_CONFIG_DIR",
];
const CHECKED_PREFIX = /^(FOUNDRY|AZURE|MODEL|LAB|EMULATOR)_/;

/** Names of a .env.sample, set or commented out (`# NAME=`). */
function sampleNames(file: string): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, "utf8").matchAll(/^#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=/gm)].map(
    (m) => m[1] ?? "",
  );
}

/** Edit distance with adjacent transpositions (ENDPIONT → ENDPOINT is one edit). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] ?? 0, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}

/** The known setting a misspelt name most likely meant, if one is within a few edits. */
export function closestSetting(name: string, known: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 5)) ? best.name : undefined;
}

/** One line naming every unknown setting, for the top of a demo's output. */
export function unknownSettingsWarning(unknown: UnknownSetting[]): string | undefined {
  if (unknown.length === 0) return undefined;
  const each = unknown.map(
    (u) =>
      `${u.name} (in ${u.file})${u.closest ? `: did you mean ${u.closest}?` : " is not a setting the lab reads"}`,
  );
  return `Unknown setting${unknown.length > 1 ? "s" : ""}, ignored: ${each.join("; ")}`;
}

/**
 * Reads one .env file; a line that is not `NAME=value` is a configuration error, not a silent skip, and so
 * is a quote that never closes. A quoted value may span lines (a PEM key): Node's parseEnv ends it at the
 * next such quote, so that quote must end its line (only spaces or a # comment after it). Otherwise
 * parseEnv keeps a stray quote in the value, or reads the next setting's lines into it, without a word.
 */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const trimmed = (lines[index] ?? "").trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      throw new ConfigError(
        `Line ${index + 1} of ${displayPath(file)} is not NAME=value ("${trimmed.slice(0, 40)}"); fix or remove it (example: FOUNDRY_PROJECT_ENDPOINT=${ENDPOINT_EXAMPLE}).`,
      );
    }
    const [, name = "", value = ""] = match;
    const quote = value[0];
    if (!(quote === '"' || quote === "'" || quote === "`") || value.slice(1).includes(quote)) continue;
    const close = lines.findIndex((line, i) => i > index && line.includes(quote));
    const after = close === -1 ? "" : (lines[close] ?? "").slice((lines[close] ?? "").indexOf(quote) + 1);
    if (close === -1 || !/^\s*(?:#.*)?$/.test(after)) {
      // The value itself is not shown: it may be a secret.
      throw new ConfigError(
        `Line ${index + 1} of ${displayPath(file)}: the ${quote} quote that starts the value of ${name} never closes${close === -1 ? "" : ` (the next ${quote} is inside line ${close + 1})`}; end the value with ${quote} on line ${index + 1} (${name}=${quote}…${quote}) or remove the quote.`,
      );
    }
    index = close; // the lines up to the closing quote are the value's
  }
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
  const fromFiles = layers.flatMap(([file, values]) => Object.keys(values).map((name) => ({ name, file })));
  layers.push(["the environment", processEnv]);
  for (const [source, values] of layers) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      env[key] = value;
      sources[key] = source;
    }
  }
  // Only names written in a .env file are checked: the environment carries other programs' AZURE_* too.
  const checked = fromFiles.filter(({ name }) => CHECKED_PREFIX.test(name));
  let unknownSettings: UnknownSetting[] = [];
  if (checked.length > 0) {
    const known = new Set<string>([
      ...KNOWN_SETTINGS,
      ...sampleNames(path.join(repoRoot, ".env.sample")),
      ...(demoDir ? sampleNames(path.join(demoDir, ".env.sample")) : []),
    ]);
    unknownSettings = checked
      .filter(({ name }) => !known.has(name))
      .map(({ name, file }) => ({ name, file, closest: closestSetting(name, known) }));
  }
  return { env, sources, unknownSettings };
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
  // The line of .env.sample, uncommented as it is: say what goes in place of its <…> placeholders.
  const placeholders = [...new Set(value.match(/<[^<>]*>/g))];
  if (placeholders.length > 0) {
    const what: Record<string, string> = {
      "<resource>": "<resource> with your Foundry resource's name",
      "<project>": "<project> with your project's name",
    };
    throw new ConfigError(
      `${variable} (from ${source}) still has the placeholder${placeholders.length > 1 ? "s" : ""} ${placeholders.join(" and ")} of .env.sample: replace ${placeholders.map((p) => what[p] ?? `${p} with its value`).join(" and ")}, or paste the whole project endpoint from the project's Overview page in the Foundry portal (it looks like ${ENDPOINT_EXAMPLE}).`,
    );
  }
  // Quotes in the environment itself are part of the value (Windows' `set NAME="…"` keeps them).
  if (/^["'`]/.test(value))
    throw fail(
      `starts with a quote, which is part of the value here (${value.slice(0, 80)}); remove the quotes`,
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
  const { env, sources, unknownSettings } = loadEnv(demo.dir, processEnv);
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
    unknownSettings,
  };
}
