/**
 * The Dockerfile and agent.yaml cannot be built or deployed here (no Docker engine, no Azure), so this
 * checks what can go wrong silently: both parse, and they agree with each other and with the server on
 * the port, the health path and the rules the platform sets (amd64, non-root, no dev dependencies).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_PORT, HEALTH_PATH } from "../src/server.ts";

const dir = path.resolve(import.meta.dirname, "..");
const dockerfile = readFileSync(path.join(dir, "Dockerfile"), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

const KEYWORDS = new Set([
  "FROM",
  "RUN",
  "CMD",
  "ENV",
  "WORKDIR",
  "COPY",
  "USER",
  "EXPOSE",
  "HEALTHCHECK",
  "ARG",
]);

describe("Dockerfile and agent.yaml", () => {
  const steps = instructions(dockerfile);
  const manifest = parse(readFileSync(path.join(dir, "agent.yaml"), "utf8")) as {
    name: string;
    template: {
      kind: string;
      protocols: Array<{ protocol: string }>;
      environment_variables: Array<{ name: string; value: string }>;
    };
  };
  const env = Object.fromEntries(manifest.template.environment_variables.map((v) => [v.name, v.value]));

  it("the Dockerfile parses: known instructions, two stages on Node 24 slim for linux/amd64", () => {
    for (const step of steps) expect(KEYWORDS).toContain(step.keyword);
    const stages = steps.filter((s) => s.keyword === "FROM");
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage.args).toMatch(/^--platform=linux\/amd64 node:24-slim\b/);
    expect(steps.at(-1)).toEqual({ keyword: "CMD", args: '["node", "src/server.ts"]' });
  });

  it("the final image runs as a non-root user and carries production dependencies only", () => {
    const final = steps.slice(steps.findLastIndex((s) => s.keyword === "FROM"));
    const user = final.find((s) => s.keyword === "USER");
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)$/);
    expect(final.indexOf(user as Instruction)).toBeLessThan(final.findIndex((s) => s.keyword === "CMD"));
    const build = steps.find((s) => s.keyword === "RUN" && s.args.includes("deploy"));
    expect(build?.args).toContain("--prod");
    // The final stage copies from the pruned deploy folder, never the workspace's node_modules.
    for (const copy of final.filter((s) => s.keyword === "COPY"))
      expect(copy.args).toMatch(/--from=build .*\/app\//);
  });

  it("agent.yaml parses as a hosted agent speaking the responses protocol", () => {
    expect(manifest.name).toBe("lab-hosted-agent");
    expect(manifest.template.kind).toBe("hosted");
    expect(manifest.template.protocols).toEqual([{ protocol: "responses" }]);
    expect(env.MODEL_DEPLOYMENT).toBeTruthy();
  });

  it("both agree with the server on the port and the health path", () => {
    const port = String(DEFAULT_PORT);
    expect(env.PORT).toBe(port);
    expect(steps.find((s) => s.keyword === "EXPOSE")?.args).toBe(port);
    const envLine = steps
      .filter((s) => s.keyword === "ENV")
      .map((s) => s.args)
      .join(" ");
    expect(envLine).toContain(`PORT=${port}`);
    expect(envLine).toContain("HOST=0.0.0.0");
    const health = steps.find((s) => s.keyword === "HEALTHCHECK")?.args ?? "";
    expect(health).toContain(`'${HEALTH_PATH}'`);
    expect(health).toContain(`process.env.PORT || ${port}`);
  });
});
