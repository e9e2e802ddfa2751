/**
 * Demo 1 · reset: deletes the conversations this demo created and its agent (all versions).
 * Safe to run twice. The weather functions created nothing, so there is nothing else to remove.
 */
import { connect } from "@lab/shared/lab";
import { deleteAgent, deleteConversations } from "@lab/shared/reset";
import { DEFAULT_AGENT_NAME } from "./agent.ts";
import type { ToolsState } from "./state.ts";

const lab = await connect(import.meta.dirname, DEFAULT_AGENT_NAME);
const state = lab.state<ToolsState>();
const { agent, conversations = [] } = state.get();

await deleteConversations(lab, conversations);
await deleteAgent(lab, agent);
state.clear();
console.log("Demo 1 is reset.");
