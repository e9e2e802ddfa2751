/**
 * MCP tools, as the service runs them for the model. For a new question the emulator lists each server's
 * tools (once per thread: an `mcp_list_tools` item), the lab model picks the tool whose name and
 * description fit the question and fills the arguments it can find, and then, as `require_approval`
 * says, either asks for approval (`mcp_approval_request`, the response ends there) or calls the tool at
 * once (`mcp_call`). When `mcp_approval_response` items come back, approved calls run and denied ones do
 * not, and the model says which. Which answers count is the service's ledger's word, not the items': the
 * request pipeline accepted and took them (response-approvals.ts), and each is acted on once, with the
 * server, tool and arguments the emulator itself put in the request.
 */

import type { App } from "../../context.ts";
import { newId } from "../../ids.ts";
import type { McpToolInfo } from "../../mcp/client.ts";
import type { IssuedApproval } from "../../stores/approvals.ts";
import { isObject, type Json } from "../../validate.ts";
import { assistantMessage } from "../output.ts";
import { asksAboutState } from "../parse/questions.ts";
import type { Skill } from "../types.ts";
import { changesState, offerToAct } from "./effects.ts";

export const mcp: Skill = async (request, turn) => {
  const servers = request.tools.filter(
    (tool) => tool.type === "mcp" && typeof tool.server_label === "string",
  );
  if (servers.length === 0) return undefined;
  // The MCP SDK is loaded only when an agent has MCP tools: every other turn starts faster without it.
  const { describe, listTools } = await import("../../mcp/client.ts");

  // Answers this turn took and nobody acted on yet; earlier turns' answers stay in the history, settled.
  const answers = turn.sinceUser.flatMap((item) => {
    if (item.type !== "mcp_approval_response") return [];
    const issued = request.app.approvals.get(String(item.approval_request_id));
    return issued !== undefined && issued.answeredBy === item.id && !issued.settled ? [{ item, issued }] : [];
  });
  if (answers.length > 0) return resolveApprovals(request.app, servers, answers);
  if (turn.sinceUser.length > 0) return undefined;

  // 1. What can each server do? Listed once per thread, like the service.
  const output: Json[] = [];
  const offered: Array<{ server: Json; tool: McpToolInfo }> = [];
  const hidden: Array<{ server: Json; tool: McpToolInfo }> = [];
  for (const server of servers) {
    const label = String(server.server_label);
    const earlier = request.items.findLast(
      (item) => item.type === "mcp_list_tools" && item.server_label === label && !item.error,
    );
    let tools: McpToolInfo[];
    if (earlier && Array.isArray(earlier.tools)) {
      // The thread's listing, narrowed to what this request's allowed_tools still lets the agent use:
      // a tool a newer agent or toolbox version dropped is not called because an earlier turn saw it.
      const listedBefore = earlier.tools as unknown as McpToolInfo[];
      for (const tool of listedBefore) if (!allowed(server, tool)) hidden.push({ server, tool });
      tools = listedBefore.filter((tool) => allowed(server, tool));
    } else {
      try {
        const all = await listTools(server);
        for (const tool of all) if (!allowed(server, tool)) hidden.push({ server, tool });
        // Like the service, the listing shows only what allowed_tools lets the agent use.
        tools = all.filter((tool) => allowed(server, tool));
        output.push({ id: newId("mcpl"), type: "mcp_list_tools", server_label: label, tools, error: null });
      } catch (err) {
        const error = `Could not list the tools of MCP server '${label}': ${describe(err)}`;
        output.push({ id: newId("mcpl"), type: "mcp_list_tools", server_label: label, tools: [], error });
        output.push(assistantMessage(`${error}. I cannot use its tools in this turn.`));
        return output;
      }
    }
    for (const tool of tools) offered.push({ server, tool });
  }

  // 2. Which tool, with which arguments?
  const literal = /\bcall\s+([A-Za-z_][\w-]*)\s+with(?:\s+arguments)?\s*[:=]?\s*(\{.*\})\s*$/is.exec(
    turn.current.trim(),
  );
  let choice: { server: Json; tool: McpToolInfo; args: Json } | undefined;
  if (literal) {
    const wanted = literal[1] ?? "";
    const found = offered.find((o) => o.tool.name === wanted);
    if (!found) {
      const known =
        hidden.some((o) => o.tool.name === wanted) || servers.some((s) => s.allowed_tools != null);
      output.push(
        assistantMessage(
          known
            ? notAllowed(wanted, offered)
            : `There is no MCP tool named ${wanted}; I can use: ${offered.map((o) => o.tool.name).join(", ")}.`,
        ),
      );
      return output;
    }
    let args: Json = {};
    try {
      args = JSON.parse(literal[2] ?? "{}") as Json;
    } catch {
      output.push(assistantMessage(`The arguments for ${wanted} are not valid JSON, so I did not call it.`));
      return output;
    }
    choice = { ...found, args };
  } else {
    // A question never acts ("is issue 3 closed?"): only a tool that reads answers it, by its
    // readOnlyHint or its verb; with none, the tool that would act is offered, not asked for approval.
    const asking = asksAboutState(turn.current);
    const picked = pick(asking ? offered.filter((o) => !changesState(o.tool)) : offered, turn.current);
    if (asking && picked === undefined) {
      const acting = pick(offered, turn.current);
      if (acting !== undefined) {
        const { name, description } = acting.tool;
        const label = description ? `${name} (${description.trim().replace(/\.$/, "")})` : name;
        output.push(assistantMessage(offerToAct(label, name)));
        return output;
      }
    }
    choice = picked;
    // The words fit a tool this agent may not use better ("Close issue #1" once close_issue is no longer
    // allowed): say so, rather than call the nearest tool that is allowed.
    const barred = pick([...offered, ...hidden], turn.current);
    if (barred && hidden.some((h) => h.tool === barred.tool) && (!picked || barred.score > picked.score)) {
      output.push(assistantMessage(notAllowed(barred.tool.name, offered)));
      return output;
    }
  }
  if (!choice) {
    const names = offered.map((o) => `${o.tool.name} (${o.tool.description ?? "no description"})`);
    output.push(
      assistantMessage(
        `I'm the offline lab model. With this agent's MCP tools I can: ${names.join("; ")}. ` +
          'Ask for one of those, e.g. "list the open issues" or "create an issue titled \'Projector is broken\'".',
      ),
    );
    return output;
  }
  const missing = requiredMissing(choice.tool, choice.args);
  if (missing.length > 0) {
    output.push(
      assistantMessage(
        `To call ${choice.tool.name} I need: ${missing.join(", ")}. Tell me and I'll ask again.`,
      ),
    );
    return output;
  }

  // 3. Ask first, or call now.
  const label = String(choice.server.server_label);
  const args = JSON.stringify(choice.args);
  if (needsApproval(choice.server, choice.tool)) {
    output.push({
      id: newId("mcpr"),
      type: "mcp_approval_request",
      server_label: label,
      name: choice.tool.name,
      arguments: args,
    });
    return output;
  }
  const call = await run(choice.server, choice.tool.name, choice.args, null);
  output.push(call, assistantMessage(summary(call)));
  return output;
};

