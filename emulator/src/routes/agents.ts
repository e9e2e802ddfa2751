/**
 * Foundry-native agents (`project.agents.*`): versions are immutable definitions, the agent is its name
 * plus the latest version. Status codes and shapes follow the service (section 2 of the protocol notes).
 */

import { type App, param, type Reply, type RequestContext } from "../context.ts";
import { ApiError, invalidPayload, invalidValue, notFound } from "../errors.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import type { AgentVersion } from "../stores/agents.ts";
import { isObject, type Json, optionalMetadata, optionalString, requiredString } from "../validate.ts";

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function mountAgents(router: Router): void {
  router.add("GET", "/agents", listAgents, true);
  router.add("POST", "/agents", createAgent, true);
  router.add("GET", "/agents/:name", getAgent, true);
  router.add("POST", "/agents/:name", updateAgent, true);
  router.add("DELETE", "/agents/:name", deleteAgent, true);
  router.add("POST", "/agents/:name/versions", createVersion, true);
  router.add("GET", "/agents/:name/versions", listVersions, true);
  router.add("GET", "/agents/:name/versions/:version", getVersion, true);
  router.add("DELETE", "/agents/:name/versions/:version", deleteVersion, true);
}

export function validateAgentName(name: string, param = "agent_name"): string {
  if (!AGENT_NAME.test(name)) {
    throw invalidValue(
      param,
      `Agent name '${name}' is not valid: use letters, digits, '-' and '_' (starting with a letter or digit), at most 63 characters.`,
    );
  }
  return name;
}

function readVersionBody(body: Json): {
  definition: Json & { kind: string };
  description?: string;
  metadata?: Record<string, string>;
} {
  const definition = body.definition;
  if (!isObject(definition))
    throw invalidPayload("definition", "'definition' is required and must be an object.");
  const kind = requiredString(definition, "kind", "definition.kind");
  // Prompt agents run on a model deployment; other kinds (hosted, workflow) carry their own runtime.
  if (kind === "prompt") requiredString(definition, "model", "definition.model");
  return {
    definition: { ...definition, kind },
    description: optionalString(body, "description"),
    metadata: optionalMetadata(body),
  };
}

async function createVersion(ctx: RequestContext): Promise<Reply> {
  const name = validateAgentName(param(ctx, "name"));
  const input = readVersionBody(await ctx.json());
  return { status: 200, body: ctx.app.agents.createVersion(name, input) };
}

/** `agents.create` and `agents.update` both make a new version and answer with the agent. */
async function createAgent(ctx: RequestContext): Promise<Reply> {
  const body = await ctx.json();
  const name = validateAgentName(requiredString(body, "name"), "name");
  if (ctx.app.agents.get(name) !== undefined) {
    throw new ApiError(409, "conflict", `Agent '${name}' already exists; create a new version instead.`, {
      param: "name",
    });
  }
  const latest = ctx.app.agents.createVersion(name, readVersionBody(body));
  return { status: 200, body: ctx.app.agents.get(latest.name) };
}

async function updateAgent(ctx: RequestContext): Promise<Reply> {
  const name = param(ctx, "name");
  const input = readVersionBody(await ctx.json());
  if (ctx.app.agents.get(name) === undefined) throw agentNotFound(name);
  ctx.app.agents.createVersion(name, input);
  return { status: 200, body: ctx.app.agents.get(name) };
}

function getAgent(ctx: RequestContext): Reply {
  const agent = ctx.app.agents.get(param(ctx, "name"));
  if (agent === undefined) throw agentNotFound(param(ctx, "name"));
  return { status: 200, body: agent };
}

function listAgents(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query);
  const kind = ctx.query.get("kind");
  const agents = ctx.app.agents
    .list()
    .filter((agent) => !kind || agent.versions.latest.definition.kind === kind);
  return { status: 200, body: paginate(agents, page, (agent) => agent.id) };
}

function listVersions(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const page = parsePageParams(ctx.query);
  const versions = ctx.app.agents.listVersions(name);
  if (versions.length === 0) throw agentNotFound(name);
  return { status: 200, body: paginate(versions, page, (v: AgentVersion) => v.version) };
}

function getVersion(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const version = param(ctx, "version");
  const found = ctx.app.agents.getVersion(name, version);
  if (found === undefined) throw versionNotFound(ctx.app, name, version);
  return { status: 200, body: found };
}

function deleteAgent(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  if (!ctx.app.agents.delete(name)) throw agentNotFound(name);
  return { status: 200, body: { object: "agent.deleted", name, deleted: true } };
}

function deleteVersion(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const version = param(ctx, "version");
  if (!ctx.app.agents.deleteVersion(name, version)) throw versionNotFound(ctx.app, name, version);
  return { status: 200, body: { object: "agent.version.deleted", name, version, deleted: true } };
}

export function agentNotFound(name: string) {
  return notFound(`Agent '${name}' was not found in this project.`, "agent_name");
}

function versionNotFound(app: App, name: string, version: string) {
  if (app.agents.get(name) === undefined) return agentNotFound(name);
  return notFound(`Agent '${name}' has no version '${version}'.`, "agent_version");
}
