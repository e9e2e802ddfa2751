/**
 * Demo 8 · reset: stops the hosted agent server this demo left running (only when it still answers as the
 * lab's hosted agent), deletes a hosted agent version recorded for this demo (deployed with
 * `azd ai agent`), and forgets both. On the emulator nothing is registered in the project. Safe to run twice.
 */
import { deleteIfExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { SERVER_ID } from "./server.ts";
import type { HostedState } from "./state.ts";

const lab = await connect(import.meta.dirname, "hosted-agent");
const state = lab.state<HostedState>();
const { server, hostedAgent } = state.get();

if (server?.pid && server.pid !== process.pid) {
  const name = `hosted agent server ${server.url} (pid ${server.pid})`;
  if (!isAlive(server.pid)) {
    console.log(`${name}: not running`);
  } else if (!(await answersAsLabAgent(server.url))) {
    console.log(`${name}: left alone (no lab hosted agent answers there)`);
  } else {
    process.kill(server.pid, "SIGTERM"); // it finishes running answers first, like on the platform
    const stopped = await waitForExit(server.pid, 40_000);
    console.log(`${name}: ${stopped ? "stopped" : "asked to stop (still finishing)"}`);
  }
}

if (hostedAgent) {
  // A real hosted deployment is an agent version; force also stops its running container sessions.
  const outcome = await deleteIfExists(() =>
    lab.project.agents.deleteVersion(hostedAgent.name, hostedAgent.version, { force: true }),
  );
  console.log(
    `hosted agent ${hostedAgent.name} version ${hostedAgent.version}: ${outcome === "deleted" ? "deleted" : "already gone"}`,
  );
} else {
  console.log("No hosted agent version was recorded for this demo, so nothing is deleted in the project.");
}
state.clear();
console.log("Demo 8 is reset.");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function answersAsLabAgent(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readiness`, { signal: AbortSignal.timeout(2_000) });
    return res.headers.get("x-platform-server")?.split(" ")[0] === SERVER_ID.split(" ")[0];
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
