/**
 * Tags on everything the lab creates, so a sweep can find the lab's leftovers (a crashed run, a
 * deleted checkout) and never touch anything it did not make.
 */
export const LAB_TAG = "foundry-agent-lab";

export function labMetadata(demo: string): Record<string, string> {
  return { created_by: LAB_TAG, demo };
}

export function isLabTagged(metadata: Record<string, string> | null | undefined): boolean {
  return metadata?.created_by === LAB_TAG;
}
