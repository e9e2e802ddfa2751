/**
 * Asking a human before an MCP tool runs: the terminal side of an `mcp_approval_request`. Shows the
 * server, the tool and its arguments, and takes yes / no / always (always: this tool, for the rest of
 * this chat). When stdin is not a terminal, the answer is the next stdin line, so a piped script answers
 * the way a person types; --approve-all approves every call unasked.
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

/**
 * What goes back in the `mcp_approval_response`. A person's "no" has no `reason`: it is what a denial
 * means. Any other reason a call does not run (the input ended, the answers could not be read) is said in
 * `reason`, and the model answers with it.
 */
export interface ApprovalDecision {
  approve: boolean;
  reason?: string;
}

/** Asks the question; undefined when the input ended before an answer. */
export type Ask = (question: string) => Promise<string | undefined>;

export class ApprovalPrompt {
  private readonly always = new Set<string>();
  private readonly interactive: boolean;
  private readonly approveAll: boolean;

  /** `interactive`: a person at a terminal, asked until they answer; piped input gets one second try. */
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
  decide(request: ApprovalRequest, ask: Ask): Promise<ApprovalDecision> {
    const key = `${request.server_label}/${request.name}`;
    const by = this.approveAll
      ? "--approve-all"
      : this.always.has(key)
        ? "always (earlier answer)"
        : this.interactive
          ? "user"
          : "stdin";
    return approvalSpan(request, by, () => this.choose(request, key, ask));
  }

  private async choose(request: ApprovalRequest, key: string, ask: Ask): Promise<ApprovalDecision> {
    process.stdout.write(
      `\n${yellow("⚠ Approval needed:")} ${bold(request.server_label)} wants to run ${bold(request.name)} with\n${indent(pretty(request.arguments))}\n`,
    );
    if (this.approveAll) return this.say({ approve: true }, "approved (--approve-all)");
    if (this.always.has(key))
      return this.say({ approve: true }, `approved (always for ${request.name} in this chat)`);
    const unclear: string[] = [];
    for (;;) {
      const typed = await ask(`Approve? ${bold("y")}es / ${bold("n")}o / ${bold("a")}lways for this tool: `);
      if (typed === undefined) return this.denied("stdin ended before an answer");
      const answer = typed.trim().toLowerCase();
      if (answer === "y" || answer === "yes") return { approve: true };
      if (answer === "n" || answer === "no") return { approve: false };
      if (answer === "a" || answer === "always") {
        this.always.add(key);
        return { approve: true };
      }
      // A person at a terminal is asked until they answer; a script that answers nonsense twice is a no.
      // Quoted short: a script that forgot its answers hands a whole message to the question.
      const said = typed.trim();
      unclear.push(JSON.stringify(said.length > 40 ? `${said.slice(0, 39)}…` : said));
      if (this.interactive) continue;
      if (unclear.length === 2) return this.denied(`neither answer (${unclear.join(", ")}) was yes or no`);
      process.stdout.write(`${dim(`  ${unclear[0]} is not y, n or a; asking once more.`)}\n`);
    }
  }

  /** A no that no person gave: said here, and sent as the `reason`, which the model's answer names. */
  private denied(reason: string): ApprovalDecision {
    return this.say({ approve: false, reason }, `counted as a no: ${reason}`);
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
