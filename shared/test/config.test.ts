import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  closestSetting,
  type DemoInfo,
  loadConfig,
  normalizeEndpoint,
  readEnvFile,
  unknownSettingsWarning,
} from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";
import { tempDir } from "./support.ts";

const AZURE = "https://my-foundry.services.ai.azure.com/api/projects/my-project";

function demoIn(dir: string): DemoInfo {
  const demoDir = path.join(dir, "demos", "0-hello");
  mkdirSync(demoDir, { recursive: true });
  return { id: "0-hello", dir: demoDir, defaultAgentName: "hello-agent" };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("uses the embedded emulator and model-router when nothing is set", () => {
    const dir = tempDir();
    const config = loadConfig(demoIn(dir), { LAB_ROOT_ENV: path.join(dir, ".env") });
    expect(config.backend).toBe("emulator");
    expect(config.endpoint).toBeUndefined();
    expect(config.model).toBe("model-router");
    expect(config.agentName).toBe("hello-agent");
  });

  it("picks Azure when an endpoint is set, accepts the old aliases and strips a trailing slash", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    for (const name of ["FOUNDRY_PROJECT_ENDPOINT", "PROJECT_ENDPOINT", "AZURE_AI_PROJECT_ENDPOINT"]) {
      const config = loadConfig(demo, { LAB_ROOT_ENV: path.join(dir, ".env"), [name]: `${AZURE}/` });
      expect(config.backend).toBe("azure");
      expect(config.endpoint).toBe(AZURE);
    }
    const aliased = loadConfig(demo, {
      LAB_ROOT_ENV: path.join(dir, ".env"),
      MODEL_DEPLOYMENT_NAME: "gpt-4.1-mini",
    });
    expect(aliased.model).toBe("gpt-4.1-mini");
  });

  it("layers root .env, demo .env and the process environment, remembering the source", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    writeFileSync(
      path.join(dir, ".env"),
      `FOUNDRY_PROJECT_ENDPOINT=${AZURE}\nMODEL_DEPLOYMENT=root-model\nAGENT_NAME=root-agent\n`,
    );
    writeFileSync(path.join(demo.dir, ".env"), "MODEL_DEPLOYMENT=demo-model\nAGENT_NAME=demo-agent\n");
    const config = loadConfig(demo, { LAB_ROOT_ENV: path.join(dir, ".env"), AGENT_NAME: "env-agent" });
    expect(config.endpoint).toBe(AZURE);
    expect(config.model).toBe("demo-model");
    expect(config.agentName).toBe("env-agent");
    expect(config.sources.MODEL_DEPLOYMENT).toContain(path.join("0-hello", ".env"));
    expect(config.sources.AGENT_NAME).toBe("the environment");
  });

  it("treats the emulator's own URL as the emulator backend, and LAB_BACKEND=emulator ignores an Azure endpoint", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    const local = loadConfig(demo, {
      LAB_ROOT_ENV: path.join(dir, ".env"),
      FOUNDRY_PROJECT_ENDPOINT: "https://127.0.0.1:8443/api/projects/lab",
    });
    expect(local.backend).toBe("emulator");
    expect(local.endpoint).toBe("https://127.0.0.1:8443/api/projects/lab");
    const forced = loadConfig(demo, {
      LAB_ROOT_ENV: path.join(dir, ".env"),
      FOUNDRY_PROJECT_ENDPOINT: AZURE,
      LAB_BACKEND: "emulator",
    });
    expect(forced.backend).toBe("emulator");
    expect(forced.endpoint).toBeUndefined();
  });

  it("rejects malformed endpoints with the variable, the source and an example", () => {
    const cases: Array<[string, RegExp]> = [
      ["not a url", /is not a URL/],
      ["http://my-foundry.services.ai.azure.com/api/projects/p", /must start with https/],
      ["https://my-foundry.services.ai.azure.com", /resource endpoint without \/api\/projects/],
      ["https://my-foundry.openai.azure.com/api/projects/p", /Azure OpenAI or resource endpoint/],
      ["https://example.com/api/projects/p", /services\.ai\.azure\.com/],
      ["https://my-foundry.services.ai.azure.com/api/projects/p/openai/v1", /must end with \/api\/projects/],
    ];
    for (const [value, why] of cases) {
      const err = configError(() => normalizeEndpoint(value, "PROJECT_ENDPOINT", "demos/0-hello/.env"));
      expect(err.message).toMatch(why);
      expect(err.message).toContain("PROJECT_ENDPOINT (from demos/0-hello/.env)");
      expect(err.message).toContain("https://my-foundry.services.ai.azure.com/api/projects/my-project");
    }
  });

  it("explains LAB_BACKEND=azure without an endpoint, a bad LAB_BACKEND, AGENT_NAME and MODEL_DEPLOYMENT", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    const base = { LAB_ROOT_ENV: path.join(dir, ".env") };
    expect(configError(() => loadConfig(demo, { ...base, LAB_BACKEND: "azure" })).message).toMatch(
      /LAB_BACKEND=azure needs FOUNDRY_PROJECT_ENDPOINT/,
    );
    expect(configError(() => loadConfig(demo, { ...base, LAB_BACKEND: "cloud" })).message).toMatch(
      /use "azure" or "emulator"/,
    );
    expect(configError(() => loadConfig(demo, { ...base, AGENT_NAME: "my agent!" })).message).toMatch(
      /AGENT_NAME/,
    );
    expect(configError(() => loadConfig(demo, { ...base, MODEL_DEPLOYMENT: "gpt 4" })).message).toMatch(
      /MODEL_DEPLOYMENT/,
    );
  });

  it("reports a malformed .env line with its number instead of skipping it", () => {
    const dir = tempDir();
    const file = path.join(dir, ".env");
    writeFileSync(file, `# comment\nFOUNDRY_PROJECT_ENDPOINT=${AZURE}\nthis line is wrong\n`);
    expect(configError(() => readEnvFile(file)).message).toMatch(/Line 3 of .*\.env is not NAME=value/);
    writeFileSync(file, 'KEY="multi\nline value"\nexport OTHER=1\n');
    expect(readEnvFile(file)).toMatchObject({ KEY: "multi\nline value", OTHER: "1" });
  });

  it("names the line and the key of a quote that never closes, and keeps closed multi-line values", () => {
    const dir = tempDir();
    const file = path.join(dir, ".env");
    // The quote never comes back: the file, the line and the key, and not the value (it may be a secret).
    writeFileSync(
      file,
      `# Azure\nFOUNDRY_PROJECT_ENDPOINT="${AZURE}\nMODEL_DEPLOYMENT=gpt-4o\nAGENT_NAME=me\n`,
    );
    const never = configError(() => readEnvFile(file)).message;
    expect(never).toMatch(
      /^Line 2 of .*\.env: the " quote that starts the value of FOUNDRY_PROJECT_ENDPOINT never closes; /,
    );
    expect(never).not.toContain(AZURE);
    // The next quote is in the middle of another setting's line: Node's parseEnv would end the value there,
    // reading line 3 into it.
    writeFileSync(file, `AZURE_CLIENT_SECRET='s3cr3t\nMODEL_DEPLOYMENT=gpt-4o\nAGENT_NAME='me'\n`);
    const swallowed = configError(() => readEnvFile(file)).message;
    expect(swallowed).toMatch(
      /^Line 1 of .*: the ' quote .* AZURE_CLIENT_SECRET never closes \(the next ' is inside line 3\)/,
    );
    expect(swallowed).not.toContain("s3cr3t");
    // Closed quotes that span lines are legal: a PEM key, with a comment after the closing quote.
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    writeFileSync(file, `CERT="${pem}"  # the CA\nNOTE='one\ntwo'\nRAW=\`a\nb\`\nAFTER=1\n`);
    expect(readEnvFile(file)).toEqual({ CERT: pem, NOTE: "one\ntwo", RAW: "a\nb", AFTER: "1" });
    // The lines after a closed multi-line value are checked as usual.
    writeFileSync(file, `CERT="${pem}"\nnot a setting\n`);
    expect(configError(() => readEnvFile(file)).message).toMatch(/^Line 4 of .* is not NAME=value/);
  });

  it("an endpoint in quotes from the environment is named as such, not as a doubled quote", () => {
    const message = configError(() =>
      normalizeEndpoint(`"${AZURE}"`, "FOUNDRY_PROJECT_ENDPOINT", "the environment"),
    ).message;
    expect(message).toContain("starts with a quote, which is part of the value here");
    expect(message).not.toContain('(""');
  });
});

