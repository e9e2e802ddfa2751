/**
 * A local model behind the emulator as a user runs it: `pnpm doctor` checks the server and the model,
 * `pnpm 0-hello` chats with it through the embedded emulator, and a bad setting is one sentence with
 * exit code 2. The model server is the tests' stand-in (emulator/test/stand-in-model.ts), not a model.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeatherFixture } from "../../demos/1-tools/test/weather-fixture.ts";
import { type StandIn, startStandIn } from "../../emulator/test/stand-in-model.ts";
import { closedPort, runLab, tempDir } from "../../shared/test/support.ts";

let standIn: StandIn;
beforeAll(async () => {
  standIn = await startStandIn(["qwen2.5:0.5b", "llama3.2:latest", "phi-4-mini"]);
});
afterAll(() => standIn?.close());

const fresh = (env: Record<string, string>) => ({
  LAB_STATE_DIR: tempDir("lab-state-"),
  EMULATOR_DATA_DIR: tempDir("lab-emulator-"),
  ...env,
});
const row = (stdout: string, check: string) => stdout.split("\n").find((l) => l.includes(`| ${check}`)) ?? "";
const CHECK = "local model (EMULATOR_MODEL_URL)";

describe("a local model, as the README shows it", () => {
  it("pnpm doctor: green when the server has the model (Ollama's :latest counts), red with the models it has when not", async () => {
    const ok = await runLab(["doctor"], {
      env: fresh({ EMULATOR_MODEL_URL: standIn.url, EMULATOR_MODEL_NAME: "llama3.2" }),
    });
    expect(row(ok.stdout, CHECK)).toMatch(
      /^\| ✔ .*llama3\.2 at http:\/\/127\.0\.0\.1:\d+\/v1 \(EMULATOR_ROUTER=local\)/,
    );
    expect(ok.code).toBe(0);

    const missing = await runLab(["doctor"], {
      env: fresh({ EMULATOR_MODEL_URL: standIn.url, EMULATOR_MODEL_NAME: "mistral" }),
    });
    expect(row(missing.stdout, CHECK)).toContain(
      `"mistral" not found at ${standIn.url}; it has qwen2.5:0.5b, llama3.2:latest, phi-4-mini`,
    );
    expect(missing.stdout).toContain(
      `✖ ${CHECK}: The server at ${standIn.url} has no model "mistral": set EMULATOR_MODEL_NAME to one it lists, or get the model first`,
    );
    expect(missing.code).toBe(1);

    const down = await runLab(["doctor"], {
      env: fresh({
        EMULATOR_MODEL_URL: `http://127.0.0.1:${await closedPort()}/v1`,
        EMULATOR_MODEL_NAME: "qwen2.5:0.5b",
      }),
    });
    expect(row(down.stdout, CHECK)).toMatch(/^\| ✖ .*no model server/);
    expect(down.stdout).toMatch(/is not reachable \(ECONNREFUSED\): start it/);
    expect(down.code).toBe(1);
  });

  it("pnpm doctor warns when the local model is set in a .env file, which the emulator does not read", async () => {
    const rootEnv = path.join(tempDir("lab-env-"), ".env");
    writeFileSync(rootEnv, `EMULATOR_MODEL_URL=${standIn.url}\nEMULATOR_MODEL_NAME=phi-4-mini\n`);
    const run = await runLab(["doctor"], { env: fresh({ LAB_ROOT_ENV: rootEnv }) });
    expect(row(run.stdout, CHECK)).toMatch(
      /^\| ! .*EMULATOR_MODEL_URL, EMULATOR_MODEL_NAME are set in .*\.env, which the emulator does not read; export them in the shell instead/,
    );
    expect(run.code).toBe(0);
  });

  it("pnpm 0-hello with the model server down: the server's sentence, not an 'Unexpected error'", async () => {
    const chat = await runLab(["0-hello"], {
      env: fresh({
        EMULATOR_MODEL_URL: `http://127.0.0.1:${await closedPort()}/v1`,
        EMULATOR_MODEL_NAME: "qwen2.5:0.5b",
      }),
      input: ["Hello"],
    });
    const said = chat.stdout + chat.stderr;
    expect(said).toMatch(/This answer failed on the service: The local model server at .* is not reachable/);
    expect(said).not.toContain("Unexpected error");
    expect(chat.code).toBe(1);
  });

  it("pnpm 0-hello answers with the local model, names it, and shows its first words while it still writes", async () => {
    // The stand-in holds its stream after the first words until the demo has printed them.
    const hold = standIn.holdAfterFirstChunk();
    let held = true;
    let printedWhileHeld: boolean | undefined;
    const release = () => {
      held = false;
      hold.release();
    };
    const safety = setTimeout(release, 20_000); // not a timing assertion: a regression fails instead of hanging
    let seen = "";
    const chat = await runLab(["0-hello"], {
      env: fresh({ EMULATOR_MODEL_URL: standIn.url, EMULATOR_MODEL_NAME: "phi-4-mini" }),
      input: ["Hello from the test"],
      onStdout: (chunk) => {
        seen += chunk;
        if (printedWhileHeld === undefined && seen.includes("You said")) {
          printedWhileHeld = held;
          release();
        }
      },
    });
    clearTimeout(safety);
    expect(printedWhileHeld).toBe(true);
    expect(chat.stderr).toBe("");
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('You said "Hello from the test"');
    expect(chat.stdout).toContain("phi-4-mini");
    expect(standIn.requests.at(-1)?.model).toBe("phi-4-mini");
  });

  it("pnpm 1-tools: the local model calls the demo's get_weather, the client runs it, the model answers", async () => {
    const weather = await startWeatherFixture();
    try {
      const chat = await runLab(["1-tools"], {
        env: fresh({ ...weather.env, EMULATOR_MODEL_URL: standIn.url, EMULATOR_MODEL_NAME: "qwen2.5:0.5b" }),
        input: ["What's the weather in Oslo?"],
      });
      expect(chat.stderr).toBe("");
      expect(chat.code).toBe(0);
      expect(chat.stdout).toMatch(
        /⚙ get_weather\(\{"city":"Oslo"\}\) \d+ ms → \{"city":"Oslo","country":"Norway","temperature_c":3\.7/,
      );
      expect(chat.stdout).toMatch(/get_weather returned: \{"city":"Oslo".*"temperature_c":3\.7/);
      expect(chat.stdout).toContain("served by qwen2.5:0.5b via model-router");
    } finally {
      await weather.close();
    }
  });

  it("pnpm emulator says which local model is behind it", async () => {
    let seen = "";
    const run = await runLab(["emulator"], {
      env: fresh({
        EMULATOR_MODEL_URL: standIn.url,
        EMULATOR_MODEL_NAME: "phi-4-mini",
        EMULATOR_ROUTER: "auto",
        EMULATOR_PORT: String(await closedPort()),
      }),
      keepOpen: true,
      onStdout: (chunk, child) => {
        seen += chunk;
        if (seen.includes("Local model:")) child.kill("SIGTERM");
      },
    });
    expect(run.stdout).toContain(
      `Local model: phi-4-mini at ${standIn.url}, a deployment of that name; model-router sends it demanding requests.`,
    );
    expect(run.code).toBe(0);
  });

  it("a bad setting is one sentence and exit code 2, for a demo and for pnpm emulator", async () => {
    const bad = await runLab(["0-hello"], {
      env: fresh({ EMULATOR_MODEL_URL: "localhost:11434", EMULATOR_MODEL_NAME: "qwen2.5:0.5b" }),
      input: ["hi"],
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(
      /^(?:✖ )?EMULATOR_MODEL_URL is "localhost:11434"; set it to the server's OpenAI-compatible base URL, e\.g\. http:\/\/localhost:11434\/v1 \(Ollama\)\.$/,
    );
    const emulator = await runLab(["emulator"], {
      env: fresh({ EMULATOR_MODEL_URL: standIn.url, EMULATOR_PORT: String(await closedPort()) }),
    });
    expect(emulator.code).toBe(2);
    expect(emulator.stderr.trim()).toBe(
      `EMULATOR_MODEL_URL is set but EMULATOR_MODEL_NAME is not: set it to a model the server has (its ${standIn.url}/models lists them), e.g. qwen2.5:0.5b.`,
    );
  });
});
