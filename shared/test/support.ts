/**
 * Test plumbing shared by every suite: a backend to test against (a fresh emulator, or the Foundry
 * project in FOUNDRY_PROJECT_ENDPOINT under `pnpm test:live`), real SDK clients for checking what the
 * demos did, and a way to run the lab's own commands as child processes with piped stdin.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import type { TokenCredential } from "@azure/identity";
import type OpenAI from "openai";
import { repoRoot } from "../src/config.ts";

export { repoRoot };

export const live = process.env.LAB_TEST_LIVE === "1";

export function tempDir(prefix = "lab-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestBackend {
  endpoint: string;
  /** Environment for child processes so they use this backend and keep their state in a temp folder. */
  env: NodeJS.ProcessEnv;
  project: AIProjectClient;
  openai: OpenAI;
  /** The emulator's data folder (emulator backends only). */
  dataDir?: string;
  close(): Promise<void>;
}

const testCredential: TokenCredential = {
  getToken: async () => ({ token: "lab-test-token", expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** A fresh emulator in a temp folder (or, live, the configured Foundry project). */
export async function startBackend(options: { streamDelayMs?: number } = {}): Promise<TestBackend> {
  const stateDir = tempDir("lab-state-");
  if (live) {
    const endpoint = process.env.FOUNDRY_PROJECT_ENDPOINT ?? "";
    const { DefaultAzureCredential } = await import("@azure/identity");
    const project = new AIProjectClient(endpoint, new DefaultAzureCredential());
    return {
      endpoint,
      env: { LAB_STATE_DIR: stateDir },
      project,
      openai: project.getOpenAIClient(),
      close: async () => rmSync(stateDir, { recursive: true, force: true }),
    };
  }
  const { startEmulator } = await import("@lab/emulator/server");
  const dataDir = tempDir("lab-emulator-");
  const emulator = await startEmulator({ dataDir, streamDelayMs: options.streamDelayMs ?? 0 });
  trust(emulator.caCertPem);
  const project = new AIProjectClient(emulator.endpoint, testCredential);
  return {
    endpoint: emulator.endpoint,
    dataDir,
    env: {
      FOUNDRY_PROJECT_ENDPOINT: emulator.endpoint,
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      LAB_STATE_DIR: stateDir,
      EMULATOR_DATA_DIR: dataDir,
    },
    project,
    openai: project.getOpenAIClient(),
    close: async () => {
      await emulator.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

let trusted = new Set<string>();
function trust(pem: string): void {
  if (trusted.has(pem)) return;
  trusted = new Set([...trusted, pem]);
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), pem]);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Lines written to stdin (each followed by a newline); stdin is closed afterwards unless keepOpen. */
  input?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with each chunk of stdout, e.g. to send a signal once the answer starts. */
  onStdout?(chunk: string, child: ReturnType<typeof spawn>): void;
  keepOpen?: boolean;
  /** The folder it runs in (default: the repository root). */
  cwd?: string;
  /** Node binary to run with (default: this one). */
  node?: string;
}

/** What a command printed and how it ended. */
export interface Collected {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Any command (pnpm, npm, a copy's own scripts) with exactly the environment given, `input` on stdin
 * (then closed), and everything it printed collected: for tests that run what a README tells a user to.
 */
export function spawnCollected(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `node scripts/lab.mjs <args>` like `pnpm <args>` does, with piped stdin and plain output. */
export function runLab(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(path.join(repoRoot, "scripts", "lab.mjs"), args, options);
}

export function run(script: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [script, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: {
        ...cleanEnv(),
        NO_COLOR: "1",
        LAB_ROOT_ENV: live ? "" : path.join(os.tmpdir(), "lab-no-root.env"),
        // A shared MCP server pair a demo starts (servers.ts) stops soon after the test, not after an hour.
        LAB_MCP_IDLE_EXIT_MS: "10000",
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out: lab ${args.join(" ")}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 45_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    for (const line of options.input ?? []) child.stdin.write(`${line}\n`);
    if (!options.keepOpen) child.stdin.end();
  });
}

/** The parent environment minus anything that would point a child at another project or backend. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!live) {
    for (const key of Object.keys(env)) {
      if (/^(FOUNDRY_|AZURE_AI_|PROJECT_ENDPOINT|MODEL_DEPLOYMENT|LAB_|EMULATOR_|AGENT_NAME)/.test(key))
        delete env[key];
    }
  }
  delete env.NODE_OPTIONS; // vitest's loader hooks must not leak into the demos
  return env;
}

/** A loopback port that was free a moment ago, so nothing answers there: a real refused connection. */
export async function closedPort(): Promise<number> {
  const net = await import("node:net");
  for (;;) {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as import("node:net").AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    // The kernel may hand a just-freed port out again: two calls in a row (an issues and a repo port)
    // must not get the same one.
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

const handedOut = new Set<number>();
