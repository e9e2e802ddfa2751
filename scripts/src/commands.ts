/**
 * What the root scripts do once Node is known to be recent enough. Everything runs in this one
 * process where it can (a demo's create-agent and chat share one start-up and one emulator).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ENDPOINT_VARS, type LabConfig, loadConfig, loadEnv, repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { installErrorHandlers } from "@lab/shared/lab";
import { tracingRequested } from "@lab/shared/tracing";
import { listDemos } from "./demos.ts";
import { STAND_INS, sdkBundle } from "./sdk-bundle.ts";

export async function runCommand(command: string, rest: string[]): Promise<void> {
  installErrorHandlers();
  // The demo scripts read their own flags (chat --log …) from process.argv.
  process.argv = [process.argv[0] ?? "node", process.argv[1] ?? "lab", ...rest.filter((a) => a !== "--")];

  // <n>-<name> runs create-agent then chat; <n>-<name>:<step> runs one step (reset, or e.g. 8-hosted:serve).
  const demo = /^(\d+-[a-z0-9-]+)(?::([a-z][a-z-]*))?$/.exec(command);
  if (demo?.[1]) return runDemo(demo[1], demo[2] ? [demo[2]] : ["create-agent", "chat"], command);
  if (!COMMANDS.includes(command)) {
    throw new ConfigError(
      `Unknown command "${command}": use pnpm start, pnpm <n>-<name> (e.g. pnpm 0-hello), pnpm <n>-<name>:reset, pnpm emulator, pnpm test, pnpm bench, pnpm lab:doctor, pnpm reset:all, pnpm eject, pnpm router-report or pnpm traces.`,
    );
  }
  if (probing(command)) return;
  switch (command) {
    case "start": {
      const { launcher } = await import("./launcher.ts");
      return launcher(rest, runDemo);
    }
    case "emulator":
      await import("@lab/emulator/main");
      return;
    case "mcp-servers":
      await import("@lab/mcp-servers/main");
      return;
    case "test":
      return runVitest(["run", ...rest], {});
    case "test:live":
      return testLive(rest);
    case "bench":
      await import("./bench.ts");
      return;
    // Not `pnpm doctor`: pnpm's own built-in of that name wins over a script (see the root README).
    case "lab:doctor":
    case "doctor":
      return (await import("./doctor.ts")).doctor();
    // A `reset` script shadows the system's `reset` (which only clears the terminal) under pnpm 12.
    case "reset":
    case "reset:all":
      return (await import("./reset-all.ts")).resetAll(rest);
    case "router-report":
      return (await import("./router-report.ts")).routerReport(rest);
    case "eject":
      return (await import("./eject.ts")).eject(rest);
    case "traces":
      return (await import("./traces.ts")).traces();
  }
}

const COMMANDS = [
  "start",
  "emulator",
  "mcp-servers",
  "test",
  "test:live",
  "bench",
  "lab:doctor",
  "doctor",
  "reset",
  "reset:all",
  "router-report",
  "eject",
  "traces",
];

/**
 * LAB_COMMAND_PROBE=1: say which of the lab's commands was reached, with which arguments, and stop. The
 * README test runs every documented command this way, to prove that pnpm hands it to this file (and not
 * to a pnpm built-in or a system command of the same name) without doing the command's work.
 */
function probing(command: string, steps: string[] = []): boolean {
  if (process.env.LAB_COMMAND_PROBE !== "1") return false;
  console.log(`lab command: ${[command, ...process.argv.slice(2)].join(" ")}`);
  if (steps.length > 0) console.log(`lab steps: ${steps.join(", ")}`);
  return true;
}

