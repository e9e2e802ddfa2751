/**
 * Starting the two local MCP servers: on fixed default ports (so an agent definition that names their
 * URLs stays the same from run to run), or reusing the pair this checkout already runs. Each server
 * answers `GET /lab-mcp` with whose it is (a hash of its data folder) and which code it runs (a hash of
 * its own source), so a run never talks to another checkout's servers, nor to its own older code.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { type LabEndpoints, type ServedMcp, serveMcp } from "./http.ts";
import { IssueStore, issuesServer } from "./issues-server.ts";
import { repoServer, SAMPLE_REPO } from "./repo-server.ts";

export const DEFAULT_ISSUES_PORT = 8931;
export const DEFAULT_REPO_PORT = 8932;

export interface LocalMcpServers {
  issuesUrl: string;
  repoUrl: string;
  /** Where the issues live (a JSON file). */
  issuesFile: string;
  /** Milliseconds since either server last had a request. */
  idleMs(): number;
  close(): Promise<void>;
}

export function defaultMcpDataDir(): string {
  return path.resolve(
    process.env.LAB_MCP_DATA_DIR ?? path.join(import.meta.dirname, "..", "..", ".lab", "mcp"),
  );
}

/** Whose servers these are and which code they run: what `GET /lab-mcp` answers. */
export interface McpIdentity {
  /** A hash of the data folder's absolute path: one per checkout (or per LAB_MCP_DATA_DIR). */
  data: string;
  /** A hash of this package's source and sample repository: changes with every edit. */
  code: string;
}

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex").slice(0, 16);

let codeHash: string | undefined;
function ownCode(): string {
  if (codeHash) return codeHash;
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile())
        hash.update(`${path.relative(import.meta.dirname, file)}\0`).update(readFileSync(file));
    }
  };
  walk(import.meta.dirname);
  walk(SAMPLE_REPO);
  codeHash = hash.digest("hex").slice(0, 16);
  return codeHash;
}

export function identityOf(dataDir: string): McpIdentity {
  return { data: sha(canonical(dataDir)), code: ownCode() };
}

/** The folder's real path (one folder reached through a symlink is still one checkout), existing or not. */
function canonical(dir: string): string {
  const resolved = path.resolve(dir);
  const parent = path.dirname(resolved);
  if (existsSync(resolved)) return realpathSync(resolved);
  return parent === resolved ? resolved : path.join(canonical(parent), path.basename(resolved));
}

/**
 * The shared pair's record in its data folder (0600): its ports, so every terminal of this checkout finds
 * it wherever it runs (and the next pair takes them again), and the key that lets a newer run of this
 * checkout ask it to exit. Kept when the pair stops; a newer pair overwrites it.
 */
export const RUNTIME_FILE = "servers.json";
interface Runtime {
  pid: number;
  issuesPort: number;
  repoPort: number;
  key: string;
}

function readRuntime(dataDir: string): Runtime | undefined {
  try {
    const record = JSON.parse(readFileSync(path.join(dataDir, RUNTIME_FILE), "utf8")) as Runtime;
    const port = (p: unknown) => Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536;
    return port(record.issuesPort) && port(record.repoPort) ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function startMcpServers(
  options: {
    dataDir?: string;
    issuesPort?: number;
    repoPort?: number;
    background?: boolean;
    /** Accept `POST /lab-mcp/exit` carrying this key (the shared pair's, see main.ts), then call onExit. */
    exitKey?: string;
    onExit?: () => void;
  } = {},
): Promise<LocalMcpServers> {
  const dataDir = options.dataDir ?? defaultMcpDataDir();
  const store = new IssueStore(path.join(dataDir, "issues.json"));
  const lab = (server: string): LabEndpoints => ({
    about: { lab_mcp: server, ...identityOf(dataDir), pid: process.pid },
    exitKey: options.exitKey,
    onExit: options.onExit,
  });
  const issues = await serveMcp(
    () => issuesServer(store),
    options.issuesPort ?? 0,
    "127.0.0.1",
    options.background,
    lab("lab_issues"),
  );
  let repo: ServedMcp;
  try {
    repo = await serveMcp(
      () => repoServer(),
      options.repoPort ?? 0,
      "127.0.0.1",
      options.background,
      lab("lab_repo"),
    );
  } catch (err) {
    await issues.close();
    throw err;
  }
  return {
    issuesUrl: issues.url,
    repoUrl: repo.url,
    issuesFile: store.file,
    idleMs: () => Math.min(issues.idleMs(), repo.idleMs()),
    close: async () => {
      await Promise.all([issues.close(), repo.close()]);
    },
  };
}

/** Records a started shared pair in its data folder (main.ts). */
export function recordRuntime(dataDir: string, record: Omit<Runtime, "pid">): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, RUNTIME_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ pid: process.pid, ...record } satisfies Runtime)}\n`, {
    mode: 0o600,
  });
  renameSync(tmp, file);
}

/** What holds a port, as far as a probe of `GET /lab-mcp` can tell. */
type Holder = { kind: "free" } | { kind: "other" } | { kind: "lab"; data: string; code: string; pid: number };

async function holderOf(port: number): Promise<Holder> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/lab-mcp`, { signal: AbortSignal.timeout(1000) });
    const about = (await res.json().catch(() => ({}))) as Partial<
      McpIdentity & { lab_mcp: string; pid: number }
    >;
    return res.ok && about.lab_mcp && about.data && about.code
      ? { kind: "lab", data: about.data, code: about.code, pid: Number(about.pid) }
      : { kind: "other" };
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED"
      ? { kind: "free" }
      : { kind: "other" };
  }
}

