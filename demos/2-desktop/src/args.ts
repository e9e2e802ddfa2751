/**
 * What demo 2 can take, checked by the launcher before create-agent runs, so a run it cannot serve
 * creates nothing: the shared chat flags minus --trace and --log (the app draws tool calls itself and
 * keeps no transcript; they belong to demo 1's line chat), and a real terminal (it is a full-screen app).
 */
import { type ChatArgs, chatArgs } from "@lab/shared/chat";
import { ConfigError } from "@lab/shared/errors";

export function readArgs(): ChatArgs {
  const args = chatArgs();
  if (args.trace || args.log) {
    const flag = args.trace ? "--trace" : "--log";
    throw new ConfigError(
      `Demo 2 has no ${flag}; to watch the protocol or keep a transcript of this agent, use \`pnpm 1-tools -- ${flag}\`.`,
    );
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new ConfigError(
      "Demo 2 is a full-screen app and needs a terminal; to script a chat, use demo 1 (`pnpm 1-tools`).",
    );
  }
  return args;
}
