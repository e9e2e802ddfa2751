/**
 * `pnpm start`: lists the demos in this checkout and runs the one you pick (create-agent, then chat).
 * `pnpm start 0` runs demo 0 directly.
 */
import { createInterface } from "node:readline/promises";
import { ConfigError } from "@lab/shared/errors";
import { bold, dim } from "@lab/shared/terminal";
import { listDemos } from "./demos.ts";

export async function launcher(
  args: string[],
  run: (id: string, steps: string[]) => Promise<void>,
): Promise<void> {
  const demos = listDemos();
  const pick = (answer: string) =>
    demos.find((d) => String(d.number) === answer.trim() || d.id === answer.trim());
  const [choice, ...flags] = args.filter((a) => a !== "--");
  if (choice) {
    const demo = pick(choice);
    if (!demo)
      throw new ConfigError(`No demo "${choice}"; pick one of: ${demos.map((d) => d.number).join(", ")}.`);
    // `pnpm start 0 -- --log`: the flags after the choice are the demo's (it reads them from process.argv).
    process.argv.splice(2, Infinity, ...flags);
    return run(demo.id, ["create-agent", "chat"]);
  }
  console.log(bold("Foundry Agent Lab"));
  console.log(
    dim(
      "Each demo adds one idea. With no FOUNDRY_PROJECT_ENDPOINT set, everything runs on the local emulator.\n",
    ),
  );
  for (const d of demos) console.log(`  ${bold(String(d.number))}  ${d.id.padEnd(14)} ${d.description}`);
  console.log(
    dim(
      `\nRun one directly with pnpm <n>-<name> (e.g. pnpm ${demos[0]?.id ?? "0-hello"}); reset it with pnpm <n>-<name>:reset.`,
    ),
  );
  if (!process.stdin.isTTY) return;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question("\nWhich demo? ");
  rl.close();
  const demo = pick(answer);
  if (!demo)
    throw new ConfigError(
      `No demo "${answer.trim()}"; pick one of: ${demos.map((d) => d.number).join(", ")}.`,
    );
  return run(demo.id, ["create-agent", "chat"]);
}
