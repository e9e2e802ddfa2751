/** Demo 9's flags. The launcher checks them before create-agent runs, so a usage error creates nothing. */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { TARGETS, type TargetName } from "./targets.ts";

export function readArgs(): { targets: TargetName[]; compare?: string; all: boolean } {
  const args = parse();
  if (args.all && !existsSync(path.join(repoRoot, "demos"))) {
    // An ejected copy holds this demo only: there is no lab of demos to check.
    throw new ConfigError(
      "--all checks every demo of the lab, and this folder holds only this one: run it in the lab's repository, or npm start here to evaluate this agent.",
    );
  }
  return args;
}

function parse(): { targets: TargetName[]; compare?: string; all: boolean } {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: {
        dataset: { type: "string" },
        compare: { type: "string" },
        all: { type: "boolean" },
        otel: { type: "boolean" },
        "otel-content": { type: "boolean" },
      },
      allowPositionals: false,
    });
    const dataset = values.dataset;
    if (dataset !== undefined && !TARGETS.includes(dataset as TargetName))
      throw new Error(`--dataset is "${dataset}"; use ${TARGETS.join(" or ")}.`);
    if (values.compare !== undefined && !/^\d+$/.test(values.compare))
      throw new Error(`--compare takes a version number, such as --compare 1 (got "${values.compare}").`);
    return {
      targets: dataset ? [dataset as TargetName] : TARGETS,
      compare: values.compare,
      all: values.all === true,
    };
  } catch (err) {
    throw new ConfigError(
      `${(err as Error).message.split("\n")[0]?.replace(/([^.])$/, "$1.")} pnpm 9-evaluate takes --dataset weather|handbook, --compare <version>, --all, --otel.`,
    );
  }
}
