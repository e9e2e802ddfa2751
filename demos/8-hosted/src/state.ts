import type { AgentRef } from "@lab/shared/agents";

/** What demo 8 remembers between runs (in .lab-state.json): `reset` stops and deletes exactly this. */
export interface HostedState {
  /** The server this demo started (in `pnpm 8-hosted`, or `pnpm 8-hosted:serve`), or the one HOSTED_AGENT_URL named. */
  server: { url: string; pid?: number; how: "in-process" | "serve" | "external" };
  /**
   * A hosted agent version deployed to Foundry for this demo (a container image registered with
   * `agents.createVersion(name, {kind: "hosted", …})`, which `azd ai agent` does). Nothing in the lab
   * registers one on its own; when it is recorded here, reset deletes it.
   */
  hostedAgent: AgentRef;
}
