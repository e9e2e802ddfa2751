/**
 * Demo 8 · serve (`pnpm 8-hosted:serve`): the hosted agent in the foreground, as the Agent Inspector or
 * `curl` would use it. PORT (default 8088) and HOST (default 127.0.0.1) choose where it listens; SIGTERM or
 * Ctrl-C lets running answers finish (SHUTDOWN_GRACE_SECONDS, default 30) and exits 0.
 */
import { ConfigError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { recordServer } from "./local-server.ts";
import {
  HEALTH_PATH,
  type ServerSettings,
  serveUntilSignal,
  settingsFromEnv,
  startServer,
} from "./server.ts";

const lab = await connect(import.meta.dirname, "hosted-agent");
let settings: ServerSettings;
try {
  settings = settingsFromEnv(lab.config.env);
} catch (err) {
  throw new ConfigError((err as Error).message);
}
const server = await startServer({ openai: lab.openai, deployment: lab.config.model, ...settings }).catch(
  (err: Error) => {
    throw new ConfigError(err.message);
  },
);
recordServer(lab, server, "serve");
console.log(
  `Hosted agent listening on ${server.url} (model deployment ${server.deployment}; readiness ${HEALTH_PATH})`,
);
console.log(`Chat with it from another terminal: HOSTED_AGENT_URL=${server.url} pnpm 8-hosted`);
serveUntilSignal(server, settings.graceSeconds);
