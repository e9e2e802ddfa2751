/**
 * What a demo's start loads: on the emulator, not @azure/identity (MSAL and every credential are a third
 * of the start-up, and the emulator needs none of it) nor @azure/storage-blob (uploads only), and not the
 * embedded emulator's model code or date parser until a turn needs them; on Azure, the real library.
 * `pnpm bench` measures the time; this checks the modules, which is what keeps the time down.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "../../shared/test/support.ts";
import { bundleKey, sdkBundle } from "../src/sdk-bundle.ts";

/** A preload that records every module URL resolved in the process, one per line, into `log`. */
function recorder(dir: string, log: string): string {
  const file = path.join(dir, "record.mjs");
  writeFileSync(
    file,
    `import module from "node:module";\nimport { appendFileSync } from "node:fs";\n` +
      `module.registerHooks({ resolve(s, c, next) { const r = next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; } });\n`,
  );
  return pathToFileURL(file).href;
}

describe("a demo's start", () => {
  it("on the emulator reaches its prompt without the model's code; its first turn loads it", async () => {
    const dir = tempDir("lab-startup-");
    const env = (log: string) => ({
      NODE_OPTIONS: `--import ${recorder(dir, log)}`,
      LAB_STATE_DIR: path.join(dir, "state"),
      EMULATOR_DATA_DIR: path.join(dir, "emulator"),
    });
    const promptLog = path.join(dir, "prompt.log");
    const toPrompt = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], {
      env: env(promptLog),
    });
    expect(toPrompt.code, toPrompt.stderr).toBe(0);
    expect(toPrompt.stdout).toContain("Reading one turn per line");
    const atPrompt = readFileSync(promptLog, "utf8");
    expect(atPrompt).toContain("/emulator/src/server.ts");
    expect(atPrompt).not.toContain("/emulator/src/model/lab-model.ts");
    expect(atPrompt).not.toContain("/chrono-node/");
    expect(atPrompt).not.toMatch(/\/@azure\/(identity|msal-node|storage-blob)\//);

    const turnLog = path.join(dir, "turn.log");
    const turn = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], {
      input: ["hi"],
      env: env(turnLog),
    });
    expect(turn.code, turn.stderr).toBe(0);
    expect(turn.stdout).toContain("served by");
    expect(readFileSync(turnLog, "utf8")).toContain("/emulator/src/model/lab-model.ts");
  });

  it("on the emulator does not load @azure/identity; on Azure it does", async () => {
    const dir = tempDir("lab-startup-");
    const emulatorLog = path.join(dir, "emulator.log");
    const onEmulator = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], {
      input: ["hi"],
      env: {
        NODE_OPTIONS: `--import ${recorder(dir, emulatorLog)}`,
        LAB_STATE_DIR: path.join(dir, "state"),
        EMULATOR_DATA_DIR: path.join(dir, "emulator"),
      },
    });
    expect(onEmulator.code, onEmulator.stderr).toBe(0);
    expect(onEmulator.stdout).toContain("served by");
    const loaded = readFileSync(emulatorLog, "utf8");
    expect(loaded).toMatch(/\/@azure\/ai-projects\/|\/\.lab\/sdk-bundle\/[0-9a-f]+\//);
    expect(loaded).not.toMatch(/\/@azure\/(identity|msal-node|storage-blob)\//);

    // On Azure (stopped at its first token request: no network is used), the real library is loaded.
    const azureLog = path.join(dir, "azure.log");
    const onAzure = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello:reset"], {
      env: {
        NODE_OPTIONS: `--import ${recorder(dir, azureLog)}`,
        LAB_STATE_DIR: path.join(dir, "state"),
        FOUNDRY_PROJECT_ENDPOINT: "https://lab-startup-test.services.ai.azure.com/api/projects/p",
      },
    });
    expect(onAzure.stdout).toContain("backend: Azure AI Foundry");
    expect(readFileSync(azureLog, "utf8")).toMatch(/\/@azure\/identity\//);
  });

  it("on the emulator loads the SDKs from their prepared bundle; switched off or with tracing, as installed", {
    timeout: 120_000,
  }, async () => {
    await bundleReady();
    const dir = tempDir("lab-startup-");
    const start = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
      const log = path.join(dir, `${name}.log`);
      const started = await run(path.join(repoRoot, "scripts", "lab.mjs"), ["0-hello"], {
        input: ["My name is Ada.", "What is my name?"],
        env: {
          NODE_OPTIONS: `--import ${recorder(dir, log)}`,
          LAB_STATE_DIR: path.join(dir, `state-${name}`),
          EMULATOR_DATA_DIR: path.join(dir, "emulator"),
          ...extra,
        },
      });
      // The same demo, the same answers, whichever way the SDKs were loaded.
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout.slice(started.stdout.lastIndexOf("What is my name?"))).toContain("Ada");
      return readFileSync(log, "utf8");
    };
    const bundled = await start("bundled");
    expect(bundled).toMatch(/\/\.lab\/sdk-bundle\/[0-9a-f]+\//);
    expect(bundled).not.toMatch(
      /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(@azure\/ai-projects|openai|@opentelemetry\/api)\//,
    );
    expect(bundled).not.toMatch(/\/@azure\/(identity|msal-node|storage-blob)\//);

    const off = await start("off", { LAB_SDK_BUNDLE: "0" });
    expect(off).not.toContain("/.lab/sdk-bundle/");
    expect(off).toContain("/@azure/ai-projects/");

    // With tracing on, OpenTelemetry must see the installed packages: no bundle.
    const traced = await start("traced", { LAB_TRACING: "1" });
    expect(traced).not.toContain("/.lab/sdk-bundle/");
    expect(traced).toContain("/@azure/ai-projects/");
  });
});

describe("the SDK bundle", () => {
  it("is keyed by the lockfile, and a start that cannot have it goes on without it", async () => {
    const root = tempDir("lab-bundle-");
    writeFileSync(path.join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    const first = bundleKey(root);
    writeFileSync(path.join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n# openai upgraded\n");
    expect(bundleKey(root)).not.toBe(first);
    expect(bundleKey(root)).toBe(bundleKey(root));

    // Switched off; another start building it right now; nothing to build it from: undefined, no throw.
    expect(await sdkBundle(root, { LAB_SDK_BUNDLE: "0" })).toBeUndefined();
    const base = path.join(root, ".lab", "sdk-bundle");
    mkdirSync(base, { recursive: true });
    writeFileSync(path.join(base, `${bundleKey(root)}.building`), "12345");
    expect(await sdkBundle(root, {})).toBeUndefined();
    expect(readdirSync(base)).toEqual([`${bundleKey(root)}.building`]); // the other builder's lock is left alone
    rmSync(path.join(base, `${bundleKey(root)}.building`));
    expect(await sdkBundle(root, {})).toBeUndefined(); // no packages under this root: it cannot be built
    expect(readdirSync(base)).toEqual([]); // and leaves neither a lock nor half a bundle behind
  });
});

/** Builds this checkout's bundle if no start has yet (or waits for the start that is building it). */
async function bundleReady(): Promise<void> {
  for (let tries = 0; tries < 120; tries++) {
    if (await sdkBundle()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the SDK bundle was not built within a minute");
}
