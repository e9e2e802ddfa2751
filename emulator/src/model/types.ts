/**
 * The seam between the HTTP layer and whatever produces answers. A model gets everything the service
 * would give a real one (instructions, tools, the full item history ending with this turn's input) and
 * returns a plan: the output items, in order. The streaming writer turns any planned item into events, so
 * adding a tool call later means planning a `function_call` item, not touching the HTTP code.
 */
import type { Json } from "../validate.ts";

export interface ModelRequest {
  /** The deployment the caller asked for, e.g. `model-router`. */
  deployment: string;
  instructions: string | null;
  tools: Json[];
  /** Conversation or previous-response history followed by this turn's input, oldest first. */
  items: Json[];
}

export interface ModelReply {
  /** The model that actually served the turn (`model-router` says which one it picked). */
  model: string;
  /** Complete output items (with ids), in the order they are emitted. */
  output: Json[];
}

export interface LabModel {
  respond(request: ModelRequest): ModelReply | Promise<ModelReply>;
}
