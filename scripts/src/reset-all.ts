/**
 * `pnpm reset:all [--dry-run]`: every demo's own reset in turn (each in its own process, exactly as
 * `pnpm <n>-<name>:reset` runs it), then a sweep for what the lab tagged (metadata created_by
 * "foundry-agent-lab") but no state file remembers: a crashed run, a deleted checkout. Nothing untagged
 * is ever touched. Then this machine's own leftovers (reset-local.ts): MCP data, saved charts, container
 * folders, transcripts (archived). `--dry-run` lists exactly what would be deleted and deletes nothing.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { deleteIfExists } from "@lab/shared/agents";
import { repoRoot } from "@lab/shared/config";
import { ConfigError } from "@lab/shared/errors";
import { connect, type Lab } from "@lab/shared/lab";
import { isLabTagged } from "@lab/shared/metadata";
import { DemoState } from "@lab/shared/state";
import { bold, dim, green } from "@lab/shared/terminal";
import { type DemoEntry, listDemos } from "./demos.ts";
import { localTargets, resetLocal } from "./reset-local.ts";
import { markdownTable } from "./table.ts";

/** One thing that would be (or was) deleted. */
export interface Target {
  kind: "agent" | "agent version" | "conversation" | "vector store" | "file" | "toolbox" | "server";
  id: string;
}

export async function resetAll(args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== "--dry-run" && a !== "--");
  if (unknown.length > 0) {
    throw new ConfigError(
      `reset:all takes only --dry-run, not ${unknown.join(" ")} (e.g. pnpm reset:all -- --dry-run).`,
    );
  }
  const dryRun = args.includes("--dry-run");
  const lab = await connect(path.join(repoRoot, "scripts", "reset-all", "src"), "reset-all");
  // The section of each demo's state file that belongs to this project (same key the demos use).
  const projectKey = lab.state().project;
  if (dryRun) console.log(bold("Dry run: nothing is deleted."));

  const demoRows: string[][] = [];
  const recorded = new Set<string>();
  const unreached = new Set<string>();
  for (const demo of listDemos()) {
    const state = new DemoState<Record<string, unknown>>(demo.dir, projectKey);
    // On the emulator, every emulator section is this emulator's data too: the embedded or `pnpm emulator`
    // route, and each FOUNDRY_PROJECT_ENDPOINT a learner pointed at an emulator (a section per port).
    // Their recorded ids are deleted through this emulator (already gone counts as done) and forgotten.
    const others = state.sections().filter((s) => s !== projectKey);
    const reached = lab.config.backend === "emulator" ? others.filter((s) => s.startsWith("emulator:")) : [];
    for (const s of others) if (!reached.includes(s)) unreached.add(s);
    for (const section of [projectKey, ...reached]) {
      const label = section === projectKey ? demo.id : `${demo.id} (${section})`;
      const targets = recordedTargets(new DemoState<Record<string, unknown>>(demo.dir, section).get());
      for (const t of targets) recorded.add(key(t));
      if (targets.length === 0) {
        if (section === projectKey) demoRows.push([demo.id, "nothing recorded", "nothing to do"]);
        else if (!dryRun) new DemoState(demo.dir, section).clear();
        continue;
      }
      let results: string[] = targets.map((t) => (t.kind === "server" ? "would stop" : "would delete"));
      if (!dryRun) {
        console.log(dim(`→ pnpm ${demo.id}:reset${section === projectKey ? "" : ` (${section})`}`));
        const run = await runReset(demo, section === projectKey ? undefined : section);
        results = targets.map((t) => run.failed ?? resultFor(t, run.output));
      }
      targets.forEach((t, i) => {
        demoRows.push([i === 0 ? label : "", describe(t), results[i] ?? ""]);
      });
    }
  }

  const swept = await sweep(lab, dryRun, recorded);
  const local = (await localTargets(lab)).map((t) => {
    const shown = path.relative(repoRoot, t.path).startsWith("..") ? t.path : path.relative(repoRoot, t.path);
    const result = dryRun
      ? t.action === "delete"
        ? "would delete"
        : "would move to archive/"
      : resetLocal(t);
    return [t.what, shown, result];
  });
  console.log(
    `\n${bold("Demos")} (from each demo's state file for this project${lab.config.backend === "emulator" ? " and every other emulator route" : ""})\n`,
  );
  console.log(markdownTable(["demo", "recorded in state", "result"], demoRows));
  console.log(
    `\n${bold("Tagged leftovers")} (metadata created_by: foundry-agent-lab, not in any state file)\n`,
  );
  console.log(
    swept.length
      ? markdownTable(
          ["kind", "id", "result"],
          swept.map((s) => [s.kind, s.id, s.result]),
        )
      : "none found",
  );
  console.log(`\n${bold("On this machine")} (left by the demos, not in the project)\n`);
  console.log(local.length ? markdownTable(["what", "where", "result"], local) : "nothing left");
  if (unreached.size > 0) {
    console.log(
      dim(
        `\nNot reached from this project: what the demos recorded for ${[...unreached].sort().join(", ")}. To reset those, run pnpm reset:all against each (FOUNDRY_PROJECT_ENDPOINT set to an Azure project, unset for the emulator).`,
      ),
    );
  }
  console.log(
    dim(
      "\nConversations are not swept: the API has no way to list them, so only those recorded in state are deleted (the service expires unused ones). Untagged resources are never touched.",
    ),
  );
  const failed =
    demoRows.some((row) => row[2]?.startsWith("failed")) || swept.some((s) => s.result.startsWith("failed"));
  if (failed) process.exitCode = 1;
  console.log(
    failed
      ? "\nSome deletions failed (see above); run pnpm reset:all again once the cause is fixed."
      : dryRun
        ? "\nDry run finished: nothing was deleted."
        : green("\nEverything the lab created in this project is deleted."),
  );
}

