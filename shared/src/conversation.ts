/**
 * Which server-side conversation a chat continues: the saved one unless --new, or when it no longer
 * exists (deleted elsewhere, or the emulator's data was wiped), a new one made by `create`.
 */
import { ifExists } from "./agents.ts";
import type { Lab } from "./lab.ts";
import type { DemoState } from "./state.ts";

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
  if (saved && (await ifExists(() => lab.openai.conversations.retrieve(saved)))) return saved;
  const { id } = await create();
  state.update((s) => ({ ...s, conversation: id, conversations: [...(s.conversations ?? []), id] }));
  return id;
}
