/**
 * What the lab model says when it has nothing better: what it can do with *this* agent's tools, in the
 * tools' own words (each function tool's description and parameters, the built-in tools by kind), plus
 * the memory every agent has. It is phrased from the request, never a fixed paragraph about a demo.
 */
import { isObject, type Json } from "../validate.ts";
import { functionTools, toolLabel } from "./skills/function-calls.ts";
import { propertiesOf } from "./skills/tool-choice.ts";

/** One line per thing this agent can do offline, from its tools. */
export function abilities(tools: Json[]): string[] {
  const lines: string[] = [];
  for (const tool of functionTools(tools)) {
    const params = Object.keys(propertiesOf(tool));
    const required =
      isObject(tool.parameters) && Array.isArray(tool.parameters.required)
        ? tool.parameters.required.map(String)
        : params;
    const needs = required.length === 0 ? "" : `, given ${join(required.map((p) => p.replace(/_/g, " ")))}`;
    lines.push(`call ${toolLabel(tool)}${needs}`);
  }
  const kinds = new Set(tools.map((t) => String(t.type)));
  if (kinds.has("file_search"))
    lines.push("search the files attached to this agent and quote what they say, with citations");
  if (kinds.has("web_search") || kinds.has("web_search_preview"))
    lines.push("search the emulator's offline web corpus (not the live web) and quote the pages, with links");
  if (kinds.has("code_interpreter"))
    lines.push("write and run Python on the files you attach (CSV questions, charts) in a sandbox");
  for (const tool of tools.filter((t) => t.type === "mcp"))
    lines.push(`use the tools of the MCP server "${String(tool.server_label ?? tool.server_url ?? "mcp")}"`);
  return lines;
}

export function join(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "With this agent's tools I can: …" or, with none, what is left: memory. */
export function capabilities(tools: Json[]): string {
  const lines = abilities(tools);
  const memory =
    'I also remember what you tell me in this conversation ("my favourite colour is teal", "remember the word pelican", "I live in Oslo") and can quote what you said earlier.';
  if (lines.length === 0)
    return `This agent has no tools, so offline I can only work with the conversation itself. ${memory.replace("I also", "I")}`;
  const list = lines.length === 1 ? ` ${lines[0]}` : `:\n${lines.map((l) => `- ${l}`).join("\n")}\n`;
  return `With this agent's tools I can${list}${lines.length === 1 ? ". " : ""}${memory}`;
}