const isMine = (h: Holder, me: McpIdentity) => h.kind === "lab" && h.data === me.data && h.code === me.code;
const isMyOlder = (h: Holder, me: McpIdentity) =>
  h.kind === "lab" && h.data === me.data && h.code !== me.code;

/** The holder, in the words of a sentence: "the lab's MCP servers of another checkout (process 12)". */
function described(h: Holder, me: McpIdentity): string {
  if (h.kind === "lab" && h.data !== me.data)
    return `the MCP servers of another checkout or ejected copy of the lab (process ${h.pid})`;
  if (h.kind === "lab")
    return `this checkout's MCP servers with older code, which did not stop when asked (process ${h.pid})`;
  return "a program that does not answer as the lab's MCP servers (another program, or an older version of the lab's)";
}

/**
 * Other ports for this checkout when the default ones are taken: derived from its data folder, so its
 * runs agree on them (and an agent that names them stays the same) without asking anyone.
 */
function alternatePorts(me: McpIdentity): Array<[number, number]> {
  const seed = Number.parseInt(me.data.slice(0, 8), 16);
  // 20000-31999: below Linux's ephemeral range (32768+), where outgoing connections take their ports.
  return Array.from({ length: 8 }, (_, i) => {
    const base = 20000 + ((seed + i * 2719) % 6000) * 2;
    return [base, base + 1] as [number, number];
  });
}

/**
 * The servers for a demo on the emulator: this checkout's shared pair, started when it does not run, in
 * a process of its own that outlives the run that started it and stops itself after SHARED_IDLE_EXIT_MS
 * without a request. Two terminals of one checkout share it and its issues; neither run's exit breaks the
 * other's approved calls. A pair is reused only when it answers with this checkout's data folder and this
 * code; a pair of this checkout with older code is asked to exit and replaced. When something else holds
 * the default ports, this checkout's pair uses other ones (`say` tells the user which); when the user
 * pinned the ports (LAB_ISSUES_MCP_PORT, LAB_REPO_MCP_PORT), `refuse` builds the error that names the holder.
 */
export const SHARED_IDLE_EXIT_MS = 60 * 60_000;

