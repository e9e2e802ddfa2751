/**
 * Demo 7 · create-agent: tools are defined once, in a toolbox, by whoever owns them; agents use a
 * pinned version of it. This creates the toolbox (version 1) if it does not exist, shows its versions,
 * sets the default version, and registers an agent pinned to it. A new version is made only by the
 * explicit `pnpm 7-toolbox:promote`.
 */
import { ifExists } from "@lab/shared/agents";
import { connect } from "@lab/shared/lab";
import { labMetadata } from "@lab/shared/metadata";
import { pinAgent } from "./pin.ts";
import { checkSourcesStayed, DEFAULT_TOOLBOX, toolboxSources } from "./sources.ts";
import type { ToolboxState } from "./state.ts";

const lab = await connect(import.meta.dirname, "toolbox-agent");
const { project, config } = lab;
const name = config.env.TOOLBOX_NAME || DEFAULT_TOOLBOX;
const state = lab.state<ToolboxState>();

// 1. The toolbox: version 1 bundles the MCP sources. Re-running does not pile up versions.
// On the emulator the sources are the lab's local MCP servers, started here unless they already run:
// an existing toolbox needs them too, since the chat that follows reaches them through it.
const sources = config.backend === "emulator" ? await toolboxSources(lab) : undefined;
if (!(await ifExists(() => project.toolboxes.get(name)))) {
  const created = await project.toolboxes.createVersion(name, sources ?? (await toolboxSources(lab)), {
    description: "Version 1: the lab's issues and repository tools.",
    metadata: labMetadata(config.demo.id),
  });
  console.log(`Created toolbox ${name} version ${created.version}.`);
}

// 2. Its versions, and which one is the default.
const toolbox = await project.toolboxes.get(name);
for await (const version of project.toolboxes.listVersions(name)) {
  const labels = version.tools
    .map((tool) => ("server_label" in tool ? tool.server_label : tool.type))
    .join(", ");
  console.log(
    `  version ${version.version}${version.version === toolbox.default_version ? " (default)" : ""}: ${labels} — ${version.description}`,
  );
}

// 3. Which version is the default is the owner's decision, made with `update`. Version 1 is the default
//    from the start; only `pnpm 7-toolbox:promote` moves it. The agent keeps the version it was pinned to.
const saved = state.get();
const pinned = saved.toolbox === name && saved.pinned ? saved.pinned : toolbox.default_version;
if (!saved.pinned) await project.toolboxes.update(name, pinned);
if (sources) checkSourcesStayed(name, await project.toolboxes.getVersion(name, pinned), sources);

// 4. The agent, pinned to that version's MCP endpoint.
const agent = await pinAgent(lab, name, pinned);
state.update((s) => ({ ...s, toolbox: name, pinned, agent: { name: agent.name, version: agent.version } }));
console.log(`Agent ${agent.name} version ${agent.version} uses toolbox ${name} version ${pinned} (pinned).`);
