/**
 * What every part of `pnpm bench` measures with: repeated samples after a warm-up, median and p95, and a
 * ratio against a baseline measured in the same run, printed as one table.
 */
import { markdownTable } from "./table.ts";

export interface Row {
  what: string;
  median: number;
  p95: number;
  baseline?: string;
  ratio?: number;
}

export function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** A row of the ratio table; with a baseline, its median is compared with the baseline's. */
export function measured(what: string, samples: number[], baseline?: Row): Row {
  const row: Row = { what, ...stats(samples) };
  if (baseline) {
    row.baseline = baseline.what;
    row.ratio = row.median / baseline.median;
  }
  return row;
}

/** Runs `fn` once to warm up (file and compile caches), then `times` times; `fn` returns milliseconds. */
export async function sample(times: number, fn: () => Promise<number>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(await fn());
  return out;
}

export function ratioTable(rows: Row[]): string {
  return markdownTable(
    ["measurement", "median ms", "p95 ms", "ratio", "baseline"],
    rows.map((r) => [
      r.what,
      r.median.toFixed(1),
      r.p95.toFixed(1),
      // Two digits below 10×: a target such as ≤ 0.6× must not hide in the rounding.
      r.ratio ? `${r.ratio.toFixed(r.ratio < 10 ? 2 : 1)}×` : "1.0×",
      r.baseline ?? "(baseline)",
    ]),
  );
}
