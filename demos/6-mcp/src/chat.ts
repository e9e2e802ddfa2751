/**
 * Demo 6 · chat: every MCP call waits for your yes / no / always. The turns chain with
 * previous_response_id (the approval responses must point at the response that asked).
 */

import { recordedAgent } from "@lab/shared/agents";
import { ApprovalPrompt } from "@lab/shared/approval";
import { chat } from "@lab/shared/chat";
import { connect } from "@lab/shared/lab";
import { McpItemPrinter } from "@lab/shared/mcp-items";
import { runApprovalLoop } from "./approval-loop.ts";
import { readArgs } from "./args.ts";
import type { McpState } from "./state.ts";

const args = readArgs();
const lab = await connect(import.meta.dirname, "mcp-agent");
const { openai } = lab;
const state = lab.state<McpState>();
const { server } = state.get();
const agent = recordedAgent(lab, state.get().agent);

const approvals = new ApprovalPrompt({
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  approveAll: args.flags["approve-all"] === true,
});
const banner = approvals.banner();
if (banner) console.log(banner);
let previous = args.fresh ? undefined : state.get().lastResponseId;
const items = new McpItemPrinter();

await chat(lab, {
  args,
  intro: `Chatting with ${agent.name} v${agent.version}; its MCP server is ${server?.label} (${server?.url}). Try: list the open issues.`,
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
    state.update((s) => ({ ...s, lastResponseId: response.id }));
    return response;
  },
});
