/**
 * The approval loop, as in demo 6 (whose lesson it is; copied so that this demo stands on its own).
 * With `require_approval`, a response can end with `mcp_approval_request` items instead of an answer:
 * the service is waiting for a human.
 *   1. collect every `mcp_approval_request` in the response;
 *   2. decide each one, and send all the `mcp_approval_response` items back in one request, chained with
 *      `previous_response_id` so the service knows which requests they answer;
 *   3. repeat until nothing is pending (the model answered), at most `maxRounds` times.
 * A denial is data too: the model reads it and says that nothing ran. When nobody could be asked (no
 * terminal), the chat has said so itself, and the model's reply (worded as if someone said no) is not shown.
 */

import { type AgentRef, agentReference } from "@lab/shared/agents";
import type OpenAI from "openai";
import type {
  Response,
  ResponseInputItem,
  ResponseOutputItem,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";

export type ApprovalRequestItem = Extract<ResponseOutputItem, { type: "mcp_approval_request" }>;

export interface ApprovalLoopOptions {
  openai: OpenAI;
  agent: AgentRef;
  input: string;
  /** The response this turn follows (the previous turn), if any. */
  previousResponseId?: string;
  signal?: AbortSignal;
  maxRounds?: number;
  print(stream: AsyncIterable<ResponseStreamEvent>): Promise<Response>;
  /** Asks a human; returns whether to run the call (and why not, and whether anyone could be asked). */
  decide(request: ApprovalRequestItem): Promise<{ approve: boolean; reason?: string; unasked?: boolean }>;
  /** Sees every output item as each response completes (tool listings, calls). */
  onItem?(item: ResponseOutputItem): void;
}

export async function runApprovalLoop(options: ApprovalLoopOptions): Promise<Response> {
  const { openai, agent, signal, maxRounds = 5 } = options;
  const send = async (input: string | ResponseInputItem[], previous: string | undefined, shown = true) => {
    const request = { input, ...(previous ? { previous_response_id: previous } : {}) };
    const requestOptions = { body: agentReference(agent), signal };
    const response = shown
      ? await options.print(await openai.responses.create({ ...request, stream: true }, requestOptions))
      : await openai.responses.create(request, requestOptions);
    for (const item of response.output) options.onItem?.(item);
    return response;
  };

  let response = await send(options.input, options.previousResponseId);
  for (let round = 1; round <= maxRounds; round++) {
    const pending = response.output.filter(
      (item): item is ApprovalRequestItem => item.type === "mcp_approval_request",
    );
    if (pending.length === 0) return response;
    const answers: ResponseInputItem.McpApprovalResponse[] = [];
    let asked = false;
    for (const request of pending) {
      const { approve, reason, unasked } = await options.decide(request);
      asked ||= !unasked;
      answers.push({
        type: "mcp_approval_response",
        approval_request_id: request.id,
        approve,
        ...(reason ? { reason } : {}),
      });
    }
    // Answered even when nobody could be asked, so the conversation can go on.
    response = await send(answers, response.id, asked);
  }
  return response;
}
