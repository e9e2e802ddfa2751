import type { AgentRef } from "@lab/shared/agents";

/** What demo 3 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface WebSearchState {
  agent: AgentRef;
  /** The conversation `chat` resumes. */
  conversation: string;
  /** Every conversation this demo created. */
  conversations: string[];
}
