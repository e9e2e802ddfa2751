/**
 * What `model-router` does in the lab: a long or analytic request goes to the large lab model, the rest
 * to the mini one, and the response's `model` names the pick, exactly where the real router reports it.
 * With a local model configured (model/remote/settings.ts), `EMULATOR_ROUTER` decides where model-router
 * sends a request: `local` (every request; the default), `lab` (the lab models, as without a local model)
 * or `auto` (what would go to lab-offline-large goes to the local model, the rest to lab-offline-mini).
 * The local model's own deployment name always reaches it directly.
 */
import { textOf } from "../items.ts";
import type { LocalModelSettings } from "./remote/settings.ts";
import type { LabModel } from "./types.ts";

export const LAB_MINI = "lab-offline-mini";
export const LAB_LARGE = "lab-offline-large";

const ANALYTIC = /\b(why|explain|compare|analy[sz]e|code|plan)\b/i;

export function servedModel(deployment: string, latestUserText: string): string {
  if (deployment !== "model-router") return deployment;
  return isDemanding(latestUserText) ? LAB_LARGE : LAB_MINI;
}

export function isDemanding(text: string): boolean {
  return countWords(text) > 40 || ANALYTIC.test(text);
}

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/** The emulator's model: the lab model, and the local model where the deployment or the router says. */
export function routedModel(
  lab: LabModel,
  local: { settings: LocalModelSettings; model: LabModel } | null,
): LabModel {
  if (local === null) return lab;
  return {
    respond(request) {
      const latest = request.items.findLast((i) => i.type === "message" && i.role === "user");
      const text = latest === undefined ? "" : textOf(latest);
      return goesLocal(request.deployment, text, local.settings)
        ? local.model.respond(request)
        : lab.respond(request);
    },
  };
}

function goesLocal(deployment: string, latestUserText: string, settings: LocalModelSettings): boolean {
  if (deployment === settings.name) return true;
  if (deployment !== "model-router") return false;
  if (settings.router === "local") return true;
  return settings.router === "auto" && isDemanding(latestUserText);
}
