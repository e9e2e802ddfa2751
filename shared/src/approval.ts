/**
 * Asking a human before an MCP tool runs: the terminal side of an `mcp_approval_request`. Shows the
 * server, the tool and its arguments, and takes yes / no / always (always: this tool, for the rest of
 * this chat). With no terminal to ask, no call runs unless --approve-all was given.
 */
import { approvalSpan } from "./spans.ts";
import { bold, dim, yellow } from "./terminal.ts";

/** The chat flag that approves every call unasked (demos 6 and 7), name → what it does. */
export const APPROVE_ALL_FLAG = { "approve-all": "approve every MCP call without asking" };

export interface ApprovalRequest {
  server_label: string;
  name: string;
  arguments: string;
}

export interface ApprovalDecision {
  approve: boolean;
  reason?: string;
  /** Nobody was there to ask (no terminal, no --approve-all): not a "no" from anyone. */
  unasked?: boolean;
}

export class ApprovalPrompt {
  private readonly always = new Set<string>();
  private readonly interactive: boolean;
  private readonly approveAll: boolean;

  constructor(options: { interactive: boolean; approveAll: boolean }) {
    this.interactive = options.interactive;
    this.approveAll = options.approveAll;
  }

  /** A loud line for the start of a chat when every call will run unasked. */
  banner(): string | undefined {
    return this.approveAll
      ? yellow("⚠ --approve-all: every MCP tool call in this chat runs WITHOUT asking you first.")
      : undefined;
  }

  /** Tracing (--otel): each decision is an `approve_tool` span saying who decided. */
  decide(request: ApprovalRequest, ask: (question: string) => Promise<string>): Promise<ApprovalDecision> {
    const key = `${request.server_label}/${request.name}`;
    const by = this.approveAll
      ? "--approve-all"
      : this.always.has(key)
        ? "always (earlier answer)"
        : this.interactive
          ? "user"
          : "nobody (no terminal)";
    return approvalSpan(request, by, () => this.choose(request, key, ask));
  }

  private async choose(
    request: ApprovalRequest,
    key: string,
    ask: (question: string) => Promise<string>,
  ): Promise<ApprovalDecision> {
    process.stdout.write(
      `\n${yellow("⚠ Approval needed:")} ${bold(request.server_label)} wants to run ${bold(request.name)} with\n${indent(pretty(request.arguments))}\n`,
    );
    if (this.approveAll) return this.say({ approve: true }, "approved (--approve-all)");
    if (this.always.has(key))
      return this.say({ approve: true }, `approved (always for ${request.name} in this chat)`);
    if (!this.interactive) {
      return this.say(
        {
          approve: false,
          reason: "No one could approve this call: the chat has no terminal.",
          unasked: true,
        },
        `${request.name} did not run: approving an MCP call needs a terminal, and this chat's input is not one (run it in a terminal, or pass --approve-all to approve every call).`,
      );
    }
    for (;;) {
      const answer = (
        await ask(`Approve? ${bold("y")}es / ${bold("n")}o / ${bold("a")}lways for this tool: `)
      )
        .trim()
        .toLowerCase();
      if (answer === "y" || answer === "yes") return { approve: true };
      if (answer === "n" || answer === "no") return { approve: false, reason: "The user declined." };
      if (answer === "a" || answer === "always") {
        this.always.add(key);
        return { approve: true };
      }
    }
  }

  private say(decision: ApprovalDecision, note: string): ApprovalDecision {
    process.stdout.write(`${dim(`  ${note}`)}\n`);
    return decision;
  }
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
