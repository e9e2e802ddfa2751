/**
 * Foundry's own rules for a request that names an agent, through the real SDK: the agent owns its tools
 * (`tools`, `tool_choice`, `parallel_tool_calls` are refused), and output items only the service makes
 * cannot be sent back as input. Both fail here the way they fail on Azure, not first on Azure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, promptAgent, startLab } from "./support.ts";

let lab: Lab;
const agent = { agent_reference: { type: "agent_reference" as const, name: "rules-agent" } };

beforeAll(async () => {
  lab = await startLab();
  await lab.project.agents.createVersion("rules-agent", promptAgent());
});
afterAll(() => lab.close());

describe("what Foundry refuses when an agent is specified", () => {
  it.each([
    ["tools", { tools: [{ type: "function", name: "f", parameters: {}, strict: false }] }],
    ["tool_choice", { tool_choice: "none" }],
    ["parallel_tool_calls", { parallel_tool_calls: false }],
  ])("%s: 400 invalid_payload naming the field", async (field, extra) => {
    const refused = lab.openai.responses.create({ input: "hi", ...extra } as never, { body: agent });
    await expect(refused).rejects.toMatchObject({
      status: 400,
      error: { code: "invalid_payload", message: "Not allowed when agent is specified.", param: field },
    });
  });

  it("the agent endpoint (agent in the path) refuses them too; without an agent they are allowed", async () => {
    const endpoint = lab.project.getOpenAIClient({
      azureConfig: { agentName: "rules-agent", allowPreview: true },
    });
    await expect(endpoint.responses.create({ input: "hi", tool_choice: "none" })).rejects.toMatchObject({
      status: 400,
      error: { param: "tool_choice" },
    });
    const plain = await lab.openai.responses.create({
      model: "model-router",
      input: "hi",
      tool_choice: "none",
    });
    expect(plain.status).toBe("completed");
  });

  it.each(["web_search_call", "mcp_list_tools", "reasoning", "file_search_call", "code_interpreter_call"])(
    "a replayed %s item is a 400 invalid_payload",
    async (type) => {
      const refused = lab.openai.responses.create(
        { input: [{ type, id: "x_1", status: "completed" } as never, { role: "user", content: "hi" }] },
        { body: agent },
      );
      await expect(refused).rejects.toMatchObject({
        status: 400,
        error: { code: "invalid_payload", param: "/" },
      });
    },
  );
});
