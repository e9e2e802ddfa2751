/**
 * A real language model behind the emulator: each model step of a turn goes to an OpenAI-compatible
 * server (Foundry Local, Ollama, LM Studio, llama.cpp) as one Chat Completions call with tools, while the
 * emulator keeps every piece of Foundry state and runs the server-side tools itself. A turn is a loop:
 * the model answers, or calls tools; the agent's function calls end the response (the client runs them,
 * as on the service), an MCP call that needs approval ends it with an approval request, and every other
 * tool runs here and its result goes back to the model, at most MAX_STEPS times.
 */

import { newId } from "../../ids.ts";
import type { ContainerFileObject } from "../../stores/containers.ts";
import type { Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import type { LabModel, ModelReply, ModelRequest } from "../types.ts";
import { type ChatMessage, type ChatToolChoice, chatCompletion } from "./chat-client.ts";
import { settledText } from "./live-text.ts";
import { runApproved } from "./mcp-tools.ts";
import { toMessages } from "./messages.ts";
import { type Source, turnTools } from "./server-tools.ts";
import type { LocalModelSettings } from "./settings.ts";
import { BUILT_IN, mcpFunctionName } from "./tool-names.ts";
import { Usage } from "./usage.ts";

/** Model steps per response (so one fewer rounds of tools): the last offers no tools, so the model has to answer. */
const MAX_STEPS = 6;

export function createLocalModel(settings: LocalModelSettings): LabModel {
  return { respond: (request) => respond(settings, request) };
}

async function respond(settings: LocalModelSettings, request: ModelRequest): Promise<ModelReply> {
  const tools = await turnTools(request);
  const lastUser = request.items.findLastIndex((i) => i.type === "message" && i.role === "user");
  const answers = request.items.slice(lastUser + 1).filter((i) => i.type === "mcp_approval_response");
  const output: Json[] = [];
  const usage = new Usage();
  // Every item goes out as soon as it is made, on a streamed turn: the client sees the work as it happens.
  const emit = async (item: Json) => {
    output.push(item);
    await request.live?.item(settings.name, item);
  };
  const reply = () => ({ model: settings.name, output, usage: usage.total() });
  for (const item of [...tools.listings, ...(await runApproved(request, tools, answers))]) await emit(item);
  const messages = toMessages(request.instructions, [...request.items, ...output], request.app.files);
  const sources: Source[] = [];
  const files: ContainerFileObject[] = [];
  const offered = request.toolChoice === "none" ? [] : tools.chat;

  for (let step = 0; step < MAX_STEPS; step++) {
    const last = step === MAX_STEPS - 1;
    const stepTools = last ? [] : offered;
    const messageId = newId("msg");
    const live = request.live;
    const stepReply = await chatCompletion(
      settings,
      messages,
      stepTools,
      step === 0 ? toolChoice(request.toolChoice) : "auto",
      {
        signal: request.signal,
        onText: (raw) => {
          if (live === undefined) return;
          const shown = cited(settledText(raw, stepTools.length > 0), sources);
          if (shown.text !== "") live.text(settings.name, messageId, shown.text, shown.annotations);
        },
      },
    );
    usage.add(stepReply, messages);
    // The last step offered no tools; a call the model makes anyway is not followed.
    if (stepReply.toolCalls.length === 0 || last) {
      const text = stepReply.content || `(The local model ${settings.name} returned an empty answer.)`;
      await emit(answer(messageId, text, sources, files));
      return reply();
    }
    // Words before the tool calls ("Let me look that up.") are a message of their own, as on the service.
    if (stepReply.content !== "") {
      const said = cited(stepReply.content, sources);
      await emit({ ...assistantMessage(said.text, said.annotations), id: messageId });
    }
    messages.push({ role: "assistant", content: stepReply.content || null, tool_calls: [] });
    const assistant = messages[messages.length - 1] as ChatMessage & { tool_calls: unknown[] };
    let ends = false;
    for (const call of stepReply.toolCalls) {
      const name = call.function.name;
      if (tools.functions.has(name)) {
        // The client runs its own functions: the response ends with the call, under an id of ours.
        const callId = newId("call");
        await emit({
          id: newId("fc"),
          type: "function_call",
          call_id: callId,
          name,
          arguments: call.function.arguments,
          status: "completed",
        });
        assistant.tool_calls.push({ ...call, id: callId });
        ends = true;
        continue;
      }
      assistant.tool_calls.push(call);
      const run = tools.run.get(name);
      const result = (content: string) => messages.push({ role: "tool", tool_call_id: call.id, content });
      if (run === undefined) {
        result(
          `There is no tool named ${name}. The tools are: ${[...tools.functions, ...tools.run.keys()].join(", ")}.`,
        );
        continue;
      }
      let args: Json;
      try {
        const parsed: unknown = JSON.parse(call.function.arguments || "{}");
        args =
          typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : {};
      } catch {
        result(
          `The arguments were not valid JSON (${call.function.arguments.slice(0, 80)}); call ${name} again with a JSON object.`,
        );
        continue;
      }
      const ran = await run(args, sources);
      await emit(ran.item);
      files.push(...(ran.files ?? []));
      if (ran.awaitsApproval) ends = true;
      else result(ran.result);
    }
    if (ends) return reply();
  }
  // Not reached: the last step always ends with an answer.
  return reply();
}

/** The request's `tool_choice` in Chat Completions terms (a built-in tool is the function standing for it). */
function toolChoice(choice: Json | string): ChatToolChoice {
  if (choice === "required") return "required";
  if (typeof choice !== "object" || choice === null) return "auto";
  const named = (name: string): ChatToolChoice => ({ type: "function", function: { name } });
  if (choice.type === "function" && typeof choice.name === "string") return named(choice.name);
  if (choice.type === "file_search") return named(BUILT_IN.file_search);
  if (choice.type === "web_search" || choice.type === "web_search_preview") return named(BUILT_IN.web_search);
  if (choice.type === "code_interpreter") return named(BUILT_IN.code_interpreter);
  if (choice.type === "mcp" && typeof choice.server_label === "string") {
    return typeof choice.name === "string"
      ? named(mcpFunctionName(choice.server_label, choice.name))
      : "required";
  }
  return "auto";
}

/**
 * The answer with its citations, as the service gives them: a `[n]` the model wrote for a numbered
 * source becomes a `file_citation` (at that place) or a `url_citation` (over the sentence it ends) and is
 * taken out of the text; sources the model used without citing are cited at the end. Files the code
 * wrote are linked under the answer with a `container_file_citation`, as the lab model does.
 */
function answer(id: string, raw: string, sources: Source[], files: ContainerFileObject[]): Json {
  let { text, annotations } = cited(raw, sources);
  const done = new Set(annotations.map(keyOfCitation));
  for (const source of sources) {
    if (done.has(keyOf(source))) continue;
    done.add(keyOf(source));
    annotations.push(citation(source, text, 0));
  }
  if (files.length > 0) text += "\n";
  for (const file of files) {
    const name = file.path.replace(/^\/mnt\/data\//, "");
    text += "\n";
    const start = text.length;
    text += `[${name}](sandbox:${file.path})`;
    annotations.push({
      type: "container_file_citation",
      container_id: file.container_id,
      file_id: file.id,
      filename: name,
      start_index: start,
      end_index: text.length,
    });
  }
  return { ...assistantMessage(text, annotations), id };
}

/** The text with each `[n]` that names a source taken out, and a citation in its place. */
function cited(raw: string, sources: Source[]): { text: string; annotations: Json[] } {
  const annotations: Json[] = [];
  let text = "";
  let from = 0;
  for (const match of raw.matchAll(/\s?[[【](\d{1,3})(?:[†:][^\]】]*)?[\]】]/g)) {
    const source = sources[Number(match[1]) - 1];
    if (source === undefined) continue;
    text += raw.slice(from, match.index);
    from = match.index + match[0].length;
    annotations.push(citation(source, text));
  }
  return { text: text + raw.slice(from), annotations };
}

function citation(source: Source, textSoFar: string, spanStart?: number): Json {
  if (source.kind === "file") {
    return {
      type: "file_citation",
      file_id: source.fileId,
      filename: source.filename,
      index: textSoFar.length,
    };
  }
  // A url_citation spans text: the sentence the marker ends.
  const ends = [...textSoFar.matchAll(/[.!?]\s+|\n/g)].map((m) => m.index + m[0].length);
  return {
    type: "url_citation",
    url: source.url,
    title: source.title,
    start_index: spanStart ?? ends[ends.length - 1] ?? 0,
    end_index: textSoFar.length,
  };
}

function keyOf(source: Source): string {
  return source.kind === "file" ? `file:${source.fileId}` : `url:${source.url}`;
}

function keyOfCitation(annotation: Json): string {
  return annotation.type === "file_citation" ? `file:${annotation.file_id}` : `url:${annotation.url}`;
}