async function runDemo(id: string, steps: string[], command = id): Promise<void> {
  const known = listDemos().map((d) => d.id);
  if (!known.includes(id)) {
    throw new ConfigError(`There is no demo "${id}" in this checkout; the demos are: ${known.join(", ")}.`);
  }
  const files = steps.map((step) => {
    // A demo without a chat (demo 9 evaluates instead) runs its `run` step in the chat's place.
    const chatless = step === "chat" && !existsSync(path.join(repoRoot, "demos", id, "src", "chat.ts"));
    const file = path.join(repoRoot, "demos", id, "src", `${chatless ? "run" : step}.ts`);
    if (!existsSync(file)) throw new ConfigError(`Demo ${id} has no ${step} step (${file}).`);
    return file;
  });
  if (probing(command, steps)) return;
  // The stand-ins go in first: checking the flags may import modules that import the SDK.
  const config = configOf(id);
  if (config?.backend === "emulator") await useEmulatorSdks(config);
  if (steps.includes("chat")) await checkChatFlags(id);
  for (const file of files) await import(pathToFileURL(file).href);
}

/**
 * A usage error comes before anything is created: `pnpm 0-hello -- --bogus` must fail before
 * create-agent runs. A demo with flags of its own reads them in src/args.ts (`readArgs`, throws a
 * ConfigError), which has no side effects; the others take the shared chat flags.
 */
async function checkChatFlags(id: string): Promise<void> {
  const own = path.join(repoRoot, "demos", id, "src", "args.ts");
  if (existsSync(own)) {
    const { readArgs } = (await import(pathToFileURL(own).href)) as { readArgs: () => unknown };
    readArgs();
  } else {
    const { chatArgs } = await import("@lab/shared/chat");
    chatArgs();
  }
}

function runVitest(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const vitest = path.join(repoRoot, "node_modules", "vitest", "vitest.mjs");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, ...args], {
      stdio: "inherit",
      env: { ...process.env, ...env },
    });
    // Ctrl-C reaches vitest too (one process group); a SIGTERM reaches only us: pass it on, and wait.
    const forward = () => child.kill("SIGTERM");
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGTERM", forward);
      process.exitCode = code ?? (signal ? 1 : 0);
      resolve();
    });
  });
}

/** The same end-to-end demo tests, against the Foundry project in FOUNDRY_PROJECT_ENDPOINT. */
async function testLive(rest: string[]): Promise<void> {
  const { env } = loadEnv(undefined);
  const endpoint = ENDPOINT_VARS.map((name) => env[name]).find(Boolean);
  if (!endpoint) {
    console.log(
      "pnpm test:live skipped: set FOUNDRY_PROJECT_ENDPOINT (in .env or the environment) to run the end-to-end demo tests against your own Foundry project.",
    );
    return;
  }
  console.log(
    `pnpm test:live: running the end-to-end demo tests against ${endpoint}; they delete what they create.`,
  );
  await runVitest(["run", "demos", ...rest], { LAB_BACKEND: "azure", LAB_TEST_LIVE: "1" });
}

/** The configuration a demo will use, as it reads it (undefined if that is invalid). */
function configOf(id: string): LabConfig | undefined {
  try {
    return loadConfig({ id, dir: path.join(repoRoot, "demos", id), defaultAgentName: "probe" });
  } catch {
    return undefined; // the demo itself reports the bad setting, with its sentence
  }
}

/**
 * On the emulator, `@azure/ai-projects` imports `@azure/identity` only for getBearerTokenProvider, and
 * `@azure/storage-blob` only for dataset and model uploads: hand it shared/src/emulator-identity.ts and
 * shared/src/emulator-storage-blob.ts instead, so a demo's start does not load MSAL and every credential,
 * nor the storage clients and their XML parser. With tracing off, the demo's own imports of the SDKs go
 * to the prepared bundle of them (sdk-bundle.ts). Both are measured in `pnpm bench` ("first prompt").
 */
async function useEmulatorSdks(config: LabConfig): Promise<void> {
  const bundle = tracingRequested(process.argv, config.env) ? undefined : await sdkBundle();
  const standIns = new Map(Object.entries(STAND_INS).map(([name, file]) => [name, pathToFileURL(file).href]));
  module.registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL ?? "";
      const bundled = parent.includes("/node_modules/") ? undefined : bundle?.entries.get(specifier);
      if (bundled !== undefined) return { url: bundled, shortCircuit: true };
      const standIn = standIns.get(specifier);
      if (standIn !== undefined && parent.includes("/@azure/ai-projects/"))
        return { url: standIn, shortCircuit: true };
      return next(specifier, context);
    },
  });
}
