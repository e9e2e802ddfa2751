/**
 * Demo 5 · create-agent: grounding an agent in your own document. The file is uploaded, indexed into a
 * vector store (the service cuts it into passages and makes them searchable), and the agent gets the
 * `file_search` tool pointed at that store. A second run reuses the store unless the document changed.
 */
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { deleteIfExists, ifExists, sameDefinition } from "@lab/shared/agents";
import { ConfigError, LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { settingPath } from "@lab/shared/paths";
import { notice } from "@lab/shared/terminal";
import type { KnowledgeRef, RagState } from "./state.ts";

const lab = await connect(import.meta.dirname, "handbook-agent");
const { project, openai, config } = lab;
const state = lab.state<RagState>();

const document = settingPath(config, "RAG_DOCUMENT", path.join(config.demo.dir, "data/employee-handbook.md"));
const kind = statSync(document, { throwIfNoEntry: false });
if (!kind?.isFile()) {
  throw new ConfigError(
    `RAG_DOCUMENT points at ${document}, which ${kind ? "is not a file" : "does not exist"}: set it to a text or Markdown file.`,
  );
}
const sha256 = createHash("sha256").update(readFileSync(document)).digest("hex");

/** The saved store if it still exists and holds this exact document; else what to replace, if anything. */
async function checkSaved(saved: KnowledgeRef | undefined) {
  if (!saved) return { reuse: undefined, replace: undefined };
  const store = await ifExists(() => openai.vectorStores.retrieve(saved.vectorStoreId));
  if (!store || store.status === "expired") {
    notice(
      `The vector store ${saved.vectorStoreId} recorded for this demo is gone (deleted or expired); making a new one.`,
    );
    return { reuse: undefined, replace: saved };
  }
  if (saved.sha256 === sha256 && store.file_counts.completed > 0) return { reuse: saved, replace: undefined };
  const name = path.basename(document);
  notice(
    name === saved.fileName
      ? `${name} changed since it was indexed; replacing vector store ${saved.vectorStoreId}.`
      : `RAG_DOCUMENT now names ${name}, not ${saved.fileName}; replacing vector store ${saved.vectorStoreId}.`,
  );
  return { reuse: undefined, replace: saved };
}

const saved = await checkSaved(state.get().knowledge);
let knowledge = saved.reuse;
if (knowledge) {
  console.log(`Vector store ${knowledge.vectorStoreId} already holds ${knowledge.fileName}; reusing it.`);
} else {
  // A vector store is a searchable index of files. It expires after a week unused, so a forgotten one
  // stops costing money; the lab's metadata lets `reset` and sweeps find it.
  const store = await openai.vectorStores.create({
    name: `${config.agentName}-knowledge`,
    metadata: labMetadata(config.demo.id),
    expires_after: { anchor: "last_active_at", days: 7 },
  });
  // Upload the file and attach it to the store; the service indexes it (in_progress → completed).
  let file: Awaited<ReturnType<typeof openai.vectorStores.files.uploadAndPoll>>;
  try {
    file = await openai.vectorStores.files.uploadAndPoll(store.id, createReadStream(document));
  } catch (err) {
    await deleteIfExists(() => openai.vectorStores.delete(store.id));
    throw uploadRefused(err);
  }
  if (file.status !== "completed") {
    await deleteIfExists(() => openai.vectorStores.delete(store.id));
    await deleteIfExists(() => openai.files.delete(file.id));
    throw new LabError(
      `${path.basename(document)} could not be indexed for file search (${file.last_error?.code ?? file.status}): ${file.last_error?.message ?? "no reason given"}`,
    );
  }
  knowledge = { vectorStoreId: store.id, fileId: file.id, fileName: path.basename(document), sha256 };
  state.update((s) => ({ ...s, knowledge }));
  // Only now that the new store works does the old one go (a refused document changes nothing).
  if (saved.replace) {
    await deleteIfExists(() => openai.vectorStores.delete(saved.replace.vectorStoreId));
    await deleteIfExists(() => openai.files.delete(saved.replace.fileId));
  }
  console.log(`Indexed ${knowledge.fileName} into vector store ${store.id} (${file.usage_bytes} bytes).`);
}

// The agent: a prompt agent with the file_search tool, pointed at the vector store.
const definition = {
  kind: "prompt" as const,
  model: config.model,
  instructions:
    "You answer questions about the Contoso employee handbook. Use file search for every question, answer only from what it finds, cite the passages, and say so when the handbook does not cover something.",
  tools: [{ type: "file_search" as const, vector_store_ids: [knowledge.vectorStoreId] }],
};
const existing = await ifExists(() => project.agents.get(config.agentName));
const latest = existing?.versions.latest;
const agent =
  latest && sameDefinition(latest, definition)
    ? latest
    : await project.agents.createVersion(config.agentName, definition, {
        description: "Demo 5 of the Foundry Agent Lab: answers from a document with file search.",
        metadata: labMetadata(config.demo.id),
      });
state.update((s) => ({ ...s, agent: { name: agent.name, version: agent.version } }));
console.log(
  agent === latest
    ? `Agent ${agent.name} version ${agent.version} is unchanged; reusing it.`
    : `Created agent ${agent.name} version ${agent.version} with file search over ${knowledge.fileName}.`,
);

/** The service's refusal of an upload, as one sentence. */
function uploadRefused(err: unknown): unknown {
  const e = err as { status?: number; error?: { code?: string; message?: string } };
  if (e.status !== 400 && e.status !== 413) return err;
  const name = path.basename(document);
  if (e.error?.code === "empty_file")
    return new LabError(`${name} is empty: put some text in it, or point RAG_DOCUMENT at another file.`);
  if (e.error?.code === "file_too_large" || e.status === 413) {
    return new LabError(
      `${name} is too large to upload (${e.error?.message ?? "over the size limit"}); split it into smaller files.`,
    );
  }
  return new LabError(`The service refused ${name}: ${e.error?.message ?? "invalid file"}.`);
}