async function resolveApprovals(
  app: App,
  servers: Json[],
  answers: Array<{ item: Json; issued: IssuedApproval }>,
): Promise<Json[]> {
  const output: Json[] = [];
  const lines: string[] = [];
  for (const { item: answer, issued } of answers) {
    const asked = issued.request;
    // Settled before the call: a call that fails halfway is reported, never run again.
    app.approvals.settle(asked.id);
    const server = servers.find((s) => s.server_label === asked.server_label);
    if (answer.approve !== true) {
      // A plain denial is the user's "no"; a reason says why else the call did not run, in the client's words.
      const reason = typeof answer.reason === "string" ? answer.reason.trim().replace(/\.+$/, "") : "";
      lines.push(
        reason
          ? `I did not run ${String(asked.name)} on ${String(asked.server_label)}: ${reason}. Nothing was changed.`
          : `You declined ${String(asked.name)} on ${String(asked.server_label)}, so I did not run it: nothing was changed.`,
      );
      continue;
    }
    if (!server) {
      lines.push(
        `The MCP server '${String(asked.server_label)}' is no longer among this agent's tools; nothing was run.`,
      );
      continue;
    }
    let args: Json = {};
    try {
      args = JSON.parse(String(asked.arguments)) as Json;
    } catch {
      // arguments were produced here as JSON; an unreadable one is called with none
    }
    const call = await run(server, String(asked.name), args, String(asked.id));
    output.push(call);
    lines.push(summary(call));
  }
  output.push(assistantMessage(lines.join("\n")));
  return output;
}

