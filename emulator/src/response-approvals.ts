/**
 * MCP approvals, enforced by the service. An `mcp_approval_response` is accepted only when it answers an
 * `mcp_approval_request` this emulator itself issued earlier in the same chain (the conversation, or the
 * `previous_response_id` chain), only once, only for a tool the agent's `allowed_tools` allows, and only
 * from the agent version it was issued for, whose server behind the label is still the one it asked about.
 * Anything else is a 400 naming the id before the model runs, so a client cannot forge a request, replay
 * an approval, approve a tool the agent's definition hides, or send the approved call to another server. Accepted answers are taken (marked
 * answered) here; the MCP skill acts on exactly those and settles them.
 */

import type { App } from "./context.ts";
import { invalidPayload, invalidValue } from "./errors.ts";
import type { McpToolInfo } from "./mcp/client.ts";
import { allowed } from "./model/skills/mcp.ts";
import type { Turn } from "./response-request.ts";
import { type IssuedApproval, serverUrl } from "./stores/approvals.ts";
import { isObject, type Json } from "./validate.ts";

/** Checks and takes this turn's approval answers; returns how to give them back if the turn fails. */
export function claimApprovals(app: App, turn: Turn): () => void {
  const answers = turn.input
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.type === "mcp_approval_response");
  if (answers.length === 0) return () => {};

  const chain =
    turn.previousResponseId === null
      ? { responseIds: [] as string[], conversationId: turn.conversationId }
      : (app.responses.ancestry(turn.previousResponseId) ?? { responseIds: [], conversationId: null });
  const askedHere = new Set(
    turn.history.filter((item) => item.type === "mcp_approval_request").map((item) => String(item.id)),
  );
  const claims: Array<{ requestId: string; answerId: string }> = [];
  for (const { item, index } of answers) {
    const param = `input[${index}].approval_request_id`;
    const id = item.approval_request_id;
    if (typeof id !== "string" || id === "") {
      throw invalidPayload(param, `'${param}' must be the id of the mcp_approval_request it answers.`);
    }
    if (typeof item.approve !== "boolean") {
      throw invalidPayload(`input[${index}].approve`, `'input[${index}].approve' must be true or false.`);
    }
    const issued = app.approvals.get(id);
    const inChain =
      issued !== undefined &&
      askedHere.has(id) &&
      (chain.responseIds.includes(issued.responseId) ||
        (issued.conversationId !== null && issued.conversationId === chain.conversationId));
    if (issued === undefined || !inChain) {
      throw invalidValue(
        param,
        `Approval request '${id}' was not issued in this conversation or response chain; answer an mcp_approval_request that a response here returned.`,
      );
    }
    if (issued.answeredBy !== null || claims.some((claim) => claim.requestId === id)) {
      throw invalidValue(param, `Approval request '${id}' has already been answered; each is answered once.`);
    }
    const { server_label: label, name } = issued.request;
    const server = turn.tools.find((tool) => tool.type === "mcp" && tool.server_label === label);
    if (server !== undefined && !allowed(server, listedTool(turn.history, label, name))) {
      throw invalidValue(
        param,
        `Approval request '${id}' is for ${name} on ${label}, which this agent's allowed_tools does not allow.`,
      );
    }
    refuseElsewhere(issued, turn, param);
    claims.push({ requestId: id, answerId: String(item.id) });
  }
  const raced = app.approvals.claim(claims);
  if (raced !== undefined) {
    throw invalidValue(
      `input[${answers[claims.findIndex((c) => c.requestId === raced)]?.index ?? 0}].approval_request_id`,
      `Approval request '${raced}' has already been answered; each is answered once.`,
    );
  }
  return () => app.approvals.release(claims.map((claim) => claim.requestId));
}

/**
 * An approval is for the agent version that asked and the server its label named then: answered with
 * another agent (or version) whose tool has the same label, the call would run against that agent's server.
 * An old row whose issuing response is gone too (server URL unknown) is checked as before.
 */
function refuseElsewhere(issued: IssuedApproval, turn: Turn, param: string): void {
  if (issued.serverUrl === null) return;
  const { id, server_label: label } = issued.request;
  const asker =
    issued.agent === null ? "no agent" : `agent '${issued.agent.name}' version ${issued.agent.version}`;
  const answerer =
    turn.agentReference === null
      ? "no agent"
      : `agent '${turn.agentReference.name}' version ${turn.agentReference.version}`;
  if (asker !== answerer) {
    throw invalidValue(
      param,
      `Approval request '${id}' was issued for ${asker}; this request runs ${answerer}. Answer it with the agent version that asked.`,
    );
  }
  const url = serverUrl(turn.tools, label);
  if (url !== null && url !== issued.serverUrl) {
    throw invalidValue(
      param,
      `Approval request '${id}' was issued for the MCP server '${label}' at ${issued.serverUrl}; in this request '${label}' is ${url}.`,
    );
  }
}

/** The tool as the thread's latest listing of that server described it (its annotations decide read_only). */
function listedTool(history: Json[], label: string, name: string): McpToolInfo {
  const listing = history.findLast((item) => item.type === "mcp_list_tools" && item.server_label === label);
  const tools = Array.isArray(listing?.tools) ? listing.tools.filter(isObject) : [];
  const found = tools.find((tool) => tool.name === name);
  return {
    name,
    description: null,
    input_schema: {},
    annotations: isObject(found?.annotations) ? found.annotations : null,
  };
}
