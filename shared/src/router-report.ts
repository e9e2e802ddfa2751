/**
 * The model-router report: which model actually served each response. With `model-router` the
 * deployment name says nothing about the model; `response.model` does.
 */
import type { Response } from "openai/resources/responses/responses";
import { dim } from "./terminal.ts";

export interface ServedTurn {
  requested: string;
  served: string;
  latencyMs: number;
  status: string;
}

export function servedTurn(response: Response, requested: string, latencyMs: number): ServedTurn {
  return {
    requested,
    served: response.model || "(not reported)",
    latencyMs,
    status: response.status ?? "completed",
  };
}

/** One dim line under each answer, e.g. `served by lab-offline-mini via model-router · 0.4 s`. */
export function formatServed(turn: ServedTurn): string {
  const via = turn.served === turn.requested ? "" : ` via ${turn.requested}`;
  const status = turn.status === "completed" ? "" : ` · ${turn.status}`;
  return dim(`  ↳ served by ${turn.served}${via} · ${(turn.latencyMs / 1000).toFixed(1)} s${status}`);
}
