/**
 * Demo 3 · reset: deletes what this demo created (the conversations it started, then the agent with
 * all its versions) and forgets them. Safe to run twice: what is already gone counts as deleted.
 */
import { connect } from "@lab/shared/lab";
import { deleteAgent, deleteConversations } from "@lab/shared/reset";
import type { WebSearchState } from "./state.ts";

const lab = await connect(import.meta.dirname, "web-agent");
const state = lab.state<WebSearchState>();
const { agent, conversations = [] } = state.get();

await deleteConversations(lab, conversations);
await deleteAgent(lab, agent);
state.clear();
console.log("Demo 3 is reset.");
