/**
 * "Lab repository": a read-only MCP server over a folder the project ships. Paths are resolved inside
 * that folder and anything that would leave it is refused.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export const SAMPLE_REPO = path.join(import.meta.dirname, "..", "data", "repo");
const MAX_FILE_BYTES = 64 * 1024;

export function repoServer(root = SAMPLE_REPO): McpServer {
  const server = new McpServer({ name: "lab-repo", version: "1.0.0" });
  const inside = (relative: string) => {
    const full = path.resolve(root, relative.replace(/^\/+/, ""));
    return full === root || full.startsWith(root + path.sep) ? full : undefined;
  };
  const failure = (message: string) => ({
    content: [{ type: "text" as const, text: message }],
    isError: true,
  });

  server.registerTool(
    "list_files",
    {
      description: "List the files and folders of the lab repository (optionally below a folder).",
      inputSchema: { path: z.string().max(300).optional() },
      annotations: { readOnlyHint: true },
    },
    async ({ path: folder = "" }) => {
      const full = inside(folder);
      if (!full) return failure(`"${folder}" is outside the repository.`);
      try {
        const entries = readdirSync(full, { withFileTypes: true }).map((e) =>
          e.isDirectory() ? `${e.name}/` : e.name,
        );
        return { content: [{ type: "text" as const, text: entries.sort().join("\n") }] };
      } catch {
        return failure(`There is no folder "${folder}".`);
      }
    },
  );

  server.registerTool(
    "read_file",
    {
      description: "Read a text file of the lab repository.",
      inputSchema: { path: z.string().min(1).max(300) },
      annotations: { readOnlyHint: true },
    },
    async ({ path: file }) => {
      const full = inside(file);
      if (!full) return failure(`"${file}" is outside the repository.`);
      try {
        if (statSync(full).size > MAX_FILE_BYTES)
          return failure(`"${file}" is larger than ${MAX_FILE_BYTES / 1024} KiB.`);
        return { content: [{ type: "text" as const, text: readFileSync(full, "utf8") }] };
      } catch {
        return failure(`There is no file "${file}".`);
      }
    },
  );
  return server;
}
