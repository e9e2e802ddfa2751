import type { AgentRef } from "@lab/shared/agents";

/** What demo 7 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface ToolboxState {
  toolbox: string;
  /** The toolbox version the agent is pinned to. */
  pinned: string;
  agent: AgentRef;
  lastResponseId: string;
  /** The agent version the thread of lastResponseId was made with (a re-pin starts a new thread). */
  threadAgentVersion: string;
}
