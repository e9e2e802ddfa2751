/**
 * `pnpm lab:doctor` as a facilitator runs it, as a child process: all green on the emulator, and one red line
 * with its fix for each thing a workshop machine can get wrong.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sandboxInfo } from "../../emulator/src/sandbox/run.ts";
import { cleanEnv, repoRoot, runLab, tempDir } from "../../shared/test/support.ts";
import { hasTmux, TerminalSession } from "../../shared/test/tmux.ts";

/** The embedded emulator in its own folder, like `pnpm lab:doctor` on a fresh checkout. */
const embedded = () => ({
  LAB_STATE_DIR: tempDir("lab-state-"),
  EMULATOR_DATA_DIR: tempDir("lab-emulator-"),
});
const row = (stdout: string, check: string) => stdout.split("\n").find((l) => l.includes(`| ${check}`)) ?? "";

describe("pnpm lab:doctor", () => {
  it("is all green against the emulator and exits 0; tool refusals are warnings naming the demo", async () => {
    const ok = await runLab(["lab:doctor"], { env: embedded() });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout.split("\n")[0]).toMatch(/backend: emulator \(embedded\)/);
    for (const check of ["Node.js", "pnpm", ".env and settings", "credential", "endpoint reachable"])
      expect(row(ok.stdout, check)).toMatch(/^\| ✔/);
    expect(row(ok.stdout, "model deployment")).toMatch(/✔.*model-router: ModelDeployment/);
    expect(row(ok.stdout, "list agents (permission)")).toMatch(/✔.*allowed/);
    expect(row(ok.stdout, "web search tool (demo 3-websearch)")).toMatch(/✔.*available/);
    expect(row(ok.stdout, "tracing (--otel)")).toMatch(/✔.*offline: spans go to the emulator; pnpm traces/);
    // What the code sandbox says of this machine (in the doctor's environment), the row says too:
    // bubblewrap, or the sentence why not (a hint: only demo 4 is affected).
    const sandboxed = (await sandboxInfo(cleanEnv())).boundary === "bubblewrap";
    expect(row(ok.stdout, "code sandbox (demo 4-code)")).toMatch(
      sandboxed
        ? /^\| ✔.*bubblewrap \(Linux namespaces\), Python \//
        : /^\| !.*code interpreter calls are refused: /,
    );
    expect(ok.stdout).not.toMatch(/^\| ✖/m);
    expect(ok.stdout).toContain(
      sandboxed
        ? "Ready: everything the demos need is green."
        : "Ready: everything the demos need is green (1 hint above",
    );

    const refused = await runLab(["lab:doctor"], {
      env: { ...embedded(), EMULATOR_UNAVAILABLE_TOOLS: "web_search,code_interpreter" },
    });
    expect(refused.code).toBe(0);
    expect(row(refused.stdout, "web search tool (demo 3-websearch)")).toMatch(
      /^\| !.*web search tool is not available for this Foundry project/,
    );
    expect(row(refused.stdout, "code interpreter tool (demo 4-code)")).toMatch(/^\| !.*not available/);
    expect(row(refused.stdout, "file search tool (demo 5-rag)")).toMatch(/^\| ✔/);
    expect(refused.stdout).toContain(
      `Ready: everything the demos need is green (${sandboxed ? 2 : 3} hints above`,
    );
  });

  it("the code sandbox row: a bad EMULATOR_CODE_SANDBOX is the sentence why; =none says it runs unsandboxed", async () => {
    const bad = await runLab(["lab:doctor"], { env: { ...embedded(), EMULATOR_CODE_SANDBOX: "sideways" } });
    expect(bad.code).toBe(0); // a warning: every other demo runs without it
    expect(row(bad.stdout, "code sandbox (demo 4-code)")).toMatch(
      /^\| !.*code interpreter calls are refused: EMULATOR_CODE_SANDBOX is "sideways", but it takes only "bubblewrap" \(the default\) or "none"/,
    );
    const none = await runLab(["lab:doctor"], { env: { ...embedded(), EMULATOR_CODE_SANDBOX: "none" } });
    expect(none.code).toBe(0);
    const python = (await sandboxInfo({ ...cleanEnv(), EMULATOR_CODE_SANDBOX: "none" })).python;
    expect(row(none.stdout, "code sandbox (demo 4-code)")).toMatch(
      python === undefined
        ? /^\| !.*refused: no Python 3\.9\+ was found/
        : /^\| !.*EMULATOR_CODE_SANDBOX=none: code runs unsandboxed, as your own user/,
    );
  });

  it("a missing model deployment is red, names MODEL_DEPLOYMENT and lists what exists", async () => {
    const nope = await runLab(["lab:doctor"], { env: { ...embedded(), MODEL_DEPLOYMENT: "nope" } });
    expect(nope.code).toBe(1);
    expect(row(nope.stdout, "model deployment")).toMatch(
      /^\| ✖.*"nope" not found; this project has model-router, lab-offline-mini, lab-offline-large/,
    );
    expect(nope.stdout).toContain(
      '✖ model deployment: The model deployment "nope" does not exist in this project: set MODEL_DEPLOYMENT',
    );
    // The emulator told which deployments exist, without the default one.
    const told = await runLab(["lab:doctor"], {
      env: { ...embedded(), EMULATOR_DEPLOYMENTS: "gpt-4o-mini" },
    });
    expect(told.code).toBe(1);
    expect(row(told.stdout, "model deployment")).toMatch(
      /"model-router" not found; this project has gpt-4o-mini/,
    );
    expect(told.stdout).toMatch(/1 thing to fix/);
  });

  it("a bad endpoint: a malformed one is a red settings line; an unreachable one is a red reach line", async () => {
    const malformed = await runLab(["lab:doctor"], {
      env: { ...embedded(), FOUNDRY_PROJECT_ENDPOINT: "https://my-foundry.openai.azure.com/" },
    });
    expect(malformed.code).toBe(1);
    expect(row(malformed.stdout, ".env and settings")).toMatch(/^\| ✖/);
    expect(malformed.stdout).toContain(
      "✖ .env and settings: FOUNDRY_PROJECT_ENDPOINT (from the environment) is an Azure OpenAI or resource endpoint",
    );
    expect(row(malformed.stdout, "model deployment")).toMatch(/– .*needs a valid configuration/);

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dead = await runLab(["lab:doctor"], {
      env: { ...embedded(), FOUNDRY_PROJECT_ENDPOINT: `https://127.0.0.1:${port}/api/projects/lab` },
    });
    expect(dead.code).toBe(1);
    expect(row(dead.stdout, "endpoint reachable")).toMatch(/^\| ✖.*ECONNREFUSED/);
    expect(dead.stdout).toContain(`✖ endpoint reachable: Could not reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it("no Azure credential: the credential line is red with the az login sentence, quickly", async () => {
    const started = Date.now();
    const result = await runLab(["lab:doctor"], {
      env: {
        ...embedded(),
        LAB_BACKEND: "azure",
        FOUNDRY_PROJECT_ENDPOINT: "https://lab-doctor-test.services.ai.azure.com/api/projects/nowhere",
        LAB_DOCTOR_TIMEOUT_MS: "10000",
      },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toMatch(/backend: Azure AI Foundry https:\/\/lab-doctor-test/);
    expect(row(result.stdout, "credential")).toMatch(/^\| ✖/);
    expect(result.stdout).toContain("✖ credential: No Azure credential could get a token: run `az login`");
    expect(row(result.stdout, "list agents (permission)")).toMatch(/– .*needs a token/);
    expect(result.stdout).not.toMatch(/^\s+at /m);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it("a token without the role: the permission line names Foundry User (formerly Azure AI User)", async () => {
    const denied = await runLab(["lab:doctor"], { env: { ...embedded(), LAB_EMULATOR_TOKEN: "lab-denied" } });
    expect(denied.code).toBe(1);
    expect(row(denied.stdout, "list agents (permission)")).toMatch(/^\| ✖.*HTTP 403/);
    expect(denied.stdout).toContain(
      "✖ list agents (permission): Your identity is signed in but not allowed to use this Foundry project (403): ask for the role Foundry User (formerly Azure AI User)",
    );
  });

  it("a misspelt setting in .env: a red line naming the closest known name; a demo warns in one line", async () => {
    const dir = tempDir("lab-env-");
    const rootEnv = path.join(dir, ".env");
    writeFileSync(rootEnv, "FOUNDRY_PROJECT_ENDPIONT=https://x.services.ai.azure.com/api/projects/p\n");
    const doctor = await runLab(["lab:doctor"], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv } });
    expect(doctor.code).toBe(1);
    expect(row(doctor.stdout, "setting names")).toMatch(/^\| ✖.*did you mean FOUNDRY_PROJECT_ENDPOINT\?/);
    expect(doctor.stdout).toContain(
      `✖ setting names: rename FOUNDRY_PROJECT_ENDPIONT to FOUNDRY_PROJECT_ENDPOINT in ${rootEnv}`,
    );
    const demo = await runLab(["0-hello"], {
      env: { ...embedded(), LAB_ROOT_ENV: rootEnv },
      input: ["/exit"],
    });
    expect(demo.code).toBe(0);
    const warnings = demo.stderr.split("\n").filter((l) => l.includes("FOUNDRY_PROJECT_ENDPIONT"));
    expect(warnings).toEqual([expect.stringContaining("did you mean FOUNDRY_PROJECT_ENDPOINT?")]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a bad LAB_WEATHER in .env: red here, as demo 1 refuses to start with it", async () => {
    const dir = tempDir("lab-env-");
    const rootEnv = path.join(dir, ".env");
    writeFileSync(rootEnv, "LAB_WEATHER=of\n");
    const doctor = await runLab(["lab:doctor"], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv } });
    expect(doctor.code).toBe(1);
    expect(row(doctor.stdout, ".env and settings")).toMatch(/^\| ✖/);
    expect(doctor.stdout).toContain(
      `✖ .env and settings: LAB_WEATHER (from ${rootEnv}) is "of"; use "offline"`,
    );
    const demo = await runLab(["1-tools"], {
      env: { ...embedded(), LAB_ROOT_ENV: rootEnv },
      input: ["/exit"],
    });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain(`LAB_WEATHER (from ${rootEnv}) is "of"`);
    rmSync(dir, { recursive: true, force: true });
  });

  it(".env.sample's endpoint line uncommented as it is: the demo and the doctor name the placeholders", async () => {
    const dir = tempDir("lab-env-");
    const rootEnv = path.join(dir, ".env");
    // What a learner does: copy .env.sample to .env and remove the # before the endpoint line.
    const sample = readFileSync(path.join(repoRoot, ".env.sample"), "utf8");
    expect(sample).toMatch(/^# FOUNDRY_PROJECT_ENDPOINT=.*<resource>.*<project>/m);
    writeFileSync(rootEnv, sample.replace(/^# (FOUNDRY_PROJECT_ENDPOINT=)/m, "$1"));
    const said =
      "still has the placeholders <resource> and <project> of .env.sample: replace <resource> with your Foundry resource's name and <project> with your project's name";
    const demo = await runLab(["0-hello"], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv } });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain(`FOUNDRY_PROJECT_ENDPOINT (from ${rootEnv}) ${said}`);
    expect(demo.stderr).not.toContain("is not a URL");
    expect(demo.stderr.trim().split("\n")).toHaveLength(1);
    const doctor = await runLab(["lab:doctor"], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv } });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `✖ .env and settings: FOUNDRY_PROJECT_ENDPOINT (from ${rootEnv}) ${said}`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("a quote that never closes in .env: every demo and the doctor name the file, the line and the key", async () => {
    const dir = tempDir("lab-env-");
    const rootEnv = path.join(dir, ".env");
    writeFileSync(
      rootEnv,
      'FOUNDRY_PROJECT_ENDPOINT="https://x.services.ai.azure.com/api/projects/p\nMODEL_DEPLOYMENT=gpt-4o\n',
    );
    const said = `Line 1 of ${rootEnv}: the " quote that starts the value of FOUNDRY_PROJECT_ENDPOINT never closes`;
    const doctor = await runLab(["lab:doctor"], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv } });
    expect(doctor.code).toBe(1);
    expect(row(doctor.stdout, ".env and settings")).toMatch(/^\| ✖/);
    expect(doctor.stdout).toContain(`✖ .env and settings: ${said}`);
    const demos = readdirSync(path.join(repoRoot, "demos")).filter(
      (d) => /^\d-/.test(d) && d !== "2-desktop",
    );
    expect(demos).toHaveLength(9);
    const runs = await Promise.all(
      demos.map((demo) =>
        runLab([demo], { env: { ...embedded(), LAB_ROOT_ENV: rootEnv }, input: ["/exit"] }),
      ),
    );
    for (const [i, result] of runs.entries()) {
      expect([demos[i], result.code]).toEqual([demos[i], 2]);
      expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/\.$/)]); // one sentence
      expect(result.stderr).toContain(`✖ ${said}; `);
      expect(result.stderr).not.toContain('""');
      expect(result.stdout).toBe("");
    }
    // Demo 2 needs a terminal before anything else: there, the same sentence.
    if (hasTmux()) {
      const terminal = new TerminalSession(`lab-env-quote-${process.pid}`, ["2-desktop"], {
        ...embedded(),
        LAB_ROOT_ENV: rootEnv,
        NO_COLOR: "1",
      });
      try {
        const screen = await terminal.until((s) => s.includes("EXITED="), "demo 2's exit");
        const unwrapped = (text: string) => text.replace(/\s+/g, ""); // the terminal wraps the sentence
        expect(unwrapped(screen)).toContain(unwrapped(said));
        expect(screen).toContain("EXITED=2");
      } finally {
        terminal.close();
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
