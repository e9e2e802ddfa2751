/**
 * Demo 7 · promote: the toolbox owner publishes a new version and promotes it on purpose, then the agent
 * is re-pinned to it. Version 2 removes close_issue from the issues source for every agent at once:
 * governance in one place instead of in every agent.
 */
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
const next = await project.toolboxes.createVersion(
  name,
  [
    {
      ...issues,
      allowed_tools: ["list_issues", "get_issue", "create_issue", "comment_on_issue"],
    } as typeof issues,
    ...rest,
  ],
  { description: "Issues can no longer be closed by agents.", metadata: labMetadata(config.demo.id) },
);
console.log(`Created toolbox ${name} version ${next.version}: ${next.description}`);
const promoted = await project.toolboxes.update(name, next.version);
console.log(`Promoted: the default version of ${name} is now ${promoted.default_version}.`);

const agent = await pinAgent(lab, name, next.version);
state.update((s) => ({ ...s, pinned: next.version, agent: { name: agent.name, version: agent.version } }));
console.log(`Agent ${agent.name} version ${agent.version} is now pinned to ${name} version ${next.version}.`);