/** What a demo's reset deletes, read from its state section by the shapes the demos record. */
export function recordedTargets(section: Record<string, unknown>): Target[] {
  const out: Target[] = [];
  const add = (t: Target) => {
    if (!out.some((o) => key(o) === key(t))) out.push(t);
  };
  const walk = (name: string, value: unknown) => {
    if (Array.isArray(value)) {
      if (name === "conversations")
        for (const id of value) if (typeof id === "string") add({ kind: "conversation", id });
      return;
    }
    if (!value || typeof value !== "object") {
      if (name === "toolbox" && typeof value === "string") add({ kind: "toolbox", id: value });
      return;
    }
    const v = value as Record<string, unknown>;
    if (typeof v.name === "string" && typeof v.version === "string") {
      // A hosted agent is deleted version by version; a demo's prompt agent with all its versions.
      add(
        name === "hostedAgent"
          ? { kind: "agent version", id: `${v.name} v${v.version}` }
          : { kind: "agent", id: v.name },
      );
      return;
    }
    if (name === "server" && typeof v.pid === "number")
      add({ kind: "server", id: `${v.url} (pid ${v.pid})` });
    if (typeof v.vectorStoreId === "string") add({ kind: "vector store", id: v.vectorStoreId });
    if (typeof v.fileId === "string") add({ kind: "file", id: v.fileId });
    if (name === "dataFile" && typeof v.id === "string") add({ kind: "file", id: v.id });
  };
  for (const [name, value] of Object.entries(section)) walk(name, value);
  // The conversation being resumed is one of `conversations`; alone it is still the demo's.
  if (typeof section.conversation === "string") add({ kind: "conversation", id: section.conversation });
  return out;
}

const key = (t: Target) => `${t.kind === "agent version" ? "agent" : t.kind}:${t.id.split(" ")[0]}`;
const describe = (t: Target) => `${t.kind} ${t.id}`;

/** The child's line about a target (`agent x: deleted …`, `file y (name): already gone`), shortened. */
function resultFor(target: Target, output: string): string {
  const id = target.id.split(" ")[0] ?? target.id;
  for (const line of output.split("\n").slice(1)) {
    const at = line.indexOf(id);
    const colon = at < 0 ? -1 : line.indexOf(": ", at + id.length);
    if (colon >= 0) return line.slice(colon + 2).trim();
  }
  return "reset ran";
}

/** `section`: another emulator section of the demo's state file, reset through this emulator. */
function runReset(demo: DemoEntry, section?: string): Promise<{ output: string; failed?: string }> {
  if (!existsSync(path.join(demo.dir, "src", "reset.ts"))) {
    return Promise.resolve({ output: "", failed: "no reset step" });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts", "lab.mjs"), `${demo.id}:reset`], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: section ? { ...process.env, LAB_STATE_SECTION: section } : process.env,
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("close", (code) => {
      // The child's first line names the backend again; the rest says what it deleted.
      for (const line of `${out.split("\n").slice(1).join("\n")}\n${err}`.split("\n"))
        if (line.trim()) console.log(`  ${line}`);
      const reason = err.trim().split("\n").pop()?.replace(/^✖\s*/, "");
      resolve({ output: out, failed: code === 0 ? undefined : `failed (exit ${code}): ${reason ?? ""}` });
    });
  });
}

interface Swept {
  kind: Target["kind"];
  id: string;
  result: string;
}

/** Tagged agents, toolboxes and vector stores (with the files in them) that no state file records. */
async function sweep(lab: Lab, dryRun: boolean, recorded: Set<string>): Promise<Swept[]> {
  const { project, openai } = lab;
  const out: Swept[] = [];
  const act = async (kind: Target["kind"], id: string, remove: () => Promise<unknown>) => {
    // In a dry run, what a demo's own reset would delete is listed under that demo, not twice.
    if (dryRun && recorded.has(key({ kind, id }))) return;
    if (dryRun) return void out.push({ kind, id, result: "would delete" });
    try {
      const outcome = await deleteIfExists(remove);
      out.push({ kind, id, result: outcome === "deleted" ? "deleted" : "already gone" });
    } catch (err) {
      out.push({ kind, id, result: `failed: ${(err as Error).message.split("\n")[0]}` });
    }
  };

  for await (const agent of project.agents.list()) {
    if (isLabTagged(agent.versions.latest.metadata)) {
      await act("agent", agent.name, () => project.agents.delete(agent.name));
    }
  }
  try {
    for await (const toolbox of project.toolboxes.list()) {
      const latest =
        toolbox.versions?.latest ??
        (await project.toolboxes.getVersion(toolbox.name, toolbox.default_version));
      if (isLabTagged(latest.metadata))
        await act("toolbox", toolbox.name, () => project.toolboxes.delete(toolbox.name));
    }
  } catch (err) {
    // A project (or an older emulator) without toolboxes has nothing of the lab's there.
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  for await (const store of openai.vectorStores.list()) {
    if (!isLabTagged(store.metadata as Record<string, string> | null)) continue;
    // Files carry no metadata: the lab's are the ones its tagged stores hold.
    const files: string[] = [];
    for await (const file of openai.vectorStores.files.list(store.id)) files.push(file.id);
    await act("vector store", store.id, () => openai.vectorStores.delete(store.id));
    for (const id of files) await act("file", id, () => openai.files.delete(id));
  }
  return out;
}
