import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, startLab } from "./support.ts";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ deployments: ["model-router", "lab-offline-mini", "gpt-custom"] });
});
afterAll(() => lab.close());

describe("deployments through AIProjectClient", () => {
  it("lists the configured deployments in the ModelDeployment shape, with filters", async () => {
    const all = [];
    for await (const d of lab.project.deployments.list()) all.push(d);
    expect(all.map((d) => d.name)).toEqual(["model-router", "lab-offline-mini", "gpt-custom"]);
    expect(all[0]).toMatchObject({
      type: "ModelDeployment",
      name: "model-router",
      modelName: "model-router",
      sku: { name: "GlobalStandard" },
    });
    const filtered = [];
    for await (const d of lab.project.deployments.list({ modelName: "gpt-custom" })) filtered.push(d.name);
    expect(filtered).toEqual(["gpt-custom"]);
  });

  it("gets one by name, and answers 404 naming the deployment otherwise", async () => {
    const one = await lab.project.deployments.get("lab-offline-mini");
    expect(one).toMatchObject({ type: "ModelDeployment", name: "lab-offline-mini" });
    const err = await lab.project.deployments.get("nope").catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 404 });
    expect(String((err as Error).message)).toMatch(/Deployment 'nope' was not found/);
  });
});