async function run(server: Json, name: string, args: Json, approvalRequestId: string | null): Promise<Json> {
  const { callTool } = await import("../../mcp/client.ts");
  const result = await callTool(server, name, args);
  return {
    id: newId("mcp"),
    type: "mcp_call",
    server_label: server.server_label,
    name,
    arguments: JSON.stringify(args),
    output: result.output,
    error: result.error,
    approval_request_id: approvalRequestId,
    status: result.error === null ? "completed" : "failed",
  };
}

function summary(call: Json): string {
  const where = `${String(call.name)} on ${String(call.server_label)}`;
  if (call.error !== null) return `I called ${where}, and it failed: ${String(call.error)}`;
  return `I called ${where}. It returned:\n${readable(String(call.output ?? ""))}`;
}

/** Tool output restated for a person: JSON lists become bullet lines, objects one line of fields. */
function readable(output: string): string {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return clip(output, 1200);
  }
  const line = (item: unknown) =>
    isObject(item)
      ? Object.entries(item)
          .filter(([, v]) => v !== null && typeof v !== "object")
          .map(([k, v]) => `${k.replace(/_/g, " ")}: ${clip(String(v), 120)}`)
          .join(", ")
      : clip(JSON.stringify(item), 200);
  if (Array.isArray(value)) {
    if (value.length === 0) return "nothing (an empty list).";
    const shown = value.slice(0, 20).map((item) => `- ${line(item)}`);
    return [...shown, ...(value.length > 20 ? [`- … and ${value.length - 20} more`] : [])].join("\n");
  }
  return line(value) || clip(output, 1200);
}

/** `require_approval`: "always", "never", or `{always, never}` filters by tool name or read-only hint. */
export function needsApproval(server: Json, tool: McpToolInfo): boolean {
  const policy = server.require_approval ?? "always";
  if (policy === "never") return false;
  if (!isObject(policy)) return true;
  if (matches(policy.never, tool)) return false;
  return true;
}

/** `allowed_tools`: a list of names, or `{tool_names, read_only}`. */
export function allowed(server: Json, tool: McpToolInfo): boolean {
  const filter = server.allowed_tools;
  if (filter === undefined || filter === null) return true;
  if (Array.isArray(filter)) return filter.includes(tool.name);
  return matches(filter, tool);
}

function matches(filter: unknown, tool: McpToolInfo): boolean {
  if (!isObject(filter)) return false;
  if (Array.isArray(filter.tool_names) && filter.tool_names.includes(tool.name)) return true;
  return filter.read_only === true && isObject(tool.annotations) && tool.annotations.readOnlyHint === true;
}

const STEM = (word: string) => word.toLowerCase().slice(0, 5);
const STOP = new Set([
  "the",
  "and",
  "with",
  "this",
  "that",
  "from",
  "what",
  "which",
  "optionally",
  "ones",
  "lab's",
  "only",
]);

