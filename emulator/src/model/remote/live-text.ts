/**
 * How much of a step's text, while it streams, can be shown already: the part no later piece can change.
 * The final answer drops `<think>…</think>`, a tool call written as text (chat-client.ts) and the
 * whitespace at both ends, and turns each `[n]` into a citation; so the text is held back from any of
 * these that has begun but not ended, and what was shown is always the start of the final answer.
 */
const TAGS = ["<think>", "<tool_call>", "<function_call>", "<tools>"];

export function settledText(raw: string, toolsOffered: boolean): string {
  let text = raw.replace(/<think>[\s\S]*?<\/think>\s*/g, "");
  const thinking = text.indexOf("<think>");
  if (thinking >= 0) text = text.slice(0, thinking);
  text = text.trimStart();
  if (toolsOffered) {
    // A reply that begins like JSON may be a whole tool call written as text: it shows only at the end.
    if (/^[{[`]/.test(text)) return "";
    const tagged = text.search(/<(?:tool_call|function_call|tools)>/);
    if (tagged >= 0) text = text.slice(0, tagged);
  }
  const partialTag = /<[a-z_]*$/.exec(text);
  if (partialTag && TAGS.some((tag) => tag.startsWith(partialTag[0]))) text = text.slice(0, partialTag.index);
  const partialMarker = /[[【]\d{0,3}(?:[†:][^\]】]*)?$/.exec(text);
  if (partialMarker) text = text.slice(0, partialMarker.index);
  return text.trimEnd();
}
