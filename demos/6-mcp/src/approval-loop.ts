/**
 * The approval loop, the lesson of demo 6. With `require_approval`, a response can end with
 * `mcp_approval_request` items instead of an answer: the service is waiting for a human.
 *   1. collect every `mcp_approval_request` in the response;
 *   2. decide each one, and send all the `mcp_approval_response` items back in one request, chained with
 *      `previous_response_id` so the service knows which requests they answer;
 *   3. repeat until nothing is pending (the model answered), at most `maxRounds` times.
 * A denial is data too: the model reads it (and its `reason`, when it was not a person's "no") and says
 * that nothing ran.
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
  /** Asks a human; returns whether to run the call, and why not when it was not their "no". */
  decide(request: ApprovalRequestItem): Promise<{ approve: boolean; reason?: string }>;
  /** Sees every output item as each response completes (tool listings, calls). */
  onItem?(item: ResponseOutputItem): void;
}

export async function runApprovalLoop(options: ApprovalLoopOptions): Promise<Response> {
  const { openai, agent, signal, maxRounds = 5 } = options;
  const send = async (input: string | ResponseInputItem[], previous: string | undefined) => {
    const request = { input, ...(previous ? { previous_response_id: previous } : {}), stream: true as const };
    const response = await options.print(
      await openai.responses.create(request, { body: agentReference(agent), signal }),
    );
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
    for (const request of pending) {
      const { approve, reason } = await options.decide(request);
      answers.push({
        type: "mcp_approval_response",
        approval_request_id: request.id,
        approve,
        ...(reason ? { reason } : {}),
      });
    }
    response = await send(answers, response.id);
  }
  return response;
}
