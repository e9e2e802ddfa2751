/**
 * Whether a tool changes something (sets, books, sends, closes …) or only looks things up (gets, lists,
 * checks, searches …), read from the tool's own words: an MCP tool's `readOnlyHint` annotation when it
 * has one, else the verb its name starts with, else the first word of its description. A tool whose verb
 * says neither ("scale_recipe") counts as looking up: only a verb that acts keeps a question from it.
 */
import { isObject } from "../../validate.ts";
import { stem } from "../parse/words.ts";

const ACTING = new Set(
  (
    "set turn switch lock unlock create add close reopen delete remove book cancel send update start stop " +
    "pause resume reserve order buy sell pay submit refill rent schedule post write place log report " +
    "request file move transfer edit assign reply comment publish upload install enable disable reset " +
    "restart charge refund apply register subscribe unsubscribe invite share archive mark approve reject " +
    "dim activate deactivate arm disarm play save record claim issue grant revoke withdraw deposit " +
    "open modify change rename merge deploy launch trigger run execute dispatch notify email message " +
    "text call ring print order purchase renew extend"
  )
    .split(" ")
    .map(stem),
);

/** Verbs of tools that only read: "get_device_status" is no report that changes anything. */
const READING = new Set(
  (
    "get list check search find lookup look show track fetch read view query convert calculate compute " +
    "translate estimate count describe summarize summarise validate tell lookup browse see status"
  )
    .split(" ")
    .map(stem),
);

/** The first word of a name (`set_lights`, `closeTicket`) or of a sentence, lower-cased and stemmed. */
function firstVerb(text: string): string {
  return stem((text.split(/[_\W]+|(?<=[a-z])(?=[A-Z])/).find((w) => w !== "") ?? "").toLowerCase());
}

/** Whether calling the tool changes something rather than only reading it. */
export function changesState(tool: {
  name?: unknown;
  description?: unknown;
  annotations?: unknown;
}): boolean {
  const hints = tool.annotations;
  if (isObject(hints) && typeof hints.readOnlyHint === "boolean") return !hints.readOnlyHint;
  const verb = firstVerb(String(tool.name ?? ""));
  if (ACTING.has(verb)) return true;
  if (READING.has(verb)) return false;
  // A name that is no verb ("weather", "vacation_request") may be one in its description's first word.
  return ACTING.has(firstVerb(typeof tool.description === "string" ? tool.description.trim() : ""));
}

/**
 * What the lab model says when a question fits only a tool that acts ("are the kitchen lights on?" with
 * set_lights alone): it names the tool in its own words and asks; "yes" then makes the call.
 */
export function offerToAct(label: string, name: string): string {
  return (
    `That is a question, so I have not changed anything: none of this agent's tools only looks it up, ` +
    `and the one that fits, ${label}, would act on it. Do you want me to call ${name}?`
  );
}
export const OFFERED = /Do you want me to call (\w[\w-]*)\?$/;
