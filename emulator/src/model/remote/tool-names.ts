/**
 * The function names under which the local model sees the server-side tools. Chat Completions knows only
 * function tools, so each built-in tool, and each tool of each MCP server, becomes one function; the
 * emulator recognizes the name when the model calls it and runs the real tool itself.
 */
export const BUILT_IN = {
  file_search: "file_search",
  web_search: "web_search",
  code_interpreter: "code_interpreter",
} as const;

/** `<server_label>__<tool>`, within the protocol's `^[A-Za-z0-9_-]{1,64}$`. */
export function mcpFunctionName(serverLabel: string, tool: string): string {
  return `${serverLabel}__${tool}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}
