import type { AgentRef } from "@lab/shared/agents";

/** What demo 2 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface DesktopState {
  agent: AgentRef;
  conversation: string;
  conversations: string[];
}
