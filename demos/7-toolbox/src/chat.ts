/**
 * Demo 7 · chat: like demo 6, but the MCP server is the toolbox's endpoint, pinned to one version, and
 * `allowed_tools` narrows what this agent may call. Reading tools run at once; changes need your approval.
 */

import { recordedAgent } from "@lab/shared/agents";
import { ApprovalPrompt } from "@lab/shared/approval";
import { chat } from "@lab/shared/chat";
import { connect } from "@lab/shared/lab";
import { McpItemPrinter } from "@lab/shared/mcp-items";
import { dim } from "@lab/shared/terminal";
import { runApprovalLoop } from "./approval-loop.ts";
import { readArgs } from "./args.ts";
import type { ToolboxState } from "./state.ts";

const args = readArgs();
const lab = await connect(import.meta.dirname, "toolbox-agent");
const { openai } = lab;
const state = lab.state<ToolboxState>();
const { toolbox, pinned } = state.get();
const agent = recordedAgent(lab, state.get().agent);

const approvals = new ApprovalPrompt({
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  approveAll: args.flags["approve-all"] === true,
});
const banner = approvals.banner();
if (banner) console.log(banner);
// A thread lists each MCP server's tools once and keeps that list, so a re-pinned agent (a new toolbox
// version, other tools) starts a new thread instead of going on with the old version's tools.
const saved = state.get();
const repinned = Boolean(saved.lastResponseId) && saved.threadAgentVersion !== agent.version;
if (repinned && !args.fresh)
  console.log(dim(`New thread: the agent is pinned to toolbox version ${pinned} now.`));
let previous = args.fresh || repinned ? undefined : saved.lastResponseId;
const items = new McpItemPrinter();

await chat(lab, {
  args,
  intro: `Chatting with ${agent.name} v${agent.version}, pinned to toolbox ${toolbox} version ${pinned}. Try: list the open issues.`,
  onTurn: async (turn) => {
    const response = await runApprovalLoop({
      openai,
      agent,
      input: turn.input,
      previousResponseId: previous,
      signal: turn.signal,
      print: turn.print,
      decide: (request) => approvals.decide(request, turn.ask),
      onItem: (item) => items.print(item),
    });
    previous = response.id;
    state.update((s) => ({ ...s, lastResponseId: response.id, threadAgentVersion: agent.version }));
    return response;
  },
});
