/**
 * Demo 7 · promote: the toolbox owner publishes a new version and promotes it on purpose, then the agent
 * is re-pinned to it. Version 2 removes close_issue from the issues source for every agent at once:
 * governance in one place instead of in every agent. Promoting twice publishes nothing new.
 */
import type { ToolboxVersionObject } from "@azure/ai-projects";
import { sameContent } from "@lab/shared/agents";
import { LabError } from "@lab/shared/errors";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { pinAgent } from "./pin.ts";
import { toolboxSources, WITHOUT_CLOSING } from "./sources.ts";
import type { ToolboxState } from "./state.ts";

const lab = await connect(import.meta.dirname, "toolbox-agent");
const { project, config } = lab;
const state = lab.state<ToolboxState>();
const name = state.get().toolbox;
if (!name) throw new LabError("There is no toolbox to promote yet: run `pnpm 7-toolbox` first.");

const [issues, ...rest] = await toolboxSources(lab);
if (!issues) throw new LabError("The toolbox has no sources.");
const tools = [{ ...issues, allowed_tools: WITHOUT_CLOSING } as typeof issues, ...rest];

// Versions are immutable: publish version 2 once; promoting again finds it and publishes nothing.
let next: ToolboxVersionObject | undefined;
for await (const version of project.toolboxes.listVersions(name)) {
  if (sameContent(version.tools, tools)) next = version;
}
if (next) {
  console.log(
    `Toolbox ${name} version ${next.version} already has these tools ("${next.description}"); nothing new to publish.`,
  );
} else {
  next = await project.toolboxes.createVersion(name, tools, {
    description: "Issues can no longer be closed by agents.",
    metadata: labMetadata(config.demo.id),
  });
  console.log(`Created toolbox ${name} version ${next.version}: ${next.description}`);
}
const toolbox = await project.toolboxes.get(name);
if (toolbox.default_version !== next.version) {
  const promoted = await project.toolboxes.update(name, next.version);
  console.log(`Promoted: the default version of ${name} is now ${promoted.default_version}.`);
} else {
  console.log(`Version ${next.version} is already the default of ${name}.`);
}

const agent = await pinAgent(lab, name, next.version);
state.update((s) => ({ ...s, pinned: next.version, agent: { name: agent.name, version: agent.version } }));
console.log(
  `Agent ${agent.name} version ${agent.version} is pinned to ${name} version ${next.version}: close_issue is no longer among its tools.`,
);
