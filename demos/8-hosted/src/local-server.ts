/**
 * Scaffolding, not the lesson: the server that `create-agent` starts inside the `pnpm 8-hosted` process,
 * remembered here so that `chat` talks to it and stops it when the chat ends (it ends with the process,
 * so it is not recorded in state); and a `pnpm 8-hosted:serve` server, recorded in state so that `reset`
 * can stop it if it is left running in another terminal.
 */
import type { Lab } from "@lab/shared/lab";
import type { HostedServer } from "./server.ts";
import type { HostedState } from "./state.ts";

let started: HostedServer | undefined;

/**
 * Remembers a server this process runs: the in-process one for `chat`; a `serve` one in state for
 * `reset`, where the record is dropped again when the process exits.
 */
export function recordServer(lab: Lab, server: HostedServer, how: "in-process" | "serve"): void {
  if (how === "in-process") {
    started = server;
    return;
  }
  const state = lab.state<HostedState>();
  state.update((s) => ({ ...s, server: { url: server.url, pid: process.pid, how } }));
  process.once("exit", () => {
    state.update((s) => {
      if (s.server?.pid !== process.pid) return s;
      const { server: _gone, ...rest } = s;
      return rest;
    });
  });
}

/** The server `create-agent` started in this process, if any. */
export function startedServer(): HostedServer | undefined {
  return started;
}

/** Stops the server `create-agent` started in this process, if any (at the end of the chat). */
export async function stopStartedServer(): Promise<void> {
  await started?.close(5);
  started = undefined;
}