describe("unknown settings in .env files", () => {
  it("names a misspelt setting with the closest known name, and ignores other programs' names", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    writeFileSync(
      path.join(dir, ".env"),
      [
        `FOUNDRY_PROJECT_ENDPIONT=${AZURE}`,
        "MODEL_DEPLOYMNET=gpt-4o",
        "LAB_TOTALLY_NEW=1",
        "AZURE_TENANT_ID=abc", // known: @azure/identity reads it
        "WEB_SEARCH_TOOL=web_search", // another prefix: a demo's own setting
      ].join("\n"),
    );
    writeFileSync(path.join(demo.dir, ".env"), "EMULATOR_PORTT=9443\n");
    const config = loadConfig(demo, { LAB_ROOT_ENV: path.join(dir, ".env"), AZURE_SOMETHING_ELSE: "x" });
    expect(config.backend).toBe("emulator"); // the typo really is ignored, which is why it is named
    expect(config.unknownSettings.map((u) => [u.name, u.closest]).sort()).toEqual([
      ["EMULATOR_PORTT", "EMULATOR_PORT"],
      ["FOUNDRY_PROJECT_ENDPIONT", "FOUNDRY_PROJECT_ENDPOINT"],
      ["LAB_TOTALLY_NEW", undefined],
      ["MODEL_DEPLOYMNET", "MODEL_DEPLOYMENT"],
    ]);
    const warning = unknownSettingsWarning(config.unknownSettings) ?? "";
    expect(warning.split("\n")).toHaveLength(1);
    expect(warning).toContain("FOUNDRY_PROJECT_ENDPIONT (in ");
    expect(warning).toContain("did you mean FOUNDRY_PROJECT_ENDPOINT?");
    expect(warning).toContain("LAB_TOTALLY_NEW (in ");
  });

  it("counts a name a .env.sample mentions, even commented out, as known", () => {
    const dir = tempDir();
    const demo = demoIn(dir);
    writeFileSync(path.join(demo.dir, ".env.sample"), "# LAB_DEMO_ONLY_SETTING=1\n");
    writeFileSync(path.join(dir, ".env"), "LAB_DEMO_ONLY_SETTING=2\n");
    // The sample is read from the demo's folder; the root sample from the repository.
    expect(loadConfig(demo, { LAB_ROOT_ENV: path.join(dir, ".env") }).unknownSettings).toEqual([]);
    expect(closestSetting("COMPLETELY_DIFFERENT", ["FOUNDRY_PROJECT_ENDPOINT"])).toBeUndefined();
  });
});
