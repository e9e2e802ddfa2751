/**
 * The model-router report: which model actually served each response. With `model-router` the
 * deployment name says nothing about the model; `response.model` does.
 */
import type { Response } from "openai/resources/responses/responses";
import { dim } from "./terminal.ts";

export interface ServedTurn {
  requested: string;
  served: string;
  /** The service's time for the turn: the whole turn less the time a question waited for the human. */
  latencyMs: number;
  status: string;
  /** How long the turn waited for the human (an MCP approval question), when it asked one. */
  waitedMs?: number;
}

export function servedTurn(response: Response, requested: string, turnMs: number, waitedMs = 0): ServedTurn {
  return {
    requested,
    served: response.model || "(not reported)",
    latencyMs: Math.max(0, turnMs - waitedMs),
    status: response.status ?? "completed",
    ...(waitedMs > 0 ? { waitedMs } : {}),
  };
}

/**
 * One dim line under each answer, e.g. `served by lab-offline-mini via model-router · 0.4 s`; a turn that
 * asked the human adds their time apart (`· 0.4 s, plus 6.2 s waiting for you`), so the service's own
 * time is not inflated by a person's thinking.
 */
export function formatServed(turn: ServedTurn): string {
  const via = turn.served === turn.requested ? "" : ` via ${turn.requested}`;
  const status = turn.status === "completed" ? "" : ` · ${turn.status}`;
  // A piped answer (the next stdin line) waits for nobody: no "plus 0.0 s".
  const waited =
    turn.waitedMs && turn.waitedMs >= 50 ? `, plus ${seconds(turn.waitedMs)} waiting for you` : "";
  return dim(`  ↳ served by ${turn.served}${via} · ${seconds(turn.latencyMs)}${waited}${status}`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
