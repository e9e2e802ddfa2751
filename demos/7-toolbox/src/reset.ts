/**
 * Demo 7 · reset: deletes the agent (all versions) and the toolbox (all versions). Safe to run twice.
 */
import { deleteIfExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { deleteAgent } from "@lab/shared/reset";
import { DEFAULT_TOOLBOX } from "./sources.ts";
import type { ToolboxState } from "./state.ts";

const lab = await connect(import.meta.dirname, "toolbox-agent");
const state = lab.state<ToolboxState>();
const { agent, toolbox } = state.get();
await deleteAgent(lab, agent);
if (toolbox) {
  const outcome = await deleteIfExists(() => lab.project.toolboxes.delete(toolbox));
  console.log(
    `toolbox ${toolbox}: ${outcome === "deleted" ? "deleted with all its versions" : "already gone"}`,
  );
} else {
  console.log(`toolbox ${lab.config.env.TOOLBOX_NAME || DEFAULT_TOOLBOX}: not recorded here, left alone`);
}
state.clear();
console.log("Demo 7 is reset.");
