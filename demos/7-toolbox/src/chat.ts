/**
 * Demo 7 · chat: like demo 6, but the MCP server is the toolbox's endpoint, pinned to one version, and
 * `allowed_tools` narrows what this agent may call. Reading tools run at once; changes need your approval.
 */
import { ApprovalPrompt } from "@lab/shared/approval";
import { chat, chatArgs } from "@lab/shared/chat";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { McpItemPrinter } from "@lab/shared/mcp-items";
import { runApprovalLoop } from "./approval-loop.ts";
import type { ToolboxState } from "./state.ts";

const args = chatArgs(undefined, { "approve-all": "approve every MCP call without asking" });
const lab = await connect(import.meta.dirname, "toolbox-agent");
const { openai, config } = lab;
const state = lab.state<ToolboxState>();
const { agent, toolbox, pinned } = state.get();
if (!agent || agent.name !== config.agentName) {
  throw new LabError(
    `No agent "${config.agentName}" has been created here yet: run \`pnpm 7-toolbox\` (create-agent, then chat).`,
  );
}

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
    state.update((s) => ({ ...s, lastResponseId: response.id }));
    return response;
  },
});
