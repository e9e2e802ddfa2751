/**
 * The lab model with MCP tools, as demos 6 and 7 use them (the lab's issues server, real MCP over HTTP):
 * a question never acts ("is issue 3 closed?" reads the issue, and with only tools that act it offers one
 * instead of asking to approve it), a polite request still does, and "comment on issue 1: …" takes what
 * follows the colon as the comment.
 */
import type { Response } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMcpServers, startMcpServers } from "../../mcp-servers/src/servers.ts";
import { startBackend, type TestBackend, tempDir } from "../../shared/test/support.ts";

let backend: TestBackend;
let servers: LocalMcpServers;
beforeAll(async () => {
  backend = await startBackend();
  servers = await startMcpServers({ dataDir: tempDir("lab-mcp-") });
});
afterAll(async () => {
  await servers?.close();
  await backend?.close();
});

let n = 0;
async function ask(input: string, tool: Record<string, unknown> = {}): Promise<Response> {
  const version = await backend.project.agents.createVersion(`mcp-q-${n++}-${Date.now().toString(36)}`, {
    kind: "prompt",
    model: "model-router",
    tools: [
      {
        type: "mcp",
        server_label: "lab_issues",
        server_url: servers.issuesUrl,
        require_approval: "always",
        ...tool,
      } as never,
    ],
  });
  const body = {
    agent_reference: { type: "agent_reference" as const, name: version.name, version: version.version },
  };
  return backend.openai.responses.create({ input }, { body });
}

/** The tool the model wants approved, with its arguments; undefined when it asked for none. */
function wanted(response: Response): { name: string; args: unknown } | undefined {
  const request = response.output.find((item) => item.type === "mcp_approval_request");
  return request?.type === "mcp_approval_request"
    ? { name: request.name, args: JSON.parse(request.arguments) }
    : undefined;
}

describe("the lab model with MCP tools", () => {
  it("answers a question about an issue with a tool that reads, and a polite request with the one that acts", async () => {
    expect(wanted(await ask("is issue 3 closed?"))).toEqual({ name: "get_issue", args: { number: 3 } });
    expect(wanted(await ask("did anyone comment on issue 2 yet"))).toEqual({
      name: "get_issue",
      args: { number: 2 },
    });
    expect(wanted(await ask("would you close issue 3?"))).toEqual({
      name: "close_issue",
      args: { number: 3 },
    });
  });

  it("with only tools that act, a question gets the tool named and offered, not an approval request", async () => {
    const response = await ask("Is issue 2 closed already?", {
      allowed_tools: ["close_issue", "comment_on_issue"],
    });
    expect(wanted(response)).toBeUndefined();
    expect(response.output_text).toContain("Do you want me to call close_issue?");
  });

  it("takes what follows the colon as the comment", async () => {
    expect(wanted(await ask("comment on issue 1: fixed by replacing the cable"))).toEqual({
      name: "comment_on_issue",
      args: { number: 1, body: "fixed by replacing the cable" },
    });
  });
});
