/**
 * Deleting what a demo created, for the `reset` scripts. Everything is idempotent (already gone counts
 * as done), and an agent the lab did not create is never deleted.
 */
import { type AgentRef, deleteIfExists, ifExists } from "./agents.ts";
import type { Lab } from "./lab.ts";
import { isLabTagged } from "./metadata.ts";

export async function deleteConversations(lab: Lab, ids: string[]): Promise<void> {
  for (const id of ids) {
    const outcome = await deleteIfExists(() => lab.openai.conversations.delete(id));
    console.log(`conversation ${id}: ${outcome === "deleted" ? "deleted" : "already gone"}`);
  }
}

/** Deletes the recorded agent, or one under the demo's name that carries the lab's tag, with all versions. */
export async function deleteAgent(lab: Lab, recorded: AgentRef | undefined): Promise<void> {
  const name = recorded?.name ?? lab.config.agentName;
  const found = await ifExists(() => lab.project.agents.get(name));
  if (!found) {
    console.log(`agent ${name}: already gone`);
  } else if (recorded || isLabTagged(found.versions.latest.metadata)) {
    await deleteIfExists(() => lab.project.agents.delete(name));
    console.log(`agent ${name}: deleted with all its versions`);
  } else {
    console.log(`agent ${name}: left alone (not created by this lab)`);
  }
}
