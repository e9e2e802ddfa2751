/**
 * Small helpers around agents that every demo needs and none is here to learn.
 */
import type { AgentVersion } from "@azure/ai-projects";
import { demoCommand, LabError } from "./errors.ts";
import type { Lab } from "./lab.ts";

/** What a demo keeps in its state about the agent version it created. */
export interface AgentRef {
  name: string;
  version: string;
}

/**
 * The agent version this demo's create-agent recorded, for its chat. Without one (or when it was made
 * under another AGENT_NAME) the chat stops with one sentence saying what to run.
 */
export function recordedAgent(lab: Lab, agent: AgentRef | undefined): AgentRef {
  const { agentName, demo } = lab.config;
  if (!agent || agent.name !== agentName) {
    throw new LabError(
      `No agent "${agentName}" has been created here yet: run \`${demoCommand(demo.id)}\` (create-agent, then chat).`,
    );
  }
  return agent;
}

/**
 * The request body that targets an agent from `responses.create`: `agent_reference`, not `agent`.
 * The service rejects the older `agent` form still shown in some READMEs with 400 invalid_payload.
 * Pass it as `{ body: agentReference(agent) }`: the project's OpenAI client merges it into the request.
 */
export function agentReference(agent: AgentRef) {
  return { agent_reference: { type: "agent_reference" as const, name: agent.name, version: agent.version } };
}

/** True when the latest version already has this definition, so create-agent can reuse it. */
export function sameDefinition(version: AgentVersion | undefined, definition: object): boolean {
  if (!version) return false;
  return canonical(version.definition) === canonical(definition);
}

/** Same JSON content, ignoring key order and empty fields (what the service echoes back may add them). */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  // Any fixed order will do: code-unit order, not localeCompare, whose first call loads ICU's collation
  // data (some 30 ms on every demo's start, `pnpm bench` "first prompt").
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined && x !== null)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Status code of an SDK error (Azure core uses statusCode, the OpenAI client status). */
export function statusOf(err: unknown): number | undefined {
  const e = err as { status?: number; statusCode?: number };
  return e?.status ?? e?.statusCode;
}

/** Runs a delete, treating "already gone" (404) as success: resets must be safe to run twice. */
export async function deleteIfExists(action: () => Promise<unknown>): Promise<"deleted" | "absent"> {
  try {
    await action();
    return "deleted";
  } catch (err) {
    if (statusOf(err) === 404) return "absent";
    throw err;
  }
}

/** Runs a lookup, returning undefined when the thing does not exist (404). */
export async function ifExists<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}
