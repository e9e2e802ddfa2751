import type { AgentRef } from "@lab/shared/agents";

/** The vector store this demo made, the file in it, and which version of the document it holds. */
export interface KnowledgeRef {
  vectorStoreId: string;
  fileId: string;
  fileName: string;
  /** SHA-256 of the document that was uploaded: a changed document gets a new store. */
  sha256: string;
}

/** What demo 5 remembers between runs (in .lab-state.json): `reset` deletes exactly this. */
export interface RagState {
  agent: AgentRef;
  knowledge: KnowledgeRef;
  /** The conversation `chat` resumes. */
  conversation: string;
  /** Every conversation this demo created. */
  conversations: string[];
}
