/**
 * The Python the lab model writes for a code_interpreter call. It writes only a few fixed analyses of a
 * CSV (summary statistics; a bar or line chart of one numeric column, summed per value of another), with
 * the names filled in, and uses only the standard library (the chart is an SVG the code draws itself).
 * Every number the user sees is computed by this code in the sandbox, never by the emulator.
 */

export interface ChartRequest {
  csv: string;
  kind: "bar" | "line";
  /** The numeric column to plot (summed per group). */
  value: string;
  /** The column whose values are the bars or the line's points, in order of first appearance. */
  by: string;
  /** The file the chart is written to, in the container folder. */
  output: string;
}

const py = (text: string) => JSON.stringify(text); // a JSON string is a valid Python string literal

export function summaryCode(csv: string): string {
  return `import csv
import statistics

CSV = ${py(csv)}
with open(CSV, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
columns = list(rows[0]) if rows else []
print(f"{CSV}: {len(rows)} rows; columns: {', '.join(columns)}")


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


print(f"{'column':<14}{'count':>7}{'mean':>14}{'median':>14}{'min':>14}{'max':>14}{'stdev':>14}")
for column in columns:
    values = [number(row[column]) for row in rows]
    if None in values:
        distinct = sorted({row[column] for row in rows})
        more = ", ..." if len(distinct) > 6 else ""
        print(f"{column:<14}{len(values):>7}  text, {len(distinct)} distinct: {', '.join(distinct[:6])}{more}")
        continue
    stdev = statistics.stdev(values) if len(values) > 1 else 0.0
    print(
        f"{column:<14}{len(values):>7}{statistics.fmean(values):>14,.2f}{statistics.median(values):>14,.2f}"
        f"{min(values):>14,.2f}{max(values):>14,.2f}{stdev:>14,.2f}"
    )
`;
}

export function chartCode(chart: ChartRequest): string {
  return `import csv
from html import escape

CSV, VALUE, BY, KIND, OUTPUT = ${py(chart.csv)}, ${py(chart.value)}, ${py(chart.by)}, ${py(chart.kind)}, ${py(chart.output)}

# Sum VALUE for each BY, in the order the BY values first appear.
totals = {}
with open(CSV, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        try:
            totals[row[BY]] = totals.get(row[BY], 0.0) + float(row[VALUE])
        except (KeyError, TypeError, ValueError):
            continue
if not totals:
    raise SystemExit(f"no numeric values of {VALUE!r} per {BY!r} in {CSV}")
for key, total in totals.items():
    print(f"{key}: {total:,.2f}")

# An SVG drawn by hand: axes, five grid lines, one bar (or point) per group.
W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 440, 90, 30, 50, 90
top = max(max(totals.values()), 0) or 1
slot = (W - LEFT - RIGHT) / len(totals)


def y(v):
    return H - BOTTOM - max(v, 0) / top * (H - TOP - BOTTOM)


svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
    'font-family="sans-serif" font-size="12">',
    '<rect width="100%" height="100%" fill="white"/>',
    f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="16">{escape(KIND)} chart: {escape(VALUE)} by {escape(BY)}</text>',
]
for i in range(6):
    v = top * i / 5
    svg.append(f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{W - RIGHT}" y2="{y(v):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
points = []
for i, (key, total) in enumerate(totals.items()):
    x = LEFT + slot * (i + 0.5)
    points.append(f"{x:.1f},{y(total):.1f}")
    if KIND == "bar":
        svg.append(
            f'<rect x="{x - slot * 0.35:.1f}" y="{y(total):.1f}" width="{slot * 0.7:.1f}" '
            f'height="{H - BOTTOM - y(total):.1f}" fill="#3b6ea5"><title>{escape(key)}: {total:,.2f}</title></rect>'
        )
    svg.append(
        f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="end" '
        f'transform="rotate(-40 {x:.1f} {H - BOTTOM + 16})">{escape(key)}</text>'
    )
if KIND == "line":
    svg.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#3b6ea5" stroke-width="2.5"/>')
    svg.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3.5" fill="#3b6ea5"/>' for p in points)
svg.append(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#333"/>')
svg.append("</svg>")
with open(OUTPUT, "w", encoding="utf-8") as f:
    f.write("\\n".join(svg) + "\\n")
print(f"saved {OUTPUT} ({len(totals)} {BY} values)")
`;
}
