/**
 * The host side of a container's working folder. Only the emulator writes it: the code never sees it (its
 * files are copied into the sandbox's own /mnt/data and back), so whatever the code did (links, `..`,
 * names that are not UTF-8) reaches here only as a name to check and bytes to store. Names become plain
 * text that every later turn can read back; nothing here follows a link.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Folder depth a container path may have (`a/b/c/file`), as the files API lists it. */
export const MAX_DEPTH = 3;
const MAX_COMPONENT_BYTES = 255;
const utf8 = new TextDecoder("utf-8", { fatal: false });
const WINDOWS_FORBIDS = '<>:"|?*';

/** Control characters, backslashes, undecodable bytes and (for a Windows host folder) what Windows forbids become "_". */
function clean(part: string): string {
  return [...part]
    .map((c) => {
      const n = c.codePointAt(0) ?? 0;
      const unsafe =
        n < 0x20 ||
        n === 0x7f ||
        c === "\\" ||
        c === "\ufffd" ||
        (process.platform === "win32" && WINDOWS_FORBIDS.includes(c));
      return unsafe ? "_" : c;
    })
    .join("");
}

/**
 * A container-relative path for raw name bytes the code made (`/`-separated), or undefined when it
 * cannot be one (empty parts, `.` or `..`, too deep). Bytes that are not UTF-8 become "_".
 */
export function containedName(raw: Uint8Array): string | undefined {
  const parts = Buffer.from(raw)
    .toString("latin1")
    .split("/")
    .map((part) => Buffer.from(part, "latin1"));
  if (parts.length === 0 || parts.length > MAX_DEPTH + 1) return undefined;
  const out: string[] = [];
  for (const bytes of parts) {
    let part = clean(utf8.decode(bytes));
    while (Buffer.byteLength(part) > MAX_COMPONENT_BYTES) part = part.slice(0, -1);
    if (part === "" || part === "." || part === "..") return undefined;
    out.push(part);
  }
  return out.join("/");
}

/** The regular files of an emulator-written folder (relative names), never through a link. */
export function regularFiles(folder: string, prefix = "", depth = 0): string[] {
  const out: string[] = [];
  let entries: Buffer[];
  try {
    entries = readdirSync(path.join(folder, prefix), { encoding: "buffer" });
  } catch {
    return out;
  }
  for (const raw of entries) {
    const entry = raw.toString("utf8");
    if (!Buffer.from(entry, "utf8").equals(raw)) continue; // not UTF-8: not one of ours (an older emulator's)
    const rel = prefix === "" ? entry : `${prefix}/${entry}`;
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path.join(folder, rel));
    } catch {
      continue;
    }
    if (stat.isDirectory() && depth < MAX_DEPTH) out.push(...regularFiles(folder, rel, depth + 1));
    else if (stat.isFile() && stat.nlink === 1) out.push(rel);
  }
  return out;
}

/** Reads a file regularFiles listed (undefined if it is gone or no longer a regular file). */
export function readRegular(folder: string, name: string): Buffer | undefined {
  const where = path.join(folder, name);
  try {
    if (!lstatSync(where).isFile()) return undefined;
    return readFileSync(where);
  } catch {
    return undefined;
  }
}

/**
 * Writes `content` at the contained name `name` under `folder`, replacing whatever non-regular entry
 * (a link, a folder) stands in its way or in the way of its folders: the write never leaves `folder`.
 */
export function writeContained(folder: string, name: string, content: Uint8Array): void {
  const parts = name.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".."))
    throw new Error(`not a contained name: ${name}`);
  let where = folder;
  for (const part of parts.slice(0, -1)) {
    where = path.join(where, part);
    if (kindOf(where) !== "dir") {
      rmSync(where, { recursive: true, force: true });
      mkdirSync(where, { mode: 0o700 });
    }
  }
  where = path.join(where, parts[parts.length - 1] ?? "");
  const kind = kindOf(where);
  if (kind !== undefined && kind !== "file") rmSync(where, { recursive: true, force: true });
  else if (kind === "file" && lstatSync(where).nlink !== 1) rmSync(where, { force: true });
  writeFileSync(where, content, { mode: 0o600 }); // private, like the rest of the data folder
}

function kindOf(where: string): "dir" | "file" | "other" | undefined {
  try {
    const stat = lstatSync(where);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
  } catch {
    return undefined;
  }
}
