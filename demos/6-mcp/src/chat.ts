/**
 * Demo 6 · chat: every MCP call waits for your yes / no / always. The turns chain with
 * previous_response_id (the approval responses must point at the response that asked).
 */
import { ApprovalPrompt } from "@lab/shared/approval";
import { chat, chatArgs } from "@lab/shared/chat";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { clip, dim, formatToolCall } from "@lab/shared/terminal";
import { runApprovalLoop } from "./approval-loop.ts";
import type { McpState } from "./state.ts";

const args = chatArgs(undefined, { "approve-all": "approve every MCP call without asking" });
const lab = await connect(import.meta.dirname, "mcp-agent");
const { openai, config } = lab;
const state = lab.state<McpState>();
const { agent, server } = state.get();
if (!agent || agent.name !== config.agentName) {
  throw new LabError(
    `No agent "${config.agentName}" has been created here yet: run \`pnpm 6-mcp\` (create-agent, then chat).`,
  );
}

const approvals = new ApprovalPrompt({
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  approveAll: args.flags["approve-all"] === true,
});
const banner = approvals.banner();
if (banner) console.log(banner);
let previous = args.fresh ? undefined : state.get().lastResponseId;
const listed = new Set<string>();

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
      onItem: (item) => {
        // What the server offers, shown once per chat.
        if (item.type === "mcp_list_tools" && !listed.has(item.server_label)) {
          listed.add(item.server_label);
          const tools = item.tools.map(
            (t) =>
              `${t.name}${(t.annotations as { readOnlyHint?: boolean } | null)?.readOnlyHint ? " (read-only)" : ""}`,
          );
          console.log(
            dim(
              item.error
                ? `  ${item.server_label}: ${item.error}`
                : `  ${item.server_label} offers: ${tools.join(", ")}`,
            ),
          );
        }
        if (item.type === "mcp_call") {
          const error =
            typeof item.error === "string" || !item.error ? item.error : JSON.stringify(item.error);
          const output = clip(error ?? item.output ?? "", 90);
          console.log(
            formatToolCall({ name: item.name, arguments: item.arguments, ok: !error, output, durationMs: 0 }),
          );
        }
      },
    });
    previous = response.id;
    state.update((s) => ({ ...s, lastResponseId: response.id }));
    return response;
  },
});
