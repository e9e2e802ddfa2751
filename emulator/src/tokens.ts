/**
 * How many tokens a text is, where no model counted them (the lab model; a local model server that sent
 * no `usage`): OpenAI's rule of thumb, a token per 4 characters of English (help.openai.com, "What are
 * tokens and how to count them?"). Against a real tokenizer (o200k_base) it is within a quarter on prose,
 * Markdown and code, where counting words is off by half; a tokenizer package would be exact only for
 * OpenAI's own models, and costs a load of about half a second and 100 MB (see the emulator's README).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.trim().length / 4);
}
