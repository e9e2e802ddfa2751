/**
 * What demo 2 can take, checked by the launcher before create-agent runs, so a run it cannot serve
 * creates nothing: the shared chat flags minus --trace and --log (the app draws tool calls itself and
 * keeps no transcript; they belong to demo 1's line chat), and a real terminal (it is a full-screen app).
 */
import { type ChatArgs, chatArgs } from "@lab/shared/chat";
import { ConfigError } from "@lab/shared/errors";

export function readArgs(argv = process.argv.slice(2)): ChatArgs {
  const flag = /^(--trace|--log)(?:=|$)/.exec(
    argv.find((arg) => /^--(?:trace|log)(?:=|$)/.test(arg)) ?? "",
  )?.[1];
  if (flag) {
    throw new ConfigError(
      `Demo 2 has no ${flag}; to watch the protocol or keep a transcript of this agent, use \`pnpm 1-tools -- ${flag}\`.`,
    );
  }
  const args = chatArgs(argv, {}, ["log", "trace"]);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new ConfigError(
      "Demo 2 is a full-screen app and needs a terminal; to script a chat, use demo 1 (`pnpm 1-tools`).",
    );
  }
  return args;
}
