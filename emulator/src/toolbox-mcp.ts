/**
 * A toolbox's MCP endpoint: one Streamable HTTP MCP server that offers the tools of every MCP source in
 * the toolbox version, and forwards each call to the source that owns the tool. When a source cannot be
 * listed, the error names that source (on the service one failing source fails the whole listing).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { RequestContext } from "./context.ts";
import { callTool, describe, listTools, type McpToolInfo } from "./mcp/client.ts";
import { allowed } from "./model/skills/mcp.ts";
import type { ToolboxVersion } from "./stores/toolboxes.ts";
import type { Json } from "./validate.ts";

interface Entry {
  name: string;
  source: Json;
  tool: McpToolInfo;
}

async function catalog(version: ToolboxVersion): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const source of version.tools.filter((tool) => tool.type === "mcp")) {
    const label = String(source.server_label);
    let tools: McpToolInfo[];
    try {
      tools = await listTools(source);
    } catch (err) {
      throw new McpError(
        ErrorCode.InternalError,
        `Toolbox '${version.name}' version ${version.version}: source '${label}' (${String(source.server_url)}) failed: ${describe(err)}`,
      );
    }
    for (const tool of tools.filter((t) => allowed(source, t))) {
      // Two sources with the same tool name: the later one is prefixed with its label.
      const name = entries.some((e) => e.name === tool.name) ? `${label}_${tool.name}` : tool.name;
      entries.push({ name, source, tool });
    }
  }
  return entries;
}

export async function serveToolboxMcp(ctx: RequestContext, version: ToolboxVersion): Promise<void> {
  const server = new Server(
    { name: `toolbox-${version.name}`, version: version.version },
    { capabilities: { tools: {} }, instructions: version.description || undefined },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await catalog(version)).map((entry) => ({
      name: entry.name,
      description: entry.tool.description ?? undefined,
      inputSchema: { type: "object" as const, ...(entry.tool.input_schema as Json) },
      ...(entry.tool.annotations ? { annotations: entry.tool.annotations } : {}),
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const entry = (await catalog(version)).find((e) => e.name === request.params.name);
    if (!entry)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Toolbox '${version.name}' has no tool '${request.params.name}'.`,
      );
    const result = await callTool(entry.source, entry.tool.name, (request.params.arguments ?? {}) as Json);
    return result.error !== null
      ? { content: [{ type: "text" as const, text: result.error }], isError: true }
      : { content: [{ type: "text" as const, text: result.output ?? "" }] };
  });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  ctx.res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(ctx.req, ctx.res, await ctx.json());
}
