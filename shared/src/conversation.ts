/**
 * Which server-side conversation a chat continues: the saved one unless --new, or when it no longer
 * exists (deleted elsewhere, or the emulator's data was wiped), a new one made by `create`. A conversation
 * another run of the same demo has open (a second terminal, a second learner) is not shared: this run
 * says so and starts its own, because two chats writing one conversation interleave their turns.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ifExists } from "./agents.ts";
import type { Lab } from "./lab.ts";
import type { DemoState } from "./state.ts";
import { notice } from "./terminal.ts";

interface ConversationState {
  conversation: string;
  conversations: string[];
}

export async function resumeConversation(
  lab: Lab,
  state: DemoState<ConversationState>,
  fresh: boolean,
  create: () => Promise<{ id: string }>,
): Promise<string> {
  const saved = fresh ? undefined : state.get().conversation;
  if (saved && (await ifExists(() => lab.openai.conversations.retrieve(saved)))) {
    const holder = claim(state.file, saved);
    if (holder === undefined) return saved;
    notice(
      `Conversation ${saved} is open in another run of this demo (process ${holder}); this run starts its own.`,
    );
  }
  const { id } = await create();
  claim(state.file, id);
  state.update((s) => ({ ...s, conversation: id, conversations: [...(s.conversations ?? []), id] }));
  return id;
}

/**
 * Marks `conversation` as open in this process until it exits (a small file next to the state file).
 * Returns the pid of another live process that has it open, or undefined once it is ours.
 */
function claim(stateFile: string, conversation: string): number | undefined {
  const file = path.join(path.dirname(stateFile), `.lab-state.open-${conversation}.json`);
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number.parseInt(readFileSync(file, "utf8"), 10);
    if (holder !== process.pid && alive(holder)) return holder;
    writeFileSync(file, String(process.pid)); // left by a run that crashed: ours now
  }
  process.once("exit", () => rmSync(file, { force: true }));
  return undefined;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
