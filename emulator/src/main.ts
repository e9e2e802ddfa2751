/**
 * `pnpm emulator`: runs the emulator in the foreground on a fixed port (EMULATOR_PORT, default 8443) and
 * prints the two variables another terminal needs to use it. Demos started without an endpoint find it
 * through `emulator.json` in the data folder. Ctrl-C or SIGTERM closes it cleanly.
 */
import tls from "node:tls";
import { removeDiscoveryFile, writeDiscoveryFile } from "./discovery.ts";
import { EmulatorSettingError } from "./model/remote/settings.ts";
import { defaultDataDir } from "./paths.ts";
import { stopAllRuns } from "./sandbox/run.ts";
import { type RunningEmulator, startEmulator } from "./server.ts";

const DEFAULT_PORT = 8443;

function portFromEnv(): number {
  const raw = process.env.EMULATOR_PORT?.trim();
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    console.error(
      `EMULATOR_PORT is "${raw}"; set it to a port number from 1 to 65535, or unset it to use ${DEFAULT_PORT}.`,
    );
    process.exit(2);
  }
  return port;
}

async function run(): Promise<void> {
  const port = portFromEnv();
  const dataDir = defaultDataDir();
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ dataDir, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof EmulatorSettingError) {
      console.error(error.message);
      process.exit(2);
    }
    if (code === "EADDRINUSE") {
      console.error(
        `Port ${port} is already in use (another emulator?); stop that program or set EMULATOR_PORT to a free port.`,
      );
    } else {
      console.error(`The emulator could not start: ${(error as Error).message}`);
    }
    process.exit(1);
  }
  // An agent's MCP tool can point at this emulator's own toolbox endpoint (demo 7): those calls, made
  // from this process, must trust the emulator's certificate like every other client does.
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), emulator.caCertPem]);
  writeDiscoveryFile(dataDir, {
    endpoint: emulator.endpoint,
    caCertPath: emulator.caCertPath,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  });

  // The server is unref'd so embedded use never holds a process open; here, in the foreground, this
  // timer is what keeps the process running until a signal arrives.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    removeDiscoveryFile(dataDir);
    // Code still running in a sandbox is stopped now: its call fails saying why, and the stream ends.
    stopAllRuns();
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.once("exit", () => removeDiscoveryFile(dataDir));

  console.log(`FOUNDRY_PROJECT_ENDPOINT=${emulator.endpoint}`);
  console.log(`NODE_EXTRA_CA_CERTS=${emulator.caCertPath}`);
  console.log(
    `\nFoundry Agent Lab emulator running (data in ${dataDir}). Demos on this machine find it on their own;` +
      " other programs need the two variables above. Press Ctrl-C to stop.",
  );
  const local = emulator.localModel;
  if (local !== null) {
    const routed = { local: "every request", auto: "demanding requests", lab: "none (EMULATOR_ROUTER=lab)" };
    console.log(
      `Local model: ${local.name} at ${local.url}, a deployment of that name; model-router sends it ${routed[local.router]}.`,
    );
  }
}

await run();
