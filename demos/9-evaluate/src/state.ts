import type { AgentRef } from "@lab/shared/agents";

/** What demo 9 remembers (in .lab-state.json): its two target agents and the handbook's vector store. */
export interface EvaluateState {
  weather?: AgentRef;
  handbook?: AgentRef;
  knowledge?: { vectorStoreId: string; fileId: string; fileName: string; sha256: string };
  /** Evaluations made through the service's evals API (deleted by reset). */
  evals?: string[];
}
