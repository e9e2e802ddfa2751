/**
 * What `model-router` does in the lab: a long or analytic request goes to the large lab model, the rest
 * to the mini one, and the response's `model` names the pick, exactly where the real router reports it.
 */
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
