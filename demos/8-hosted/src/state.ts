import type { AgentRef } from "@lab/shared/agents";

/** What demo 8 remembers between runs (in .lab-state.json): `reset` stops and deletes exactly this. */
export interface HostedState {
  /** A `pnpm 8-hosted:serve` server that is running (its process drops the record when it exits). */
  server: { url: string; pid?: number; how: "serve" };
  /**
   * A hosted agent version deployed to Foundry for this demo (a container image registered with
   * `agents.createVersion(name, {kind: "hosted", …})`, which `azd ai agent` does). Nothing in the lab
   * registers one on its own; when it is recorded here, reset deletes it.
   */
  hostedAgent: AgentRef;
}
