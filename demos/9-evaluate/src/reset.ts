/**
 * Demo 9 · reset: deletes the two agents under evaluation (all versions), the handbook's vector store and
 * file, and the evaluations made through the service. Reports in transcripts/ are yours and stay.
 */
import { deleteIfExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { deleteAgent } from "@lab/shared/reset";
import type { EvaluateState } from "./state.ts";

const lab = await connect(import.meta.dirname, "eval");
const state = lab.state<EvaluateState>();
const { weather, handbook, knowledge, evals = [] } = state.get();

// Only what the state file records (an agent of the same name made elsewhere is left alone;
// pnpm reset:all sweeps anything the lab tagged but forgot).
for (const agent of [weather, handbook]) if (agent) await deleteAgent(lab, agent);
if (knowledge) {
  const store = await deleteIfExists(() => lab.openai.vectorStores.delete(knowledge.vectorStoreId));
  console.log(`vector store ${knowledge.vectorStoreId}: ${store === "deleted" ? "deleted" : "already gone"}`);
  const file = await deleteIfExists(() => lab.openai.files.delete(knowledge.fileId));
  console.log(`file ${knowledge.fileId}: ${file === "deleted" ? "deleted" : "already gone"}`);
}
for (const id of evals) {
  const gone = await deleteIfExists(() => lab.openai.evals.delete(id));
  console.log(`evaluation ${id}: ${gone === "deleted" ? "deleted" : "already gone"}`);
}
state.clear();
console.log("Demo 9 is reset.");
