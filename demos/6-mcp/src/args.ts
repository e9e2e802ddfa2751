/** Demo 6's chat flags: the shared ones and --approve-all. The launcher checks them before create-agent runs. */
import { APPROVE_ALL_FLAG } from "@lab/shared/approval";
import { chatArgs } from "@lab/shared/chat";

export const readArgs = () => chatArgs(undefined, APPROVE_ALL_FLAG);
