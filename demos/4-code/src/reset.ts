/**
 * Demo 4 · reset: deletes what this demo created (its conversations, the uploaded CSV, then the agent
 * with all its versions) and forgets them. The containers the code ran in expire on their own (after 20
 * idle minutes on the service). Safe to run twice: what is already gone counts as deleted.
 */
import { deleteIfExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { deleteAgent, deleteConversations } from "@lab/shared/reset";
import type { CodeState } from "./state.ts";

const lab = await connect(import.meta.dirname, "code-agent");
const state = lab.state<CodeState>();
const { agent, dataFile, conversations = [] } = state.get();

await deleteConversations(lab, conversations);
if (dataFile) {
  const outcome = await deleteIfExists(() => lab.openai.files.delete(dataFile.id));
  console.log(`file ${dataFile.id}: ${outcome === "deleted" ? "deleted" : "already gone"}`);
}
await deleteAgent(lab, agent);
state.clear();
console.log("Demo 4 is reset.");
