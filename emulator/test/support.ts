/**
 * Test support: a real emulator on an ephemeral port in a temp data folder, and the real SDKs pointed at
 * it over verified HTTPS (its certificate is added to this process's trusted roots; nothing is mocked).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { AIProjectClient } from "@azure/ai-projects";
import type OpenAI from "openai";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../src/server.ts";

const trusted = new Set<string>();

export function trust(pem: string): void {
  if (trusted.has(pem)) return;
  trusted.add(pem);
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), ...trusted]);
}

type TokenCredential = ConstructorParameters<typeof AIProjectClient>[1];

export function credential(token = "t"): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600e3 }) };
}

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "lab-emulator-test-"));
}

export interface Lab {
  emulator: RunningEmulator;
  project: AIProjectClient;
  openai: OpenAI;
  /** Clients for another bearer token (fault injection). */
  clients(token: string): { project: AIProjectClient; openai: OpenAI };
  close(): Promise<void>;
}

export async function startLab(options: Partial<EmulatorOptions> = {}): Promise<Lab> {
  const dataDir = options.dataDir ?? tempDir();
  const emulator = await startEmulator({ streamDelayMs: 0, ...options, dataDir });
  trust(emulator.caCertPem);
  const clients = (token: string) => {
    const project = new AIProjectClient(emulator.endpoint, credential(token));
    return { project, openai: project.getOpenAIClient() };
  };
  const main = clients("t");
  return {
    emulator,
    ...main,
    clients,
    async close() {
      await emulator.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Raw HTTPS call for what the SDKs never send (bad JSON, no auth, huge bodies). */
export async function raw(
  lab: Lab,
  method: string,
  route: string,
  init: { body?: string | Buffer; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? "t"}`;
  const url = route.startsWith("https://") ? route : `${lab.emulator.endpoint}${route}`;
  const res = await fetch(url, { method, headers, body: init.body });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test will say so
  }
  return { status: res.status, headers: res.headers, json };
}

export const promptAgent = (model = "model-router", instructions = "You are the lab's test agent.") => ({
  kind: "prompt" as const,
  model,
  instructions,
});
