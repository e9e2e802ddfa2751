/** The line under each answer: the service's own time, and a human's time at a question kept apart. */

import { stripVTControlCharacters } from "node:util";
import type { Response } from "openai/resources/responses/responses";
import { expect, it } from "vitest";
import { formatServed, servedTurn } from "../src/router-report.ts";

const response = { model: "lab-offline-mini", status: "completed" } as Response;
const line = (turnMs: number, waitedMs?: number) =>
  stripVTControlCharacters(formatServed(servedTurn(response, "model-router", turnMs, waitedMs)));

it("shows the whole turn when nobody was asked", () => {
  expect(line(420)).toBe("  ↳ served by lab-offline-mini via model-router · 0.4 s");
});

it("keeps the time an approval question waited out of the service's time, and names it", () => {
  expect(line(6620, 6200)).toBe(
    "  ↳ served by lab-offline-mini via model-router · 0.4 s, plus 6.2 s waiting for you",
  );
  expect(servedTurn(response, "model-router", 6620, 6200).latencyMs).toBeCloseTo(420);
});

it("leaves out a wait too short to show (an answer piped on stdin)", () => {
  expect(line(420, 3)).toBe("  ↳ served by lab-offline-mini via model-router · 0.4 s");
});