export async function ensureMcpServers(
  options: {
    say?: (line: string) => void;
    refuse?: (sentence: string) => Error;
    /** The ports when the user pinned none (the defaults; tests use free ones). */
    ports?: { issues: number; repo: number };
  } = {},
): Promise<{ issuesUrl: string; repoUrl: string; started: boolean }> {
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const refuse = options.refuse ?? ((sentence: string) => new Error(sentence));
  // The same variables as `pnpm mcp-servers` (main.ts, which the shared pair runs, reads them too).
  const pinned = Boolean(process.env.LAB_ISSUES_MCP_PORT || process.env.LAB_REPO_MCP_PORT);
  const preferred: [number, number] = [
    Number(process.env.LAB_ISSUES_MCP_PORT) || options.ports?.issues || DEFAULT_ISSUES_PORT,
    Number(process.env.LAB_REPO_MCP_PORT) || options.ports?.repo || DEFAULT_REPO_PORT,
  ];
  const dataDir = defaultMcpDataDir();
  const me = identityOf(dataDir);
  const urls = ([issues, repo]: [number, number], started: boolean) => ({
    issuesUrl: `http://127.0.0.1:${issues}/mcp`,
    repoUrl: `http://127.0.0.1:${repo}/mcp`,
    started,
  });

  // This checkout's last ports first (the record in its data folder, kept after the pair stops): where its
  // pair runs now, or else where it ran, so an agent or toolbox that names their URLs stays right.
  const runtime = readRuntime(dataDir);
  const last: [number, number] | undefined = runtime ? [runtime.issuesPort, runtime.repoPort] : undefined;
  const candidates: Array<[number, number]> = pinned
    ? [preferred]
    : [...(last ? [last] : []), preferred, ...alternatePorts(me)].filter(
        (ports, i, all) => all.findIndex((p) => p.join() === ports.join()) === i,
      );
  let taken: Holder | undefined;
  for (const ports of candidates) {
    const outcome = await startOrReuse(ports, me, dataDir, readRuntime(dataDir)?.key);
    if (outcome.ok) {
      if (ports.join() === preferred.join()) return urls(ports, outcome.started);
      say(
        taken
          ? `Ports ${preferred.join(" and ")} are taken by ${described(taken, me)}; this checkout's MCP servers use ${ports.join(" and ")}.`
          : `This checkout's MCP servers use ports ${ports.join(" and ")}, as last time (the defaults are ${preferred.join(" and ")}).`,
      );
      return urls(ports, outcome.started);
    }
    if (pinned) {
      const port = ports[outcome.index];
      const name = outcome.index === 0 ? "LAB_ISSUES_MCP_PORT" : "LAB_REPO_MCP_PORT";
      throw refuse(
        outcome.holder.kind === "free"
          ? `The local MCP servers did not start on ports ${ports.join(" and ")}; run pnpm mcp-servers to see why.`
          : `Port ${port} (${name}) is held by ${described(outcome.holder, me)}: stop it, or set ${name} to another port.`,
      );
    }
    if (ports.join() === preferred.join()) taken = outcome.holder;
  }
  throw refuse(
    `The local MCP servers found no free pair of ports (${preferred.join(" and ")} are taken by ${described(taken ?? { kind: "other" }, me)}): set LAB_ISSUES_MCP_PORT and LAB_REPO_MCP_PORT to free ones.`,
  );
}

type Outcome = { ok: true; started: boolean } | { ok: false; index: number; holder: Holder };

/** Reuses this checkout's current pair on these ports, replaces its older one, or starts one there. */
async function startOrReuse(
  ports: [number, number],
  me: McpIdentity,
  dataDir: string,
  key: string | undefined,
): Promise<Outcome> {
  let holders = await Promise.all(ports.map(holderOf));
  if (holders.every((h) => isMine(h, me))) return { ok: true, started: false };
  if (holders.some((h) => isMyOlder(h, me))) holders = await askToExit(ports, holders, me, key);
  const busy = holders.findIndex((h) => h.kind !== "free");
  if (busy >= 0) return { ok: false, index: busy, holder: holders[busy] as Holder };

  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [path.join(import.meta.dirname, "main.ts")], {
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      LAB_ISSUES_MCP_PORT: String(ports[0]),
      LAB_REPO_MCP_PORT: String(ports[1]),
      LAB_MCP_DATA_DIR: dataDir,
      LAB_MCP_IDLE_EXIT_MS: process.env.LAB_MCP_IDLE_EXIT_MS || String(SHARED_IDLE_EXIT_MS),
      NODE_OPTIONS: "",
    },
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.unref();
  // Two runs starting at once: one of the two processes gets the ports, the other exits; a run whose
  // process lost them to another checkout's moves on.
  for (let waited = 0; waited < 15_000; waited += 100) {
    holders = await Promise.all(ports.map(holderOf));
    if (holders.every((h) => isMine(h, me))) return { ok: true, started: true };
    // Ours exited: another run's process of this checkout (coming up) took the ports, or something else.
    if (exited && !holders.some((h) => isMine(h, me))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const index = Math.max(
    0,
    holders.findIndex((h) => !isMine(h, me)),
  );
  return { ok: false, index, holder: holders[index] ?? { kind: "free" } };
}

/** Asks this checkout's older pair to exit (with the key from its record) and waits for the ports. */
async function askToExit(
  ports: [number, number],
  holders: Holder[],
  me: McpIdentity,
  key: string | undefined,
): Promise<Holder[]> {
  if (key) {
    await Promise.all(
      ports.map((port, i) =>
        isMyOlder(holders[i] as Holder, me)
          ? fetch(`http://127.0.0.1:${port}/lab-mcp/exit`, {
              method: "POST",
              headers: { "x-lab-mcp-key": key },
              signal: AbortSignal.timeout(1000),
            }).catch(() => undefined)
          : undefined,
      ),
    );
  }
  for (let waited = 0; waited < 5000; waited += 100) {
    holders = await Promise.all(ports.map(holderOf));
    if (!holders.some((h) => isMyOlder(h, me))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return holders;
}
