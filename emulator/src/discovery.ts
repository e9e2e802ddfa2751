/**
 * How a demo finds a `pnpm emulator` already running on the same data folder: that process writes
 * `<dataDir>/emulator.json` and removes it on exit. A file is trusted only if its process is alive and its
 * `/healthz` answers over verified TLS; otherwise it is stale (a crash, a reboot) and is removed.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { PRIVATE_FILE_MODE } from "./paths.ts";

export interface DiscoveryRecord {
  endpoint: string;
  caCertPath: string;
  pid: number;
  startedAt: string;
}

const FILE = "emulator.json";

export function discoveryFile(dataDir: string): string {
  return path.join(dataDir, FILE);
}

export function writeDiscoveryFile(dataDir: string, record: DiscoveryRecord): void {
  const file = discoveryFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
}

/** Removes the file only if it is ours, so a second emulator's record is never deleted by the first. */
export function removeDiscoveryFile(dataDir: string, pid = process.pid): void {
  const record = readRecord(discoveryFile(dataDir));
  if (record?.pid === pid) rmSync(discoveryFile(dataDir), { force: true });
}

export async function findRunningEmulator(
  dataDir: string,
): Promise<{ endpoint: string; caCertPath: string } | undefined> {
  const file = discoveryFile(dataDir);
  const record = readRecord(file);
  if (record === undefined) return undefined;
  if (isAlive(record.pid) && (await answersHealth(record))) {
    return { endpoint: record.endpoint, caCertPath: record.caCertPath };
  }
  rmSync(file, { force: true });
  return undefined;
}

function readRecord(file: string): DiscoveryRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<DiscoveryRecord>;
    if (
      typeof value.endpoint === "string" &&
      typeof value.caCertPath === "string" &&
      Number.isInteger(value.pid)
    ) {
      return value as DiscoveryRecord;
    }
  } catch {
    // unreadable: treated as stale below
  }
  return { endpoint: "", caCertPath: "", pid: -1, startedAt: "" };
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function answersHealth(record: DiscoveryRecord): Promise<boolean> {
  let ca: string;
  let url: URL;
  try {
    ca = readFileSync(record.caCertPath, "utf8");
    url = new URL("/healthz", record.endpoint);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const req = https.get(url, { ca, timeout: 500, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}
