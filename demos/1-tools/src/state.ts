import type { AgentRef } from "@lab/shared/agents";

/** What demo 1 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface ToolsState {
  agent: AgentRef;
  conversation: string;
  conversations: string[];
}
