/**
 * Demo 4 · create-agent: a prompt agent with the code interpreter tool. The data set it analyzes
 * (data/sales.csv) is uploaded once with `purpose: "assistants"` and named in the tool's container, so
 * every session's sandbox starts with a copy of it. Both are reused while nothing changed.
 */
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import path from "node:path";
import { deleteIfExists, ifExists, sameDefinition } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import type { CodeState } from "./state.ts";

const lab = await connect(import.meta.dirname, "code-agent");
const { project, openai, config } = lab;
const state = lab.state<CodeState>();

// Upload the CSV unless the same bytes are already uploaded (and the service still has them).
const csvPath = path.join(import.meta.dirname, "..", "data", "sales.csv");
const sha256 = createHash("sha256").update(readFileSync(csvPath)).digest("hex");
const saved = state.get().dataFile;
let dataFile = saved;
if (!saved || saved.sha256 !== sha256 || !(await ifExists(() => openai.files.retrieve(saved.id)))) {
  const uploaded = await openai.files.create({ file: createReadStream(csvPath), purpose: "assistants" });
  dataFile = { id: uploaded.id, sha256 };
  state.update((s) => ({ ...s, dataFile }));
  if (saved && saved.id !== uploaded.id) await deleteIfExists(() => openai.files.delete(saved.id));
  console.log(`Uploaded ${path.basename(csvPath)} as ${uploaded.id} (${uploaded.bytes} bytes).`);
} else {
  console.log(`${path.basename(csvPath)} is unchanged; reusing upload ${saved.id}.`);
}
if (!dataFile) throw new Error("unreachable: the data file was just uploaded");

// The code interpreter runs Python server-side; `auto` gives each session a container with these files.
const definition = {
  kind: "prompt" as const,
  model: config.model,
  instructions:
    "You are a data analyst. Answer questions about sales.csv (monthly units and revenue per region) by " +
    "writing and running Python with the code interpreter. Save every chart as a file (PNG or SVG) and " +
    "say in one or two sentences what it shows. Keep answers short and use Markdown.",
  tools: [
    { type: "code_interpreter" as const, container: { type: "auto" as const, file_ids: [dataFile.id] } },
  ],
};

const existing = await ifExists(() => project.agents.get(config.agentName));
const latest = existing?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 4 of the Foundry Agent Lab: code interpreter, charts and a web page.",
        metadata: labMetadata(config.demo.id),
      });

state.update((s) => ({ ...s, agent: { name: agent.name, version: agent.version } }));
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
    : `Created agent ${agent.name} version ${agent.version} with the code interpreter on ${config.model}.`,
);
