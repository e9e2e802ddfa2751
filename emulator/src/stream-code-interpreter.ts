/**
 * The streaming events of a code_interpreter_call (protocol §6 and §9): the item is added without code,
 * `in_progress`, the code in `code_interpreter_call_code.delta` pieces and `.done`, then `interpreting`
 * and `completed` (also for a run that failed: the item's status says how it ended), then the item whole.
 */
import type { SseWriter } from "./sse.ts";
import type { Json } from "./validate.ts";

export async function emitCodeInterpreterCall(
  sse: SseWriter,
  item: Json,
  outputIndex: number,
): Promise<Json> {
  const code = typeof item.code === "string" ? item.code : "";
  sse.send({
    type: "response.output_item.added",
    output_index: outputIndex,
    item: { ...item, status: "in_progress", code: "", outputs: null },
  });
  const where = { item_id: item.id, output_index: outputIndex };
  sse.send({ type: "response.code_interpreter_call.in_progress", ...where });
  for (const piece of code.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    if (sse.aborted) return { ...item, status: "incomplete" };
    sse.send({ type: "response.code_interpreter_call_code.delta", ...where, delta: piece });
    await sse.pause();
  }
  sse.send({ type: "response.code_interpreter_call_code.done", ...where, code });
  sse.send({ type: "response.code_interpreter_call.interpreting", ...where });
  await sse.pause();
  if (sse.aborted) return { ...item, status: "incomplete" };
  sse.send({ type: "response.code_interpreter_call.completed", ...where });
  sse.send({ type: "response.output_item.done", output_index: outputIndex, item });
  return item;
}
