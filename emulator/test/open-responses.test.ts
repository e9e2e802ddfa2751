/**
 * The Open Responses compliance cases (see shared/test/open-responses.ts) against the emulator, over raw
 * HTTPS: every case, plain and streamed, must come back without a single schema or ordering problem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CASES,
  responseProblems,
  runCase,
  streamProblems,
  type Target,
} from "../../shared/test/open-responses.ts";
import { type Lab, promptAgent, startLab } from "./support.ts";

let lab: Lab;
let target: Target;

beforeAll(async () => {
  lab = await startLab();
  await lab.project.agents.createVersion("or-agent", promptAgent());
  target = {
    baseUrl: `${lab.emulator.endpoint}/openai/v1`,
    headers: { authorization: "Bearer t" },
    extra: { model: "model-router" },
  };
});
afterAll(() => lab.close());

describe("Open Responses compliance: the emulator", () => {
  it.each(CASES.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    expect(await runCase(target, c)).toEqual([]);
  });

  it.each(CASES.filter((c) => !c.tools).map((c) => [c.id, c] as const))(
    "%s, through an agent",
    async (_id, c) => {
      expect(
        await runCase(
          { ...target, extra: { agent_reference: { type: "agent_reference", name: "or-agent" } } },
          c,
        ),
      ).toEqual([]);
    },
  );

  it("the checks find what is missing or out of order (so the cases above can fail)", () => {
    const old = { id: "r", object: "response", created_at: 1, status: "completed", model: "m", output: [] };
    expect(responseProblems(old)).toContain("presence_penalty: required, missing");
    const response = { id: "r", model: "a" };
    const { problems } = streamProblems([
      { event: "response.created", data: { type: "response.created", sequence_number: 0, response } },
      { event: undefined, data: { type: "response.output_text.delta", sequence_number: 2, output_index: 0 } },
      {
        event: undefined,
        data: { type: "response.completed", sequence_number: 3, response: { ...response, model: "b" } },
      },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        "event 1: sequence_number 2, expected 1",
        "response.model changes across the stream: a, b",
        "response.output_text.delta for output_index 0 before its output_item.added",
      ]),
    );
  });
});
