/**
 * Demo 4 · web: the same agent as `chat`, in a browser page (the counterpart of the original lab's
 * Gradio page). `pnpm 4-code:web` registers the agent (create-agent), then serves the page on
 * http://127.0.0.1:4004 (DEMO4_PORT, DEMO4_HOST) until Ctrl-C. See web-app.ts for what the server does.
 */
import type { AddressInfo } from "node:net";
import { ConfigError, describeError, LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { bold, dim } from "@lab/shared/terminal";
import type { CodeState } from "./state.ts";
import { createWebApp } from "./web-app.ts";

await import("./create-agent.ts");
const lab = await connect(import.meta.dirname, "code-agent");
const { openai, config } = lab;
const state = lab.state<CodeState>();
const agent = state.get().agent;
if (!agent) throw new LabError("The agent was not created; run `pnpm 4-code:web` again.");

const host = config.env.DEMO4_HOST?.trim() || "127.0.0.1";
// DEMO4_PORT, else the conventional PORT, else 4004; a bad value is named by the variable it came from.
const portVariable = config.env.DEMO4_PORT?.trim()
  ? "DEMO4_PORT"
  : config.env.PORT?.trim()
    ? "PORT"
    : undefined;
const rawPort = portVariable ? (config.env[portVariable]?.trim() ?? "") : "4004";
const port = Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new ConfigError(
    `${portVariable} (from ${config.sources[portVariable ?? ""] ?? "the environment"}) is "${rawPort}"; use a port number from 1 to 65535 (or 0 for any free port).`,
  );
}

const app = createWebApp({
  openai,
  agent,
  deployment: config.model,
  describe: (err) => describeError(err, lab.errorContext()).message,
  newConversation: async () => {
    const { id } = await openai.conversations.create({ metadata: labMetadata(config.demo.id) });
    state.update((s) => ({ ...s, conversations: [...(s.conversations ?? []), id] }));
    return id;
  },
});

const server = app.listen(port, host);
server.on("error", (err: NodeJS.ErrnoException) => {
  const why = err.code === "EADDRINUSE" ? `port ${port} is already in use` : err.message;
  // A port that is taken is a setting to change, like a bad one: exit 2, as pnpm traces and 8-hosted:serve.
  throw new ConfigError(
    `The web page could not start on ${host}:${port}: ${why}. Set DEMO4_PORT to another port.`,
  );
});
server.on("listening", () => {
  const { port: bound } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  console.log(
    `${bold(`Demo 4 web page: http://${shown}:${bound}/`)} ${dim("(open it in a browser; Ctrl-C stops it)")}`,
  );
});
process.on("SIGINT", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
