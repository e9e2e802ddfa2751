/**
 * Demo 5 · reset: deletes what this demo created (conversations, the agent, the vector store and the
 * uploaded file) and forgets them. Safe to run twice: what is already gone counts as deleted.
 * Deleting a vector store does not delete its files, so the file is deleted on its own.
 */
import { deleteIfExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { deleteAgent, deleteConversations } from "@lab/shared/reset";
import type { RagState } from "./state.ts";

const lab = await connect(import.meta.dirname, "handbook-agent");
const state = lab.state<RagState>();
const { agent, knowledge, conversations = [] } = state.get();

await deleteConversations(lab, conversations);
await deleteAgent(lab, agent);
if (knowledge) {
  const store = await deleteIfExists(() => lab.openai.vectorStores.delete(knowledge.vectorStoreId));
  console.log(`vector store ${knowledge.vectorStoreId}: ${store === "deleted" ? "deleted" : "already gone"}`);
  const file = await deleteIfExists(() => lab.openai.files.delete(knowledge.fileId));
  console.log(
    `file ${knowledge.fileId} (${knowledge.fileName}): ${file === "deleted" ? "deleted" : "already gone"}`,
  );
}
state.clear();
console.log("Demo 5 is reset.");