/** The tool whose name (weighted) and description best match the question, with its arguments filled. */
function notAllowed(name: string, offered: Array<{ tool: McpToolInfo }>): string {
  return `I can't call ${name}: it is not among the tools this agent is allowed to use (allowed_tools: ${offered.map((o) => o.tool.name).join(", ")}).`;
}

function pick(offered: Array<{ server: Json; tool: McpToolInfo }>, text: string) {
  const said = new Set((text.match(/[A-Za-z]{3,}/g) ?? []).map(STEM));
  let best: { server: Json; tool: McpToolInfo; args: Json; score: number } | undefined;
  for (const { server, tool } of offered) {
    const nameWords = tool.name.split(/[_\W]+/).filter((w) => w.length >= 3);
    const descWords = (tool.description?.match(/[A-Za-z]{3,}/g) ?? []).filter(
      (w) => !STOP.has(w.toLowerCase()),
    );
    const nameScore = nameWords.filter((w) => said.has(STEM(w))).length * 3;
    if (nameScore === 0) continue;
    const descScore = new Set(descWords.map(STEM).filter((w) => said.has(w))).size;
    const args = fill(tool, text);
    // A value the tool requires counts more than an optional filter: "is issue 3 closed?" names one
    // issue (get_issue's number), not list_issues' state.
    const required = Array.isArray(tool.input_schema.required) ? tool.input_schema.required.map(String) : [];
    const filled = Object.keys(args).reduce((sum, key) => sum + (required.includes(key) ? 3 : 1), 0);
    const score = nameScore + descScore + filled - requiredMissing(tool, args).length * 3;
    if (!best || score > best.score) best = { server, tool, args, score };
  }
  return best;
}

function requiredMissing(tool: McpToolInfo, args: Json): string[] {
  const required = Array.isArray(tool.input_schema.required) ? tool.input_schema.required.map(String) : [];
  return required.filter((name) => args[name] === undefined);
}

/** Arguments the question itself provides, by the schema's property names and types. */
function fill(tool: McpToolInfo, text: string): Json {
  const properties = isObject(tool.input_schema.properties) ? tool.input_schema.properties : {};
  const args: Json = {};
  for (const [name, raw] of Object.entries(properties)) {
    const spec = isObject(raw) ? raw : {};
    const value = valueFor(name, spec, text);
    if (value !== undefined) args[name] = value;
  }
  return args;
}

function valueFor(name: string, spec: Json, text: string): unknown {
  if (Array.isArray(spec.enum)) {
    return spec.enum.find((option) => new RegExp(`\\b${String(option)}\\b`, "i").test(text));
  }
  if (spec.type === "integer" || spec.type === "number") {
    const found = /#(\d+)\b/.exec(text)?.[1] ?? /\b(?:issue|number|no\.?)\s*(\d+)\b/i.exec(text)?.[1];
    return found === undefined ? undefined : Number(found);
  }
  if (spec.type !== "string") return undefined;
  if (/title|name|subject/i.test(name)) {
    return (
      /["“']([^"”']{2,200})["”']/.exec(text)?.[1] ??
      /\b(?:titled|called|named)\s+(.+?)(?:\s+(?:saying|that says|with (?:the )?body|because)\b|[.!?]*$)/i.exec(
        text,
      )?.[1]
    );
  }
  if (/body|comment|text|message|description/i.test(name)) {
    // "comment on issue 1: fixed by replacing the cable": what follows the colon is the text.
    return (
      /\b(?:saying|that says|with (?:the )?body|body:|comment:|because)\s+(.+?)[.!?]*$/i.exec(text)?.[1] ??
      /^[^:"“]{3,80}:\s+(.+?)[.!?]*$/s.exec(text.trim())?.[1]
    );
  }
  if (/path|file|folder|dir/i.test(name)) {
    return /([\w.-]+\/[\w./-]*|[\w-]+\.[A-Za-z]{1,5})\b/.exec(text)?.[1];
  }
  return undefined;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
