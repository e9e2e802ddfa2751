/**
 * Demo 9 · create-agent: the agents under test. Demo 1's weather agent and demo 5's handbook agent, under
 * demo 9's own names (so evaluating never disturbs the demos you chat with). Each run registers a new
 * version only when the definition changed: edit an instruction, run again, and the dataset runs against
 * the new version, with `-- --compare <version>` showing what the edit changed.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PromptAgentDefinition } from "@azure/ai-projects";
import { ifExists, sameDefinition } from "@lab/shared/agents";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { notice } from "@lab/shared/terminal";
import type { EvaluateState } from "./state.ts";
import {
  agentName,
  handbookDefinition,
  handbookFile,
  type TargetName,
  weatherDefinition,
} from "./targets.ts";

// An evaluation records a trace per item, so a failing item links to what happened (pnpm traces).
process.env.LAB_TRACING ??= "1";
const lab = await connect(import.meta.dirname, "eval");
const { project, openai, config } = lab;
const state = lab.state<EvaluateState>();

const targets: [TargetName, PromptAgentDefinition][] = [["weather", weatherDefinition(lab)]];
const handbook = handbookFile(config.env);
if (existsSync(handbook)) {
  targets.push(["handbook", handbookDefinition(lab, await indexedHandbook(handbook))]);
} else {
  notice(
    `No handbook at ${handbook}: only the weather agent is evaluated (EVAL_HANDBOOK names another file).`,
  );
}

for (const [target, definition] of targets) {
  const name = agentName(lab, target);
  const latest = (await ifExists(() => project.agents.get(name)))?.versions.latest;
  const agent =
    latest && sameDefinition(latest, definition)
      ? latest
      : await project.agents.createVersion(name, definition, {
          description: `Demo 9 of the Foundry Agent Lab: the ${target} agent under evaluation.`,
          metadata: labMetadata(config.demo.id),
        });
  state.update((s) => ({ ...s, [target]: { name: agent.name, version: agent.version } }));
  console.log(
    agent === latest
      ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
      : `Created agent ${agent.name} version ${agent.version}.`,
  );
}

/** The handbook in a vector store of demo 9's own, reused while the file is unchanged. */
async function indexedHandbook(file: string): Promise<string> {
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  const saved = state.get().knowledge;
  const store = saved && (await ifExists(() => openai.vectorStores.retrieve(saved.vectorStoreId)));
  if (saved && store && store.status !== "expired" && saved.sha256 === sha256) return saved.vectorStoreId;
  const created = await openai.vectorStores.create({
    name: `${config.agentName}-handbook-knowledge`,
    metadata: labMetadata(config.demo.id),
    expires_after: { anchor: "last_active_at", days: 7 },
  });
  const uploaded = await openai.vectorStores.files.uploadAndPoll(created.id, createReadStream(file));
  if (uploaded.status !== "completed")
    throw new LabError(
      `${path.basename(file)} could not be indexed (${uploaded.last_error?.message ?? uploaded.status}).`,
    );
  const knowledge = { vectorStoreId: created.id, fileId: uploaded.id, fileName: path.basename(file), sha256 };
  state.update((s) => ({ ...s, knowledge }));
  console.log(`Indexed ${knowledge.fileName} into vector store ${created.id}.`);
  return created.id;
}
