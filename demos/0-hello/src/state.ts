import type { AgentRef } from "@lab/shared/agents";

/** What demo 0 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface HelloState {
  agent: AgentRef;
  /** The conversation `chat` resumes. */
  conversation: string;
  /** Every conversation this demo created. */
  conversations: string[];
}
