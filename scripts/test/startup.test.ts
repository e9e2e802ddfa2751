/**
 * What a demo's start loads: on the emulator, not @azure/identity (MSAL and every credential are a third
 * of the start-up, and the emulator needs none of it) nor @azure/storage-blob (uploads only), and not the
 * embedded emulator's model code or date parser until a turn needs them; on Azure, the real library.
 * `pnpm bench` measures the time; this checks the modules, which is what keeps the time down.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot, run, tempDir } from "../../shared/test/support.ts";

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
    expect(loaded).toContain("/@azure/ai-projects/");
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
});
