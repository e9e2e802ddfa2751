/**
 * Toolboxes (`project.toolboxes.*`, section 8 of the protocol notes): CRUD with deletes answering 204 and
 * `PATCH` promoting a default version, plus each toolbox's MCP endpoint, which agents and hosted code
 * use to reach the bundled tools.
 */
import { param, type Reply, type RequestContext } from "../context.ts";
import { invalidPayload, invalidValue, notFound } from "../errors.ts";
import { paginate, parsePageParams } from "../paging.ts";
import type { Router } from "../router.ts";
import { isObject, optionalMetadata, optionalString } from "../validate.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function mountToolboxes(router: Router): void {
  router.add("GET", "/toolboxes", list, true);
  router.add("GET", "/toolboxes/:name", get, true);
  router.add("PATCH", "/toolboxes/:name", promote, true);
  router.add("DELETE", "/toolboxes/:name", remove, true);
  router.add("POST", "/toolboxes/:name/versions", createVersion, true);
  router.add("GET", "/toolboxes/:name/versions", listVersions, true);
  router.add("GET", "/toolboxes/:name/versions/:version", getVersion, true);
  router.add("DELETE", "/toolboxes/:name/versions/:version", removeVersion, true);
  // The MCP endpoints: the default version, or one pinned version.
  router.add("POST", "/toolboxes/:name/mcp", mcp, true);
  router.add("POST", "/toolboxes/:name/versions/:version/mcp", mcp, true);
  router.add("GET", "/toolboxes/:name/mcp", mcpGet, true);
  router.add("GET", "/toolboxes/:name/versions/:version/mcp", mcpGet, true);
  // `project.toolboxes.invokeLatestToolboxMcp()`: one JSON-RPC request to the latest version.
  router.add("POST", "/toolboxes/:action", invokeLatest, true);
}

const missing = (name: string) => notFound(`Toolbox '${name}' not found.`);

async function createVersion(ctx: RequestContext): Promise<Reply> {
  const name = param(ctx, "name");
  if (!NAME.test(name))
    throw invalidValue(
      "name",
      `Toolbox name '${name}' is not valid: letters, digits, '-' and '_', at most 63.`,
    );
  const body = await ctx.json();
  const tools = body.tools;
  if (!Array.isArray(tools) || tools.length === 0 || !tools.every(isObject)) {
    throw invalidPayload("tools", "'tools' must be a non-empty array of tool objects.");
  }
  for (const [i, tool] of tools.entries()) {
    if (typeof tool.type !== "string")
      throw invalidPayload(`tools[${i}].type`, `'tools[${i}].type' is required.`);
    if (
      tool.type === "mcp" &&
      (typeof tool.server_label !== "string" || typeof tool.server_url !== "string")
    ) {
      throw invalidPayload(`tools[${i}]`, `An mcp tool needs 'server_label' and 'server_url' (tools[${i}]).`);
    }
  }
  const version = ctx.app.toolboxes.createVersion(name, {
    tools,
    description: optionalString(body, "description"),
    metadata: optionalMetadata(body),
  });
  return { status: 200, body: version };
}

function get(ctx: RequestContext): Reply {
  const toolbox = ctx.app.toolboxes.get(param(ctx, "name"));
  if (!toolbox) throw missing(param(ctx, "name"));
  return { status: 200, body: toolbox };
}

function list(ctx: RequestContext): Reply {
  const page = parsePageParams(ctx.query, "desc");
  return { status: 200, body: paginate(ctx.app.toolboxes.list(), page, (t) => t.name) };
}

function listVersions(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const versions = ctx.app.toolboxes.listVersions(name);
  if (versions.length === 0) throw missing(name);
  return { status: 200, body: paginate(versions, parsePageParams(ctx.query, "desc"), (v) => v.version) };
}

function getVersion(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  const version = ctx.app.toolboxes.getVersion(name, param(ctx, "version"));
  if (!version) throw notFound(`Toolbox '${name}' has no version '${param(ctx, "version")}'.`);
  return { status: 200, body: version };
}

async function promote(ctx: RequestContext): Promise<Reply> {
  const name = param(ctx, "name");
  const body = await ctx.json();
  const version = optionalString(body, "default_version");
  if (!version) throw invalidPayload("default_version", "'default_version' is required.");
  if (!ctx.app.toolboxes.get(name)) throw missing(name);
  if (!ctx.app.toolboxes.getVersion(name, version)) {
    throw invalidValue("default_version", `Toolbox '${name}' has no version '${version}'.`);
  }
  return { status: 200, body: ctx.app.toolboxes.setDefault(name, version) };
}

function remove(ctx: RequestContext): Reply {
  if (!ctx.app.toolboxes.delete(param(ctx, "name"))) throw missing(param(ctx, "name"));
  return { status: 204, body: undefined };
}

function removeVersion(ctx: RequestContext): Reply {
  const name = param(ctx, "name");
  if (!ctx.app.toolboxes.deleteVersion(name, param(ctx, "version"))) {
    throw notFound(`Toolbox '${name}' has no version '${param(ctx, "version")}'.`);
  }
  return { status: 204, body: undefined };
}

async function mcp(ctx: RequestContext): Promise<undefined> {
  const name = param(ctx, "name");
  const toolbox = ctx.app.toolboxes.get(name);
  if (!toolbox) throw missing(name);
  const version = ctx.params.version ?? toolbox.default_version;
  const pinned = ctx.app.toolboxes.getVersion(name, version);
  if (!pinned) throw notFound(`Toolbox '${name}' has no version '${version}'.`);
  // Loaded on first use: the MCP SDK is not needed by any other route.
  const { serveToolboxMcp } = await import("../toolbox-mcp.ts");
  await serveToolboxMcp(ctx, pinned);
  return undefined;
}

async function invokeLatest(ctx: RequestContext): Promise<undefined> {
  const action = param(ctx, "action");
  const name = action.endsWith(":invoke_mcp") ? action.slice(0, -":invoke_mcp".length) : undefined;
  if (name === undefined) {
    throw notFound(`No route for POST /toolboxes/${action}; did you mean /toolboxes/{name}:invoke_mcp?`);
  }
  const latest = ctx.app.toolboxes.get(name)?.versions.latest;
  if (!latest) throw missing(name);
  const { serveToolboxMcp } = await import("../toolbox-mcp.ts");
  await serveToolboxMcp(ctx, latest);
  return undefined;
}

/** Streamable HTTP servers may refuse the optional GET stream; clients tolerate 405. */
function mcpGet(): Reply {
  return {
    status: 405,
    body: { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null },
  };
}
