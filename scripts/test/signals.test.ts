/**
 * Stopping the lab's servers the way a process manager, `kill`, or a closing terminal tab does: SIGTERM
 * to `pnpm` itself, exactly as the user started it. pnpm does not pass the signal on, so the launcher
 * notices its parent is gone and stops the server; what a user notices is that the port is free again.
 * SIGKILL to pnpm or npm (nothing can be passed on; their `sh -c` stays, waiting for the launcher) is
 * noticed too. Linux only here: the Windows side of the watch (`kill(pid, 0)`) is untested.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanEnv,
  closedPort,
  repoRoot,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../shared/test/support.ts";

let backend: TestBackend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.close());

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(port, "127.0.0.1");
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, output: () => string) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
}

/**
 * Runs `pnpm <script>` (or another package manager's command line), waits for `ready` on stdout, sends
 * `signal` to the package manager, and waits for the ports.
 */
async function stopWith(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: string,
  ports: number[],
  stoppedCleanly: () => boolean = () => true,
  { signal = "SIGTERM", command = ["pnpm", script] }: { signal?: NodeJS.Signals; command?: string[] } = {},
) {
  const [program = "pnpm", ...args] = command;
  const child: ChildProcess = spawn(program, args, {
    cwd: repoRoot,
    env: {
      ...cleanEnv(),
      NO_COLOR: "1",
      LAB_ROOT_ENV: path.join(tempDir("lab-no-root-"), "none.env"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await until(
      () => output.includes(ready),
      `"${ready}"`,
      () => output,
    );
    for (const port of ports) expect(await listening(port)).toBe(true);
    child.kill(signal);
    await exited;
    // The package manager is gone at once; the server follows it and lets go of its port.
    for (const port of ports)
      await until(
        async () => !(await listening(port)),
        `port ${port} to close`,
        () => output,
      );
    await until(stoppedCleanly, "its clean-up", () => output);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** `pnpm emulator` (or `command`), stopped by `signal` to the package manager. */
async function stopEmulator(signal: NodeJS.Signals, command = ["pnpm", "emulator"]) {
  const port = await closedPort();
  const dataDir = tempDir("lab-emulator-");
  await stopWith(
    "emulator",
    { EMULATOR_PORT: String(port), EMULATOR_DATA_DIR: dataDir },
    "NODE_EXTRA_CA_CERTS=",
    [port],
    // It stopped through its own SIGTERM handler, not a kill: it removed its discovery file.
    () => !existsSync(path.join(dataDir, "emulator.json")),
    { signal, command },
  );
}

describe("SIGTERM to pnpm stops the server it started", () => {
  it("pnpm emulator", () => stopEmulator("SIGTERM"));

  it("pnpm mcp-servers", async () => {
    const [issues, repo] = [await closedPort(), await closedPort()];
    await stopWith(
      "mcp-servers",
      {
        LAB_ISSUES_MCP_PORT: String(issues),
        LAB_REPO_MCP_PORT: String(repo),
        LAB_MCP_DATA_DIR: tempDir("lab-mcp-"),
      },
      "LAB_REPO_MCP_URL=",
      [issues, repo],
    );
  });

  it("pnpm 8-hosted:serve", async () => {
    const port = await closedPort();
    await stopWith("8-hosted:serve", { ...backend.env, PORT: String(port) }, "Hosted agent listening on", [
      port,
    ]);
  });

  it("pnpm 4-code:web", async () => {
    const port = await closedPort();
    await stopWith("4-code:web", { ...backend.env, DEMO4_PORT: String(port) }, "Demo 4 web page:", [port]);
  });
});

describe("SIGKILL to the package manager (it passes nothing on, and its shell stays) stops the server too", () => {
  it("pnpm emulator", () => stopEmulator("SIGKILL"));

  it("npm run emulator (the npm-only route)", () => stopEmulator("SIGKILL", ["npm", "run", "emulator"]));

  it("pnpm 8-hosted:serve", async () => {
    const port = await closedPort();
    await stopWith(
      "8-hosted:serve",
      { ...backend.env, PORT: String(port) },
      "Hosted agent listening on",
      [port],
      undefined,
      { signal: "SIGKILL" },
    );
  });
});
