import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { AIProjectClient } from "@azure/ai-projects";
import { afterAll, describe, expect, it } from "vitest";
import { findRunningEmulator } from "../src/discovery.ts";
import { defaultDataDir } from "../src/paths.ts";
import { credential, tempDir, trust } from "./support.ts";

const MAIN = path.resolve(import.meta.dirname, "../src/main.ts");
const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, EMULATOR_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("pnpm emulator (main.ts)", () => {
  it("prints the two variables, is discoverable, and exits 0 on SIGTERM, removing its file", async () => {
    const port = await freePort();
    const proc = run({ EMULATOR_PORT: String(port) });
    await waitFor(() => proc.output().includes("NODE_EXTRA_CA_CERTS="), "the banner");
    const lines = proc.output().split("\n");
    expect(lines[0]).toBe(`FOUNDRY_PROJECT_ENDPOINT=https://127.0.0.1:${port}/api/projects/lab`);
    expect(lines[1]).toBe(`NODE_EXTRA_CA_CERTS=${path.join(dataDir, "emulator-cert.pem")}`);

    const record = JSON.parse(readFileSync(path.join(dataDir, "emulator.json"), "utf8"));
    if (process.platform !== "win32") {
      expect((statSync(path.join(dataDir, "emulator.json")).mode & 0o777).toString(8)).toBe("600");
    }
    expect(record).toMatchObject({
      pid: proc.child.pid,
      endpoint: `https://127.0.0.1:${port}/api/projects/lab`,
    });
    expect(await findRunningEmulator(dataDir)).toEqual({
      endpoint: record.endpoint,
      caCertPath: path.join(dataDir, "emulator-cert.pem"),
    });

    proc.child.kill("SIGTERM");
    expect(await proc.exit).toBe(0);
    expect(existsSync(path.join(dataDir, "emulator.json"))).toBe(false);
  });

  it("says in one sentence that the port is busy, and exits 1", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const proc = run({ EMULATOR_PORT: String(port) });
      expect(await proc.exit).toBe(1);
      expect(proc.output()).toMatch(new RegExp(`Port ${port} is already in use.*EMULATOR_PORT`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("rejects an invalid EMULATOR_PORT with exit 2", async () => {
    const proc = run({ EMULATOR_PORT: "eighty" });
    expect(await proc.exit).toBe(2);
    expect(proc.output().trim()).toBe(
      'EMULATOR_PORT is "eighty"; set it to a port number from 1 to 65535, or unset it to use 8443.',
    );
  });
});

describe("discovery and paths", () => {
  it("ignores and removes a stale emulator.json", async () => {
    const file = path.join(dataDir, "emulator.json");
    writeFileSync(
      file,
      JSON.stringify({
        endpoint: "https://127.0.0.1:1/api/projects/lab",
        caCertPath: "x",
        pid: 2 ** 22 + 7,
        startedAt: "",
      }),
    );
    expect(await findRunningEmulator(dataDir)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, "not json");
    expect(await findRunningEmulator(dataDir)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(await findRunningEmulator(path.join(dataDir, "missing"))).toBeUndefined();
  });

  it("treats a live pid whose port does not answer as stale", async () => {
    const file = path.join(dataDir, "emulator.json");
    const port = await freePort();
    writeFileSync(
      file,
      JSON.stringify({
        endpoint: `https://127.0.0.1:${port}/api/projects/lab`,
        caCertPath: path.join(dataDir, "emulator-cert.pem"),
        pid: process.pid,
        startedAt: "",
      }),
    );
    expect(await findRunningEmulator(dataDir)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it("defaults the data folder to <repo>/.lab/emulator unless EMULATOR_DATA_DIR is set", () => {
    const saved = process.env.EMULATOR_DATA_DIR;
    try {
      delete process.env.EMULATOR_DATA_DIR;
      expect(defaultDataDir()).toBe(path.resolve(import.meta.dirname, "../../.lab/emulator"));
      process.env.EMULATOR_DATA_DIR = "relative/dir";
      expect(defaultDataDir()).toBe(path.resolve("relative/dir"));
    } finally {
      if (saved === undefined) delete process.env.EMULATOR_DATA_DIR;
      else process.env.EMULATOR_DATA_DIR = saved;
    }
  });
});

describe("SIGTERM with work in flight", () => {
  it("ends every stream with response.failed naming the shutdown, then exits 0", async () => {
    const folder = tempDir();
    const port = await freePort();
    // A server that never answers keeps one turn inside the model (listing MCP tools) at the signal.
    const hung = net.createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const hungPort = (hung.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        EMULATOR_DATA_DIR: folder,
        EMULATOR_PORT: String(port),
        EMULATOR_STREAM_DELAY_MS: "40",
        EMULATOR_MCP_TIMEOUT_MS: "60000",
        EMULATOR_SHUTDOWN_GRACE_MS: "500",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => output.includes("NODE_EXTRA_CA_CERTS="), "the banner");
      trust(readFileSync(path.join(folder, "emulator-cert.pem"), "utf8"));
      const project = new AIProjectClient(`https://127.0.0.1:${port}/api/projects/lab`, credential());
      const openai = project.getOpenAIClient();
      await project.agents.createVersion("talker", { kind: "prompt", model: "model-router" });
      await project.agents.createVersion("waiter", {
        kind: "prompt",
        model: "model-router",
        tools: [
          {
            type: "mcp",
            server_label: "hung",
            server_url: `http://127.0.0.1:${hungPort}/mcp`,
            require_approval: "never",
          } as never,
        ],
      });
      const collect = async (name: string, input: string, onEvent: (type: string) => void) => {
        const stream = await openai.responses.create(
          { input, stream: true },
          { body: { agent_reference: { type: "agent_reference", name } }, maxRetries: 0 },
        );
        const types: string[] = [];
        let last: { type: string; response?: { status?: string; error?: { message?: string } | null } } = {
          type: "",
        };
        for await (const event of stream) {
          types.push(event.type);
          onEvent(event.type);
          last = event as typeof last;
        }
        return { types, last };
      };
      let deltas = 0;
      let waiting = 0;
      const long = "Tell me everything you can about the weather in Oslo, Bergen and Trondheim tomorrow";
      const streams = [
        ...Array.from({ length: 4 }, () =>
          collect("talker", long, (type) => {
            if (type === "response.output_text.delta") deltas++;
          }),
        ),
        collect("waiter", "List the open issues", (type) => {
          if (type === "response.in_progress") waiting++;
        }),
      ];
      // Not a stream: it gets the grace period (500 ms here), then its connection is cut; never a hang.
      const plain = openai.responses
        .create(
          { input: "List the open issues" },
          { body: { agent_reference: { type: "agent_reference", name: "waiter" } }, maxRetries: 0 },
        )
        .then(
          () => "answered",
          (error: Error) => error.constructor.name,
        );
      // Every talker is mid-answer; the waiter's request is in (its model is still listing tools).
      await waitFor(() => deltas >= 8, "answers streaming");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waiting).toBe(0);
      child.kill("SIGTERM");
      const ended = await Promise.all(streams);
      for (const { types, last } of ended) {
        expect(types.at(-1)).toBe("response.failed");
        expect(last.response?.status).toBe("failed");
        expect(last.response?.error?.message).toContain("The emulator is shutting down");
        expect(types).not.toContain("response.completed");
      }
      expect(ended[0]?.types).toContain("response.output_text.delta");
      // The turn still in the model ends at once too, as a whole (if empty) stream.
      expect(ended[4]?.types).toEqual(["response.created", "response.in_progress", "response.failed"]);
      expect(await plain).toBe("APIConnectionError");
      expect(await exit).toBe(0);
      // And the port is free again.
      const probe = net.connect(port, "127.0.0.1");
      const refused = await new Promise<boolean>((resolve) => {
        probe.on("error", () => resolve(true));
        probe.on("connect", () => resolve(false));
      });
      probe.destroy();
      expect(refused).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      hung.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("embedded use", () => {
  it("never keeps a finished process alive: the process exits without calling close()", async () => {
    const server = path.resolve(import.meta.dirname, "../src/server.ts");
    const script = `
      import tls from "node:tls";
      import { startEmulator } from ${JSON.stringify(server)};
      const emulator = await startEmulator({ dataDir: ${JSON.stringify(dataDir)} });
      tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
      const res = await fetch(emulator.endpoint + "/agents", { headers: { authorization: "Bearer t" } });
      console.log("status", res.status, (await res.json()).data.length);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 10_000));
    const result = await Promise.race([exited, timeout]);
    if (result === "still running") child.kill("SIGKILL");
    expect(result).toBe(0);
    expect(output.trim()).toBe("status 200 0");
  });
});
