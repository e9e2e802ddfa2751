/**
 * Demo 0 · reset: deletes what this demo created (the conversations it started, then the agent with
 * all its versions) and forgets them. Safe to run twice: what is already gone counts as deleted.
 */
import { deleteIfExists, ifExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { isLabTagged } from "@lab/shared/metadata";
import type { HelloState } from "./state.ts";

const lab = await connect(import.meta.dirname, "hello-agent");
const { project, openai, config } = lab;
const state = lab.state<HelloState>();
const { agent, conversations = [] } = state.get();

for (const id of conversations) {
  const outcome = await deleteIfExists(() => openai.conversations.delete(id));
  console.log(`conversation ${id}: ${outcome === "deleted" ? "deleted" : "already gone"}`);
}

// Delete the agent this demo recorded, or one with the demo's name that the lab tagged; never an untagged one.
const name = agent?.name ?? config.agentName;
const found = await ifExists(() => project.agents.get(name));
if (!found) {
  console.log(`agent ${name}: already gone`);
} else if (agent || isLabTagged(found.versions.latest.metadata)) {
  await deleteIfExists(() => project.agents.delete(name));
  console.log(`agent ${name}: deleted with all its versions`);
} else {
  console.log(`agent ${name}: left alone (not created by this lab)`);
}

state.clear();
console.log("Demo 0 is reset.");
