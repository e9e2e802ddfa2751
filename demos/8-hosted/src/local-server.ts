/**
 * Scaffolding, not the lesson: the server that `create-agent` starts inside the `pnpm 8-hosted` process,
 * remembered so that `chat` can stop it when the chat ends, and recorded in state so that `reset` can
 * stop a server left running (e.g. by `pnpm 8-hosted:serve` in another terminal).
 */
import type { Lab } from "@lab/shared/lab";
import type { HostedServer } from "./server.ts";
import type { HostedState } from "./state.ts";

let started: HostedServer | undefined;

/** Records a server this process runs; the record is dropped again when the process exits. */
export function recordServer(lab: Lab, server: HostedServer, how: "in-process" | "serve"): void {
  if (how === "in-process") started = server;
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

/** Stops the server `create-agent` started in this process, if any (at the end of the chat). */
export async function stopStartedServer(): Promise<void> {
  await started?.close(5);
  started = undefined;
}
