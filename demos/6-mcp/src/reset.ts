/**
 * Demo 6 · reset: deletes the agent (all versions) and forgets the chat. Whatever the approved MCP calls
 * did (issues created in the local issues server) is the server's data and stays.
 */
import { connect } from "@lab/shared/lab";
import { deleteAgent } from "@lab/shared/reset";
import type { McpState } from "./state.ts";

const lab = await connect(import.meta.dirname, "mcp-agent");
const state = lab.state<McpState>();
await deleteAgent(lab, state.get().agent);
state.clear();
console.log("Demo 6 is reset.");
