/**
 * What the file-based corpora (retrieval, data questions) share: reading a corpus's cases, and putting a
 * corpus's folder of files into the emulator the way a user's code does (the SDKs' own upload calls).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { toFile } from "openai";
import type { startLab } from "../support.ts";

type Lab = Awaited<ReturnType<typeof startLab>>;

export const CORPUS_DIR = import.meta.dirname;

/**
 * The cases of `<corpus>.json`. `knownMisses`: only the cases kept out for a known miss (`pnpm bench`
 * counts them in a round's rate); otherwise only the others.
 */
export function readCorpusCases<C extends { known_miss?: string }>(
  corpus: string,
  knownMisses: boolean,
): C[] {
  const { cases } = JSON.parse(readFileSync(path.join(CORPUS_DIR, `${corpus}.json`), "utf8")) as {
    cases: C[];
  };
  return cases.filter((c) => (c.known_miss !== undefined) === knownMisses);
}

/** Every file of `<folder>.files/`, in name order. */
function filesOf(folder: string): { name: string; bytes: Buffer }[] {
  const dir = path.join(CORPUS_DIR, `${folder}.files`);
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

/** The folder's files uploaded with `files.create` (for a code interpreter's container): their ids. */
export async function uploadFiles(lab: Lab, folder: string): Promise<string[]> {
  const ids: string[] = [];
  for (const { name, bytes } of filesOf(folder)) {
    const file = await lab.openai.files.create({ file: await toFile(bytes, name), purpose: "assistants" });
    ids.push(file.id);
  }
  return ids;
}

/** A vector store with the folder's files indexed by `uploadAndPoll` (for file search): its id. */
export async function indexFiles(lab: Lab, folder: string, storeName: string): Promise<string> {
  const store = await lab.openai.vectorStores.create({ name: storeName });
  for (const { name, bytes } of filesOf(folder)) {
    const file = await lab.openai.vectorStores.files.uploadAndPoll(store.id, await toFile(bytes, name));
    if (file.status !== "completed") throw new Error(`${name} was not indexed: ${file.last_error?.message}`);
  }
  return store.id;
}
