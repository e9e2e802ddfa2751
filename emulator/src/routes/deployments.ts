/**
 * Model deployments (`project.deployments.list()` / `.get(name)`): the names the emulator was told exist
 * (EMULATOR_DEPLOYMENTS, or `model-router` with the two lab models behind it; plus EMULATOR_MODEL_NAME
 * when a local model is configured), in the service's
 * `ModelDeployment` shape. Azure-style paging: `{value, nextLink}`; all deployments fit on one page.
 */
import { type App, param, type Reply, type RequestContext } from "../context.ts";
import { notFound } from "../errors.ts";
import type { Router } from "../router.ts";

export function mountDeployments(router: Router): void {
  router.add("GET", "/deployments", listDeployments, true);
  router.add("GET", "/deployments/:name", getDeployment, true);
}

/**
 * One deployment as the service describes it; the lab's own models are published by the lab, the local
 * model (EMULATOR_MODEL_URL) by the server that runs it.
 */
export function deploymentObject(name: string, app: App) {
  const lab = name === "model-router" || name.startsWith("lab-offline-");
  const local = app.localModel?.name === name ? app.localModel : undefined;
  return {
    type: "ModelDeployment",
    name,
    modelName: name,
    modelVersion: lab ? "emulator" : local ? "local" : "unknown",
    modelPublisher: lab
      ? "Foundry Agent Lab (emulator)"
      : local
        ? `OpenAI-compatible server at ${local.url}`
        : "emulator",
    capabilities: { chat_completion: "true", responses: "true", agents: "true" },
    sku: { name: "GlobalStandard", capacity: 1 },
  };
}

function listDeployments(ctx: RequestContext): Reply {
  const filters: Array<[string, string]> = [
    ["modelName", "modelName"],
    ["modelPublisher", "modelPublisher"],
    ["deploymentType", "type"],
  ];
  const value = deployments(ctx.app).filter((d) =>
    filters.every(([query, field]) => {
      const wanted = ctx.query.get(query);
      return wanted === null || (d as Record<string, unknown>)[field] === wanted;
    }),
  );
  return { status: 200, body: { value } };
}

function getDeployment(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const found = deployments(ctx.app).find((d) => d.name === name);
  if (found === undefined) {
    throw notFound(
      `Deployment '${name}' was not found in this project. Deployments here: ${ctx.app.deployments.join(", ")}.`,
      "name",
    );
  }
  return { status: 200, body: found };
}

function deployments(app: App) {
  return app.deployments.map((name) => deploymentObject(name, app));
}
