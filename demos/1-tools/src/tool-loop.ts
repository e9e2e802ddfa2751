/**
 * The client-side tool-calling loop, the lesson of demo 1. A function tool runs on *your* side:
 *   1. send the user's message; the response may contain `function_call` items instead of text;
 *   2. run every call locally and send all the `function_call_output` items back in one request;
 *   3. repeat until the model answers in text (at most `maxRounds` rounds).
 * Anything that goes wrong in step 2 becomes an error output the model can read, never a crash.
 * The client, not the request, ends a loop that runs too long: Foundry refuses `tool_choice` (and
 * `tools`, `parallel_tool_calls`) in a request that names an agent, because the agent owns its tools.
 */

import { type AgentRef, agentReference } from "@lab/shared/agents";
import { recordToolResult, type Span, toolSpan } from "@lab/shared/spans";
import { Ajv, type ValidateFunction } from "ajv";
import type OpenAI from "openai";
import type {
  Response,
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import type { ToolRegistry } from "./tools.ts";

export interface ToolCallReport {
  name: string;
  arguments: string;
  ok: boolean;
  /** The JSON string sent back to the model. */
  output: string;
  durationMs: number;
}

export interface ToolLoopOptions {
  openai: OpenAI;
  agent: AgentRef;
  tools: ToolRegistry;
  input: string;
  /** Chain through a server-side conversation; without it, rounds chain with previous_response_id. */
  conversation?: string;
  signal?: AbortSignal;
  maxRounds?: number;
  /** Shows a streamed response as it arrives and returns the final response. */
  print(stream: AsyncIterable<ResponseStreamEvent>): Promise<Response>;
  /** Called for each local function call once it ran, in the model's order, for the learner to see. */
  onToolCall?(report: ToolCallReport): void;
}

export async function runToolLoop(options: ToolLoopOptions): Promise<Response> {
  const { openai, agent, tools, conversation, signal, maxRounds = 5 } = options;

  const send = async (input: string | ResponseInputItem[], previous: Response | undefined) => {
    const stream = await openai.responses.create(
      {
        input,
        stream: true,
        // Either the conversation holds the history, or each round points at the one before it.
        ...(conversation ? { conversation } : previous ? { previous_response_id: previous.id } : {}),
      },
      { body: agentReference(agent), signal },
    );
    return options.print(stream);
  };

  let response = await send(options.input, undefined);
  const stopped = `Stopped after ${maxRounds} rounds of tool calls; answer with what you have.`;
  for (let round = 1; ; round++) {
    const calls = response.output.filter(
      (item): item is ResponseFunctionToolCall => item.type === "function_call",
    );
    if (calls.length === 0) return response; // the model answered in text: done
    if (round > maxRounds + 1) {
      // Told to stop and still calling: the loop ends here. The calls get their "stopped" outputs
      // straight in the conversation, so the next question is not refused for a missing output.
      await closeCalls(calls.map((call) => refuse(call, stopped)));
      return response;
    }

    // Every call in this response runs (in parallel), and every output goes back in one request.
    // Past the bound no tool runs: each call's output tells the model to answer with what it has.
    let outputs: ResponseInputItem.FunctionCallOutput[];
    try {
      outputs = round > maxRounds ? calls.map((call) => refuse(call, stopped)) : await runAll(calls);
    } catch (err) {
      // Ctrl-C while tools ran: the conversation now holds calls without outputs, and the service would
      // refuse the next question ("No tool output found"). Answer them as cancelled before giving up.
      if (signal?.aborted) {
        await closeCalls(calls.map((call) => outputFor(call, { error: "The user cancelled this call." })));
      }
      throw err;
    }
    response = await send(outputs, response);
  }

  /** Adds outputs straight to the conversation: no model call, so no reply the user would not see. */
  async function closeCalls(outputs: ResponseInputItem.FunctionCallOutput[]): Promise<void> {
    if (!conversation) return;
    await openai.conversations.items.create(conversation, { items: outputs }).catch(() => undefined); // best effort: the turn is ending anyway
  }

  /**
   * Runs the calls at once and reports them in the model's order once all have run: in the order they
   * finish, which of two lookups is faster would decide what the learner reads first.
   */
  async function runAll(calls: ResponseFunctionToolCall[]): Promise<ResponseInputItem.FunctionCallOutput[]> {
    const ran = await Promise.all(calls.map((call) => callTool(call)));
    for (const { report } of ran) options.onToolCall?.(report);
    return ran.map(({ output }) => output);
  }

  // Tracing (--otel): each local call is an `execute_tool` span with its duration and outcome.
  function callTool(call: ResponseFunctionToolCall) {
    return toolSpan(call, (span) => runTool(call, span));
  }

  async function runTool(
    call: ResponseFunctionToolCall,
    span: Span,
  ): Promise<{ output: ResponseInputItem.FunctionCallOutput; report: ToolCallReport }> {
    const started = performance.now();
    const result = await execute(call);
    const output = JSON.stringify(result);
    const ok = !(result && typeof result === "object" && "error" in result);
    recordToolResult(span, ok, output);
    const report = {
      name: call.name,
      arguments: call.arguments,
      ok,
      output,
      durationMs: performance.now() - started,
    };
    return { output: { type: "function_call_output", call_id: call.call_id, output }, report };
  }

  function outputFor(call: ResponseFunctionToolCall, result: unknown): ResponseInputItem.FunctionCallOutput {
    return { type: "function_call_output", call_id: call.call_id, output: JSON.stringify(result) };
  }

  async function execute(call: ResponseFunctionToolCall): Promise<unknown> {
    const tool = tools[call.name];
    if (!tool)
      return { error: `There is no tool named "${call.name}"; available: ${Object.keys(tools).join(", ")}.` };
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return { error: `The arguments for ${call.name} were not valid JSON: ${call.arguments.slice(0, 200)}` };
    }
    const valid = validator(tool.definition.parameters);
    if (!valid(args)) {
      const why = (valid.errors ?? []).map((e) => `${e.instancePath || "arguments"} ${e.message}`).join("; ");
      return { error: `The arguments for ${call.name} do not match its schema: ${why}.` };
    }
    try {
      return await tool.run(args as Record<string, unknown>, signal ?? new AbortController().signal);
    } catch (err) {
      if (signal?.aborted) throw err; // the user pressed Ctrl-C: end the turn, not just this call
      return { error: `${call.name} failed: ${(err as Error).message ?? String(err)}` };
    }
  }

  function refuse(call: ResponseFunctionToolCall, why: string): ResponseInputItem.FunctionCallOutput {
    const refused = outputFor(call, { error: why });
    options.onToolCall?.({
      name: call.name,
      arguments: call.arguments,
      ok: false,
      output: refused.output as string,
      durationMs: 0,
    });
    return refused;
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<object, ValidateFunction>();

/** The tool's own JSON schema checks the model's arguments before any code runs. */
function validator(schema: Record<string, unknown>): ValidateFunction {
  let valid = validators.get(schema);
  if (!valid) {
    valid = ajv.compile(schema);
    validators.set(schema, valid);
  }
  return valid;
}
