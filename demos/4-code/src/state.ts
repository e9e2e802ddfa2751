import type { AgentRef } from "@lab/shared/agents";

/** What demo 4 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface CodeState {
  agent: AgentRef;
  /** The uploaded copy of data/sales.csv, and the hash of the bytes it was uploaded from. */
  dataFile: { id: string; sha256: string };
  /** The conversation `chat` resumes. */
  conversation: string;
  /** Every conversation this demo created (the terminal chat and the web page). */
  conversations: string[];
}
