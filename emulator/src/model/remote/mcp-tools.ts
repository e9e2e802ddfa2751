/**
 * MCP tools for the local model: each server of the agent is listed once per thread (an `mcp_list_tools`
 * item, only what `allowed_tools` lets the agent use), each of its tools becomes a function
 * `<server_label>__<tool>`, and a call either runs at once (`mcp_call`) or, as `require_approval` says,
 * ends the response with an `mcp_approval_request`. Approved requests run in the turn that brings the
 * approval, before the model answers from their results.
 */
import { newId } from "../../ids.ts";
import type { McpToolInfo } from "../../mcp/client.ts";
import { isObject, type Json } from "../../validate.ts";
import { allowed, needsApproval } from "../skills/mcp.ts";
import type { ModelRequest } from "../types.ts";
import type { TurnTools } from "./server-tools.ts";
import { mcpFunctionName } from "./tool-names.ts";

/** Each server is listed once per thread, like the service; a server that cannot be listed offers nothing. */
export async function mcpTools(request: ModelRequest, tools: TurnTools): Promise<void> {
  // The MCP SDK is loaded only when an agent has MCP tools, as in the lab model.
  const { callTool, describe, listTools } = await import("../../mcp/client.ts");
  for (const server of tools.mcpServers) {
    const label = String(server.server_label);
    const earlier = request.items.findLast(
      (item) => item.type === "mcp_list_tools" && item.server_label === label && !item.error,
    );
    let offered: McpToolInfo[];
    if (earlier && Array.isArray(earlier.tools)) offered = earlier.tools as unknown as McpToolInfo[];
    else {
      try {
        offered = (await listTools(server)).filter((tool) => allowed(server, tool));
        tools.listings.push({
          id: newId("mcpl"),
          type: "mcp_list_tools",
          server_label: label,
          tools: offered,
          error: null,
        });
      } catch (err) {
        const error = `Could not list the tools of MCP server '${label}': ${describe(err)}`;
        tools.listings.push({
          id: newId("mcpl"),
          type: "mcp_list_tools",
          server_label: label,
          tools: [],
          error,
        });
        continue;
      }
    }
    for (const tool of offered) {
      const name = mcpFunctionName(label, tool.name);
      tools.chat.push({
        type: "function",
        function: {
          name,
          description: `${tool.description ?? tool.name} (tool of the MCP server '${label}')`,
          parameters:
            isObject(tool.input_schema) && tool.input_schema.type === "object"
              ? tool.input_schema
              : { type: "object", properties: {} },
        },
      });
      tools.run.set(name, async (args) => {
        const base = { server_label: label, name: tool.name, arguments: JSON.stringify(args) };
        if (needsApproval(server, tool)) {
          return {
            item: { id: newId("mcpr"), type: "mcp_approval_request", ...base },
            result: "",
            awaitsApproval: true,
          };
        }
        const call = await callTool(server, tool.name, args);
        return { item: mcpCall(base, call, null), result: mcpResult(call) };
      });
    }
  }
}

/**
 * Approval answers in this turn: each approved request the emulator itself issued in this thread, for a
 * tool the agent still allows and not run before, runs now; declined ones do not (the model is told).
 */
export async function runApproved(request: ModelRequest, tools: TurnTools, answers: Json[]): Promise<Json[]> {
  const { callTool } = await import("../../mcp/client.ts");
  const output: Json[] = [];
  for (const answer of answers) {
    // Only answers the request pipeline took for this turn (response-approvals.ts), each acted on once.
    const issued = request.app.approvals.get(String(answer.approval_request_id));
    if (issued === undefined || issued.answeredBy !== answer.id || issued.settled) continue;
    request.app.approvals.settle(issued.request.id);
    if (answer.approve !== true) continue;
    const asked = issued.request;
    const done = request.items.some(
      (item) => item.type === "mcp_call" && item.approval_request_id === asked.id,
    );
    const server = tools.mcpServers.find((s) => s.server_label === asked.server_label);
    const listing = request.items.findLast(
      (item) => item.type === "mcp_list_tools" && item.server_label === asked.server_label,
    );
    const tool = (Array.isArray(listing?.tools) ? (listing.tools as unknown as McpToolInfo[]) : []).find(
      (t) => t.name === asked.name,
    );
    if (done || server === undefined || tool === undefined || !allowed(server, tool)) continue;
    let args: Json = {};
    try {
      args = JSON.parse(String(asked.arguments)) as Json;
    } catch {
      // the emulator wrote these arguments as JSON itself; unreadable ones are sent as none
    }
    const call = await callTool(server, tool.name, args);
    const base = { server_label: asked.server_label, name: tool.name, arguments: JSON.stringify(args) };
    output.push(mcpCall(base, call, String(asked.id)));
  }
  return output;
}

function mcpCall(
  base: Json,
  call: { output: string | null; error: string | null },
  approval: string | null,
): Json {
  return {
    id: newId("mcp"),
    type: "mcp_call",
    ...base,
    output: call.output,
    error: call.error,
    approval_request_id: approval,
    status: call.error === null ? "completed" : "failed",
  };
}

function mcpResult(call: { output: string | null; error: string | null }): string {
  const output = call.output ?? "";
  return call.error !== null
    ? `error: ${call.error}`
    : output.length <= 4000
      ? output
      : `${output.slice(0, 3999)}…`;
}
