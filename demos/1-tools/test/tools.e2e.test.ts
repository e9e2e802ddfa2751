/**
 * Demo 1 end to end, as a learner runs it: `pnpm 1-tools` with piped stdin against the emulator and a
 * local weather stand-in, then `pnpm 1-tools:reset`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  live,
  runLab,
  startBackend,
  type TestBackend,
  tempDir,
} from "../../../shared/test/support.ts";
import { startWeatherFixture, type WeatherFixture } from "./weather-fixture.ts";

let backend: TestBackend;
let weather: WeatherFixture;
beforeAll(async () => {
  backend = await startBackend();
  weather = await startWeatherFixture();
});
afterAll(async () => {
  await weather?.close();
  await backend?.close();
});

const agentName = () => `weather-test-${Math.random().toString(36).slice(2, 8)}`;

describe.skipIf(live)("pnpm 1-tools", () => {
  it("calls get_weather, answers with the fixture's temperature, shows the call, and reset cleans up", async () => {
    weather.mode = "ok";
    const env = { ...backend.env, ...weather.env, AGENT_NAME: agentName() };
    const run = await runLab(["1-tools", "--", "--trace"], {
      env,
      input: ["What's the weather in Oslo and Paris?", "My name is Ada."],
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The agent's tools, not this template's current list: a copy that adds a tool still passes.
    expect(run.stdout).toMatch(
      new RegExp(`Created agent ${env.AGENT_NAME} version 1 with tools: (\\w+, )*get_weather(, \\w+)*\\.`),
    );
    expect(run.stdout).toContain("response.output_item.added  function_call");
    // Trace lines start below `Agent ›`, and the two calls follow the first response's events line by line.
    expect(run.stdout).toContain("Agent › \n  · response.created");
    expect(run.stdout).toMatch(
      /· response\.completed\n {2}⚙ get_weather\(.*\n {2}⚙ get_weather\(.*\n {2}· response/,
    );
    expect(run.stdout).toMatch(
      /⚙ get_weather\(\{"city":"Oslo"\}\) \d+ ms → \{"city":"Oslo","country":"Norway","temperature_c":3\.7/,
    );
    expect(run.stdout).toContain("In Oslo, Norway it is 3.7 °C");
    expect(run.stdout).toContain("Nice to meet you, Ada");
    expect(weather.requests.some((r) => r.startsWith("/v1/forecast?latitude=59.91"))).toBe(true);

    const version = await backend.project.agents.get(env.AGENT_NAME);
    expect(version.versions.latest.definition).toMatchObject({
      tools: expect.arrayContaining([
        expect.objectContaining({
          type: "function",
          name: "get_weather",
          strict: true,
          parameters: expect.objectContaining({ additionalProperties: false }),
        }),
      ]),
    });

    const reset = await runLab(["1-tools:reset"], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`agent ${env.AGENT_NAME}: deleted with all its versions`);
    expect(reset.stdout).toMatch(/conversation conv_\w+: deleted/);
    await expect(backend.project.agents.get(env.AGENT_NAME)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("weather service down or slow: the chat still answers and explains", async () => {
    const env = { ...backend.env, ...weather.env, AGENT_NAME: agentName() };
    weather.mode = "error";
    const down = await runLab(["1-tools"], { env, input: ["What's the weather in Paris?"] });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/⚠ get_weather/);
    expect(down.stdout).toContain("get_weather for Paris could not help: The weather service (127.0.0.1:");
    expect(down.stdout).toContain("answered HTTP 503");
    weather.mode = "slow";
    const slow = await runLab(["1-tools"], { env, input: ["What's the weather in Paris?"] });
    expect(slow.code).toBe(0);
    expect(slow.stdout).toContain("did not answer within 1 s");
    weather.mode = "ok";
    await runLab(["1-tools:reset"], { env });
  });

  it("no internet: the error names LAB_WEATHER=offline, which then answers from labelled sample data", async () => {
    // The live endpoints point at a closed port, as on a machine without internet.
    const nowhere = `http://127.0.0.1:${await closedPort()}/v1`;
    const env = {
      ...backend.env,
      WEATHER_GEOCODING_URL: `${nowhere}/search`,
      WEATHER_FORECAST_URL: `${nowhere}/forecast`,
      AGENT_NAME: agentName(),
    };
    const down = await runLab(["1-tools"], { env, input: ["What's the weather in Lisbon?"] });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("could not be reached. Without internet, set LAB_WEATHER=offline");

    const offline = await runLab(["1-tools"], {
      env: { ...env, LAB_WEATHER: "offline" },
      input: ["What's the weather in Lisbon and Helsinki?"],
    });
    expect(offline.stderr).toBe("");
    expect(offline.code).toBe(0);
    const lisbon = offline.stdout.match(/⚙ get_weather\(\{"city":"Lisbon"\}\) \d+ ms → (\{.*)/)?.[1] ?? "";
    expect(lisbon).toMatch(/^\{"city":"Lisbon","country":"Portugal","temperature_c":-?\d/);
    const temperature = lisbon.match(/"temperature_c":(-?[\d.]+)/)?.[1];
    // The model answers from the tool's output: the sample's temperature and its label reach the user.
    expect(offline.stdout).toContain(`In Lisbon, Portugal it is ${temperature} °C`);
    expect(offline.stdout).toContain("offline sample data (LAB_WEATHER=offline), not real weather");
    expect(offline.stdout).toMatch(/⚙ get_weather\(\{"city":"Helsinki"\}\)/);
    await runLab(["1-tools:reset"], { env });
  });

  it("a bad LAB_WEATHER stops before anything connects or is created: one sentence, exit 2", async () => {
    const dir = tempDir("lab-weather-");
    const rootEnv = path.join(dir, ".env");
    writeFileSync(rootEnv, "LAB_WEATHER=ofline\n");
    // No endpoint: the embedded emulator would start and create its data folder; the state file would follow.
    const dataDir = path.join(dir, "emulator");
    const stateDir = path.join(dir, "state");
    const run = await runLab(["1-tools"], {
      env: {
        LAB_ROOT_ENV: rootEnv,
        EMULATOR_DATA_DIR: dataDir,
        LAB_STATE_DIR: stateDir,
        AGENT_NAME: agentName(),
      },
      input: ["What's the weather in Oslo?"],
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      `✖ LAB_WEATHER (from ${rootEnv}) is "ofline"; use "offline" for sample data without internet, or leave it unset (or "live") for Open-Meteo.`,
    ]);
    expect(run.stdout).not.toContain("backend:");
    expect(existsSync(dataDir), "the emulator was never started").toBe(false);
    expect(existsSync(stateDir), "nothing was created").toBe(false);
  });

  it("Ctrl-C while the tool runs cancels the turn and the conversation stays usable", async () => {
    weather.mode = "slow";
    const env = { ...backend.env, ...weather.env, WEATHER_TIMEOUT_MS: "8000", AGENT_NAME: agentName() };
    let seen = "";
    let sent = false;
    const run = await runLab(["1-tools", "--", "--trace"], {
      env,
      input: ["What's the weather in Oslo?", "My name is Grace."],
      onStdout: (chunk, child) => {
        seen += chunk;
        // The first response (with the function call) is complete: the tool is now waiting on the slow service.
        if (!sent && seen.includes("response.completed")) {
          sent = true;
          setTimeout(() => child.kill("SIGINT"), 200);
        }
      },
    });
    weather.mode = "ok";
    expect(sent).toBe(true);
    expect(run.stdout).toContain("cancelled; nothing from this answer was kept");
    expect(run.stdout).toContain("Nice to meet you, Grace");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The conversation holds the call, its "cancelled" output and only the answer the user saw.
    const statePath = path.join(backend.env.LAB_STATE_DIR ?? "", "1-tools.lab-state.json");
    const sections = Object.values(JSON.parse(readFileSync(statePath, "utf8")).projects) as Array<{
      agent?: { name: string };
      conversation: string;
    }>;
    const id = sections.find((section) => section.agent?.name === env.AGENT_NAME)?.conversation ?? "";
    const items = [];
    for await (const item of backend.openai.conversations.items.list(id, { order: "asc" })) items.push(item);
    expect(items.map((i) => (i.type === "message" ? `${i.type}:${i.role}` : i.type))).toEqual([
      "message:user",
      "function_call",
      "function_call_output",
      "message:user",
      "message:assistant",
    ]);
    expect(JSON.stringify(items[2])).toContain("The user cancelled this call.");
    await runLab(["1-tools:reset"], { env });
  });
});
