import type { AgentRef } from "@lab/shared/agents";

/** What demo 6 remembers between runs (in .lab-state.json). */
export interface McpState {
  agent: AgentRef;
  /** The MCP server the agent was registered with. */
  server: { label: string; url: string };
  /** The last response of the chat: the next turn continues from it (previous_response_id). */
  lastResponseId: string;
}
