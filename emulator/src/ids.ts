/**
 * Ids and clocks. Ids are random rather than counters because several processes may share one data
 * folder (a demo run next to `pnpm emulator`); timestamps are Unix seconds because the Azure SDK turns
 * them into dates with `new Date(x * 1000)`.
 */
import { randomBytes } from "node:crypto";

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("hex")}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
