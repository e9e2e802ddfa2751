/**
 * The emulator's side of an MCP tool: like the service, it connects to the server named in the agent's
 * tool (server_url, with its headers and authorization) over Streamable HTTP, lists tools and calls them.
 * Every exchange is bounded in time, so a slow or dead server becomes an error item, never a hung turn.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { isObject, type Json } from "../validate.ts";

export interface McpToolInfo {
  name: string;
  description: string | null;
  input_schema: Json;
  annotations: Json | null;
}

export interface McpCallResult {
  output: string | null;
  error: string | null;
}

const timeoutMs = () => Number(process.env.EMULATOR_MCP_TIMEOUT_MS) || 10_000;

function headersOf(tool: Json): Record<string, string> {
  const headers: Record<string, string> = {};
  if (isObject(tool.headers)) {
    for (const [key, value] of Object.entries(tool.headers))
      if (typeof value === "string") headers[key] = value;
  }
  // The service sends `authorization` as a bearer token; toolbox endpoints also want the preview header.
  if (typeof tool.authorization === "string" && tool.authorization !== "") {
    headers.Authorization = `Bearer ${tool.authorization}`;
    headers["Foundry-Features"] = "Toolboxes=V1Preview";
  }
  return headers;
}

async function session<T>(tool: Json, work: (client: Client) => Promise<T>): Promise<T> {
  const url = typeof tool.server_url === "string" ? tool.server_url : "";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the MCP tool '${String(tool.server_label)}' has no usable server_url ("${url}")`);
  }
  const client = new Client({ name: "foundry-lab-emulator", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(parsed, { requestInit: { headers: headersOf(tool) } });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from ${parsed.host} within ${timeoutMs() / 1000} s`)),
      timeoutMs(),
    );
  });
  try {
    return await Promise.race([
      (async () => {
        await client.connect(transport);
        return work(client);
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    void client.close().catch(() => undefined);
  }
}

export function listTools(tool: Json): Promise<McpToolInfo[]> {
  return session(tool, async (client) => {
    const { tools } = await client.listTools();
    return tools.map((t) => ({
      name: t.name,
      description: t.description ?? null,
      input_schema: (t.inputSchema ?? {}) as Json,
      annotations: (t.annotations ?? null) as Json | null,
    }));
  });
}

export async function callTool(tool: Json, name: string, args: Json): Promise<McpCallResult> {
  try {
    return await session(tool, async (client) => {
      const result = await client.callTool({ name, arguments: args });
      const text = ((result.content ?? []) as Array<{ type: string; text?: string }>)
        .map((part) => (part.type === "text" ? (part.text ?? "") : `[${part.type}]`))
        .join("\n");
      return result.isError
        ? { output: null, error: text || "the tool reported an error" }
        : { output: text, error: null };
    });
  } catch (err) {
    return { output: null, error: describe(err) };
  }
}

/** One line for an MCP failure (connection refused, timeout, not an MCP server…). */
export function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `${(e.message ?? String(err)).split("\n")[0]}${cause ? ` (${cause})` : ""}`;
}
