/**
 * The agents demo 9 evaluates, and how one dataset item is put to each. The weather agent is demo 1's
 * own definition, tools and tool loop, imported unchanged (as demo 2 does): what is evaluated is what
 * demo 1 runs. The handbook agent is demo 5's definition (file search over the same handbook).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PromptAgentDefinition } from "@azure/ai-projects";
import { weatherAgentDefinition } from "@lab/1-tools/agent";
import { runToolLoop } from "@lab/1-tools/tool-loop";
import { type ToolRegistry, weatherTools } from "@lab/1-tools/tools";
import { type AgentRef, agentReference } from "@lab/shared/agents";
import type { Lab } from "@lab/shared/lab";
import { inSpan } from "@lab/shared/spans";
import type { Response } from "openai/resources/responses/responses";
import type { Item } from "./dataset.ts";
import type { Observation } from "./graders.ts";

export type TargetName = "weather" | "handbook";
export const TARGETS: TargetName[] = ["weather", "handbook"];

/**
 * The handbook demo 5 indexes; demo 9 indexes the same file into a store of its own. EVAL_HANDBOOK points
 * elsewhere. Named as a URL next to this module so that `pnpm eject` copies the file with the demo.
 */
export function handbookFile(env: Record<string, string | undefined>): string {
  return path.resolve(
    env.EVAL_HANDBOOK ?? fileURLToPath(new URL("../../5-rag/data/employee-handbook.md", import.meta.url)),
  );
}

export function agentName(lab: Lab, target: TargetName): string {
  return `${lab.config.agentName}-${target}`;
}

export function weatherDefinition(lab: Lab, tools: ToolRegistry = weatherTools(lab.config.env)) {
  return weatherAgentDefinition(lab.config.model, tools);
}

/** Demo 5's agent: answer from the handbook through file search, with citations. */
export function handbookDefinition(lab: Lab, vectorStoreId: string): PromptAgentDefinition {
  return {
    kind: "prompt",
    model: lab.config.model,
    instructions:
      "You answer questions about the Contoso employee handbook. Use file search for every question, answer only from what it finds, cite the passages, and say so when the handbook does not cover something.",
    tools: [{ type: "file_search", vector_store_ids: [vectorStoreId] }],
  };
}

/**
 * Puts one item to one agent version and records what happened, inside a span of its own so the
 * report can link the item to its trace. A failed call is recorded, not thrown: it fails the item.
 */
export function ask(
  lab: Lab,
  target: TargetName,
  agent: AgentRef,
  item: Item,
  tools: ToolRegistry,
): Promise<Observation> {
  return inSpan(
    `evaluate ${target}/${item.id}`,
    {
      "gen_ai.agent.name": agent.name,
      "gen_ai.agent.version": String(agent.version),
      "lab.eval.item": item.id,
    },
    async (span) => {
      const traceId = span.isRecording() ? span.spanContext().traceId : undefined;
      const started = performance.now();
      const seen: Observation = {
        answer: "",
        toolCalls: [],
        citations: [],
        passages: [],
        latencyMs: 0,
        traceId,
      };
      try {
        const response =
          target === "weather"
            ? await runToolLoop({
                openai: lab.openai,
                agent,
                tools,
                input: item.question,
                // No terminal: read each round's stream to its end and keep the final response.
                print: finalResponse,
                onToolCall: (call) => seen.toolCalls.push({ name: call.name, arguments: call.arguments }),
              })
            : await lab.openai.responses.create(
                { input: item.question, include: ["file_search_call.results"] },
                { body: agentReference(agent) },
              );
        observe(response, seen);
      } catch (err) {
        seen.error = (err as Error).message?.split("\n")[0] ?? String(err);
      }
      seen.latencyMs = performance.now() - started;
      return seen;
    },
  );
}

async function finalResponse(
  stream: AsyncIterable<{ type: string; response?: Response }>,
): Promise<Response> {
  let final: Response | undefined;
  for await (const event of stream) if (event.type === "response.completed") final = event.response;
  if (!final) throw new Error("The stream ended without a completed response.");
  return final;
}

/** The answer, the citations and the passages file search found, and the served model. */
function observe(response: Response, seen: Observation): void {
  // A streamed response has no `output_text` convenience field: join the message text parts.
  seen.answer = response.output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .map((part) => (part.type === "output_text" ? part.text : ""))
    .join("");
  seen.model = response.model;
  seen.responseId = response.id;
  for (const item of response.output) {
    if (item.type === "file_search_call") {
      for (const r of item.results ?? [])
        seen.passages.push({ file: r.filename ?? "", fileId: r.file_id ?? "", text: r.text ?? "" });
    }
    if (item.type !== "message") continue;
    for (const part of item.content) {
      if (part.type !== "output_text") continue;
      for (const a of part.annotations)
        if (a.type === "file_citation") seen.citations.push({ file: a.filename, fileId: a.file_id });
    }
  }
}
