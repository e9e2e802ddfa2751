/**
 * Demo 8 · create-agent: a self-hosted agent is not registered with a definition; it is a server that
 * speaks the Responses protocol. This starts that server inside this process (127.0.0.1, a free port
 * unless PORT is set), so `pnpm 8-hosted` is "start the agent, then chat with it". With HOSTED_AGENT_URL
 * set, it starts nothing and the chat talks to that server instead (`pnpm 8-hosted:serve`, `azd ai agent run`).
 */
import { ConfigError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { recordServer } from "./local-server.ts";
import { settingsFromEnv, startServer } from "./server.ts";

const lab = await connect(import.meta.dirname, "hosted-agent");
const { config, openai } = lab;
const external = config.env.HOSTED_AGENT_URL?.trim();

if (external) {
  if (!/^https?:$/.test(URL.parse(external)?.protocol ?? "")) {
    throw new ConfigError(
      `HOSTED_AGENT_URL is "${external}"; set it to the hosted agent's http(s) address, such as http://127.0.0.1:8088.`,
    );
  }
  console.log(`Using the hosted agent at ${external} (HOSTED_AGENT_URL); nothing started here.`);
} else {
  let settings: ReturnType<typeof settingsFromEnv>;
  try {
    settings = settingsFromEnv({ ...config.env, PORT: config.env.PORT ?? "0" });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  // The agent owns its inference path: it gets the project's OpenAI client and calls the deployment itself.
  const server = await startServer({ openai, deployment: config.model, ...settings }).catch((err: Error) => {
    throw new ConfigError(err.message);
  });
  recordServer(lab, server, "in-process");
  console.log(
    `Started the hosted agent on ${server.url} in this process; it calls model deployment ${server.deployment} itself.\n` +
      `While the chat runs, curl or the Agent Inspector can use ${server.url} too (\`pnpm 8-hosted:serve\` keeps one on :8088).`,
  );
}
