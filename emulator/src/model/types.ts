/**
 * The seam between the HTTP layer and whatever produces answers. A model gets everything the service
 * would give a real one (instructions, tools, the full item history ending with this turn's input) and
 * returns a plan: the output items, in order. The streaming writer turns any planned item into events, so
 * adding a tool call later means planning a `function_call` item, not touching the HTTP code.
 */
import type { App } from "../context.ts";
import type { Json } from "../validate.ts";

export interface ModelRequest {
  /** The deployment the caller asked for, e.g. `model-router`. */
  deployment: string;
  instructions: string | null;
  tools: Json[];
  /** Conversation or previous-response history followed by this turn's input, oldest first. */
  items: Json[];
  /** The request's `tool_choice`: "auto" (default), "none", "required" or `{type, name}`. */
  toolChoice: Json | string;
  /** The request's `include` list, e.g. "file_search_call.results". */
  include: string[];
  /** The emulator's stores, for skills that run server-side tools (files, vector stores, containers). */
  app: App;
  /** Set for a streamed turn: a model that produces its output gradually (a local model) shows it here. */
  live?: LiveOutput;
  /** Aborted when the answer is no longer wanted (the client went away, a cancel, a shutdown). */
  signal?: AbortSignal;
}

/**
 * A streamed turn's output while the model still works. The first call opens the stream under the
 * model's name; the items shown must be the reply's `output`, in order, so the route plays only the rest.
 */
export interface LiveOutput {
  /** The message `id`, being written, now reads `text` with these citations (each call extends the last). */
  text(model: string, id: string, text: string, annotations: Json[]): void;
  /** One finished output item (also the message whose text was shown). */
  item(model: string, item: Json): Promise<void>;
}

/** What the lab model knows about the current turn, worked out once for every skill. */
export interface TurnView {
  /** The latest user message's text. */
  current: string;
  /** Earlier user messages' texts, oldest first. */
  earlier: string[];
  /** How many user messages the history holds, this one included. */
  turnNumber: number;
  /** Items after the latest user message: this turn's tool calls and their outputs so far. */
  sinceUser: Json[];
  /** The model that serves this turn (model-router's pick). */
  model: string;
}

/**
 * One ability of the lab model (answering with tool calls, answering from tool results, …). A skill
 * returns the output items when it recognizes the turn, or undefined to let the next one try.
 */
export type Skill = ((
  request: ModelRequest,
  turn: TurnView,
) => Json[] | undefined | Promise<Json[] | undefined>) & {
  /**
   * How well the skill's tool fits the turn, 0 (not at all) to 1: skills that can say so are tried
   * best first (a tie keeps their order), so an agent with file search and a code interpreter sends a
   * question about the CSV's columns to the code and a question the documents cover to file search.
   */
  match?: (request: ModelRequest, turn: TurnView) => number | Promise<number>;
};

export interface ModelReply {
  /** The model that actually served the turn (`model-router` says which one it picked). */
  model: string;
  /** Complete output items (with ids), in the order they are emitted. */
  output: Json[];
  /** Token counts the model itself reported (a local model's server); without them the emulator estimates. */
  usage?: Json;
}

export interface LabModel {
  respond(request: ModelRequest): ModelReply | Promise<ModelReply>;
}
