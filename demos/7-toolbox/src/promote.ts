/**
 * Demo 7 · promote: the toolbox owner publishes a new version and promotes it on purpose, then the agent
 * is re-pinned to it. Version 2 removes close_issue from the issues source for every agent at once:
 * governance in one place instead of in every agent.
 */
import { sameContent } from "@lab/shared/agents";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { pinAgent } from "./pin.ts";
import { toolboxSources } from "./sources.ts";
import type { ToolboxState } from "./state.ts";

const lab = await connect(import.meta.dirname, "toolbox-agent");
const { project, config } = lab;
const state = lab.state<ToolboxState>();
const name = state.get().toolbox;
if (!name) throw new LabError("There is no toolbox to promote yet: run `pnpm 7-toolbox` first.");

const [issues, ...rest] = await toolboxSources(lab);
if (!issues) throw new LabError("The toolbox has no sources.");
const tools = [
  {
    ...issues,
    allowed_tools: ["list_issues", "get_issue", "create_issue", "comment_on_issue"],
  } as typeof issues,
  ...rest,
];
// Versions are immutable; publishing the same tools again would only add a duplicate.
const current = await project.toolboxes.getVersion(name, (await project.toolboxes.get(name)).default_version);
if (sameContent(current.tools, tools)) {
  throw new LabError(
    `Toolbox ${name} version ${current.version} is already the promoted one ("${current.description}"); nothing to publish.`,
  );
}
const next = await project.toolboxes.createVersion(name, tools, {
  description: "Issues can no longer be closed by agents.",
  metadata: labMetadata(config.demo.id),
});
console.log(`Created toolbox ${name} version ${next.version}: ${next.description}`);
const promoted = await project.toolboxes.update(name, next.version);
console.log(`Promoted: the default version of ${name} is now ${promoted.default_version}.`);

const agent = await pinAgent(lab, name, next.version);
state.update((s) => ({ ...s, pinned: next.version, agent: { name: agent.name, version: agent.version } }));
console.log(`Agent ${agent.name} version ${agent.version} is now pinned to ${name} version ${next.version}.`);
