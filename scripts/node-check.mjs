// Plain JavaScript on purpose: this must run, and explain itself, on any Node version a learner has.
export const MINIMUM_NODE = [22, 19, 0];

/** Returns the sentence to show when `version` (e.g. "v20.20.2") is too old, else undefined. */
export function nodeVersionProblem(version) {
  const parts = String(version)
    .replace(/^v/, "")
    .split(".")
    .map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < MINIMUM_NODE.length; i++) {
    if ((parts[i] || 0) > MINIMUM_NODE[i]) return undefined;
    if ((parts[i] || 0) < MINIMUM_NODE[i]) {
      return (
        "The Foundry Agent Lab needs Node.js " +
        MINIMUM_NODE.join(".") +
        " or newer (24 recommended), but this is Node " +
        version +
        ": install Node 24 from https://nodejs.org (or run `nvm install`, which reads .nvmrc) and open a new terminal."
      );
    }
  }
  return undefined;
}
