/**
 * MCP output items as one terminal line each: what a server offers (`mcp_list_tools`, shown once per
 * server per chat) and each call it made (`mcp_call`). Presentation only; the protocol stays in the demos.
 */
import type { ResponseOutputItem } from "openai/resources/responses/responses";
import { dim, formatToolCall } from "./terminal.ts";

export class McpItemPrinter {
  private readonly listed = new Set<string>();

  /** Prints the item if it is one a learner should see; other items are ignored. */
  print(item: ResponseOutputItem): void {
    if (item.type === "mcp_list_tools" && !this.listed.has(item.server_label)) {
      this.listed.add(item.server_label);
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
      const error = typeof item.error === "string" || !item.error ? item.error : JSON.stringify(item.error);
      // The service made the call, so there is no duration to show here.
      const output = error ?? item.output ?? "";
      console.log(formatToolCall({ name: item.name, arguments: item.arguments, ok: !error, output }));
    }
  }
}
