/**
 * Demo 2 · reset: deletes the conversations this demo created and its agent (all versions). Safe to run twice.
 */
import { connect } from "@lab/shared/lab";
import { deleteAgent, deleteConversations } from "@lab/shared/reset";
import type { DesktopState } from "./state.ts";

const lab = await connect(import.meta.dirname, "desktop-weather-agent");
const state = lab.state<DesktopState>();
const { agent, conversations = [] } = state.get();

await deleteConversations(lab, conversations);
await deleteAgent(lab, agent);
state.clear();
console.log("Demo 2 is reset.");
