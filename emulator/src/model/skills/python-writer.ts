/**
 * The Python the lab model writes for a code_interpreter call: summary statistics of a CSV, or the
 * analysis it planned from the question (a total, mean, median, minimum, maximum or count of a column
 * or of a ratio of two columns, overall or per group, over the rows a filter keeps; the largest or
 * smallest groups or rows; a bar or line chart). Standard library only (the chart is an SVG the code
 * draws itself). Every number the user sees is computed by this code in the sandbox, never by the
 * emulator; the code's last printed line, `answer: …`, is what the message states.
 */

export type Aggregate = "sum" | "mean" | "median" | "min" | "max" | "count";

/** One analysis of one CSV, as the lab model plans it from the question (see data-plan.ts). */
export interface Analysis {
  csv: string;
  /** The CSV's delimiter when it is not a comma (";", tab, "|"). */
  delimiter?: string;
  /** Numbers use a decimal comma ("3,5"). */
  decimalComma?: boolean;
  /** The numeric column measured; none: the rows are counted. */
  value?: string;
  /** With `value`, the column it is divided by: total value / total per (per group). */
  per?: string;
  aggregate: Aggregate;
  /** The column whose values are the groups. */
  groupBy?: string;
  /** Group a date column (YYYY-MM-DD…) by its month or year rather than by each date. */
  period?: "month" | "year";
  /** Keep only the rows whose column holds one of the values (compared without case). */
  filters: { column: string; values: string[] }[];
  /** Keep only the rows whose numeric column compares so with the number ("resolution_hours > 24"). */
  thresholds?: { column: string; op: ">" | ">=" | "<" | "<="; value: number }[];
  /** Keep only the rows whose date column (YYYY-MM-DD…) falls in these months (of any year) and/or year. */
  dates?: { column: string; months?: number[]; label?: string; year?: number }[];
  /** The n largest or smallest groups (or rows, without groupBy). */
  rank?: { order: "largest" | "smallest"; n: number };
  /** Draw the groups as a chart into this file; `asked`: the kind asked for when it is not drawn ("scatter"). */
  chart?: { kind: "bar" | "line" | "pie"; output: string; asked?: string };
  /** Count the distinct values of this label column ("how many regions are there"), and list them. */
  distinct?: string;
  /** With `groupBy` restricted by a filter to the values named: each one's measure ("compare North and South"). */
  compare?: boolean;
  /** With `groupBy` a date or time column: the measure in time order, first to last ("the trend of revenue"). */
  trend?: boolean;
  /** Show the matching rows themselves. */
  lookup?: boolean;
  /** The filtered rows' measure as a percentage of all rows' ("what share of revenue is the South's"). */
  share?: boolean;
  /** With `groupBy`: the average of the groups' measures ("average monthly revenue"). */
  across?: "mean";
}

const py = (text: string) => JSON.stringify(text); // a JSON string is a valid Python string literal

const AGGREGATE_CODE: Record<Exclude<Aggregate, "count">, string> = {
  sum: "sum(values)",
  mean: "statistics.fmean(values)",
  median: "statistics.median(values)",
  min: "min(values)",
  max: "max(values)",
};

/** The Python for an analysis: read the CSV, filter, group, measure, print; the last line is the answer. */
export function analysisCode(a: Analysis): string {
  const out: string[] = [];
  out.push("import csv", "import statistics", "");
  out.push(`CSV = ${py(a.csv)}`);
  out.push(
    'with open(CSV, newline="", encoding="utf-8-sig", errors="replace") as f:',
    `    rows = list(csv.DictReader(f${a.delimiter && a.delimiter !== "," ? `, delimiter=${py(a.delimiter)}` : ""}))`,
    'print(f"{CSV}: {len(rows)} rows")',
    "",
    "",
    "def number(text):",
    '    """A cell as a number (1,234.5, €12 and 45% count too), else None."""',
    "    try:",
    a.decimalComma
      ? '        return float(str(text).strip().lstrip("$€£").rstrip("%").replace(".", "").replace(",", "."))'
      : '        return float(str(text).strip().lstrip("$€£").rstrip("%").replace(",", ""))',
    "    except ValueError:",
    "        return None",
    "",
    "",
    "def fmt(v):",
    '    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"',
    "",
    "",
    "def finish(answer):",
    '    print(f"answer: {answer}")',
    "    raise SystemExit(0)",
    "",
  );
  if (a.share) out.push("all_rows = rows  # the whole, before any filter");
  for (const filter of a.filters) {
    const wanted = `{${filter.values.map((v) => py(v.toLowerCase())).join(", ")}}`;
    out.push(
      "",
      `# Only the rows whose ${filter.column} is ${filter.values.join(" or ")}.`,
      `rows = [row for row in rows if (row.get(${py(filter.column)}) or "").strip().lower() in ${wanted}]`,
      `print(f"{len(rows)} row{'s' if len(rows) != 1 else ''} where ${escapeBraces(filter.column)} is ${escapeBraces(filter.values.join(" or "))}")`,
    );
  }
  for (const d of a.dates ?? []) {
    const tests = [
      ...(d.year ? [`(row.get(${py(d.column)}) or "")[:4] == "${d.year}"`] : []),
      ...(d.months
        ? [
            `(row.get(${py(d.column)}) or "")[5:7] in {${d.months.map((m) => py(String(m).padStart(2, "0"))).join(", ")}}`,
          ]
        : []),
    ];
    const what = [d.year ? `year ${d.year}` : "", d.label ?? ""].filter(Boolean).join(", ");
    out.push(
      "",
      `# Only the rows whose ${d.column} is in ${what}.`,
      `rows = [row for row in rows if ${tests.join(" and ")}]`,
      `print(f"{len(rows)} row{'s' if len(rows) != 1 else ''} where ${escapeBraces(d.column)} is in ${what}")`,
    );
  }
  for (const t of a.thresholds ?? []) {
    out.push(
      "",
      `# Only the rows whose ${t.column} is ${t.op} ${t.value}.`,
      `rows = [row for row in rows if (v := number(row.get(${py(t.column)}))) is not None and v ${t.op} ${t.value}]`,
      `print(f"{len(rows)} row{'s' if len(rows) != 1 else ''} where ${escapeBraces(t.column)} ${t.op} ${t.value}")`,
    );
  }
  if (a.filters.length > 0 || (a.dates ?? []).length > 0 || (a.thresholds ?? []).length > 0)
    out.push("if not rows:", `    finish("no rows match")`);
  out.push("", "", ...measureCode(a), "");
  if (a.lookup) {
    out.push(
      "for row in rows[:20]:",
      '    print("; ".join(f"{k}: {v}" for k, v in row.items()))',
      'print(f"answer: {len(rows)} matching row{\'s\' if len(rows) != 1 else \'\'}" + (" (the first 20 shown)" if len(rows) > 20 else ""))',
    );
    return `${out.join("\n")}\n`;
  }
  if (a.distinct !== undefined) {
    out.push(
      `# The distinct values of ${a.distinct}, in the order they first appear.`,
      `values = list(dict.fromkeys(v for row in rows if (v := (row.get(${py(a.distinct)}) or "").strip())))`,
      'print(", ".join(values[:30]) + (f", … ({len(values) - 30} more)" if len(values) > 30 else ""))',
      'print(f"answer: {len(values)}")',
    );
    return `${out.join("\n")}\n`;
  }
  if (a.groupBy === undefined) {
    if (a.rank) {
      const key = a.value ?? "";
      out.push(
        `ranked = sorted((row for row in rows if number(row[${py(key)}]) is not None), key=lambda row: number(row[${py(key)}]), reverse=${a.rank.order === "largest" ? "True" : "False"})`,
        `for row in ranked[:${a.rank.n}]:`,
        '    print("; ".join(f"{k}: {v}" for k, v in row.items()))',
        "if not ranked:",
        `    finish("no numeric values of ${escapeBraces(key)}")`,
        `print("answer: " + ", ".join(fmt(number(row[${py(key)}])) for row in ranked[:${a.rank.n}]))`,
      );
      return `${out.join("\n")}\n`;
    }
    out.push(
      "result = measure(rows)",
      "if result is None:",
      `    finish("no numeric values to compute with")`,
    );
    if (a.share) {
      out.push(
        "whole = measure(all_rows)",
        "if not whole:",
        `    finish("no numeric values to compute with")`,
        'print(f"{fmt(result)} of {fmt(whole)}")',
        'print(f"answer: {result / whole * 100:.1f}%")',
      );
      return `${out.join("\n")}\n`;
    }
    if (a.value !== undefined && (a.aggregate === "max" || a.aggregate === "min") && a.per === undefined) {
      out.push(
        "# The row(s) that hold it.",
        `for row in rows:`,
        `    if number(row[${py(a.value)}]) == result:`,
        '        print("; ".join(f"{k}: {v}" for k, v in row.items()))',
      );
    }
    out.push('print(f"answer: {fmt(result)}")');
    return `${out.join("\n")}\n`;
  }
  out.push(
    a.period
      ? `# Group the rows by the ${a.period} of ${a.groupBy} (its first ${a.period === "month" ? 7 : 4} characters), in order.`
      : `# Group the rows by ${a.groupBy}, in the order its values first appear.`,
    "groups = {}",
    "for row in rows:",
    `    groups.setdefault((row.get(${py(a.groupBy)}) or "")${a.period ? `[:${a.period === "month" ? 7 : 4}]` : ""}, []).append(row)`,
    ...(a.period ? ["groups = dict(sorted(groups.items()))"] : []),
    "results = {key: measure(group) for key, group in groups.items()}",
    "results = {key: value for key, value in results.items() if value is not None}",
    "if not results:",
    `    finish("no numeric values to compute with")`,
  );
  const named = a.compare ? a.filters.find((f) => f.column === a.groupBy)?.values : undefined;
  if (named) {
    out.push(
      "# In the order the question names them.",
      `NAMED = [${named.map((v) => py(v.toLowerCase())).join(", ")}]`,
      "results = dict(sorted(results.items(), key=lambda kv: NAMED.index(kv[0].strip().lower()) if kv[0].strip().lower() in NAMED else len(NAMED)))",
    );
  }
  if (a.chart?.kind === "line" || a.trend) {
    out.push(
      "# A line runs in order: numbers and dates sort as such, other labels keep their order.",
      "def order(key):",
      "    n = number(key)",
      '    return (0, n, "") if n is not None else (1, 0, key)',
      "",
      "",
      "if all(number(k) is not None for k in results) or all(k[:4].isdigit() for k in results):",
      "    results = dict(sorted(results.items(), key=lambda kv: order(kv[0])))",
    );
  }
  if (a.chart) {
    out.push("for key, total in results.items():", '    print(f"{key}: {fmt(total)}")', "");
    out.push(chartDrawing(a));
    return `${out.join("\n")}\n`;
  }
  if (a.across) {
    out.push(
      "for key, value in results.items():",
      '    print(f"{key}: {fmt(value)}")',
      "# The average over the groups, each group's measure counting once.",
      'print(f"answer: {fmt(statistics.fmean(results.values()))}")',
    );
    return `${out.join("\n")}\n`;
  }
  if (a.rank) {
    out.push(
      `ranked = sorted(results.items(), key=lambda kv: kv[1], reverse=${a.rank.order === "largest" ? "True" : "False"})`,
      "for key, value in ranked:",
      '    print(f"{key}: {fmt(value)}")',
      `print("answer: " + ", ".join(f"{key} ({fmt(value)})" for key, value in ranked[:${a.rank.n}]))`,
    );
  } else if (a.trend) {
    out.push(
      "for key, value in results.items():",
      '    print(f"{key}: {fmt(value)}")',
      "# The first and the last period: where the measure went.",
      "(first, start), (last, end) = list(results.items())[0], list(results.items())[-1]",
      'change = f" ({(end - start) / abs(start) * 100:+.1f}%)" if start else ""',
      'direction = "up" if end > start else "down" if end < start else "unchanged"',
      'print(f"answer: {direction}, from {fmt(start)} ({first}) to {fmt(end)} ({last}){change}")',
    );
  } else {
    out.push(
      "for key, value in results.items():",
      '    print(f"{key}: {fmt(value)}")',
      a.compare
        ? 'print("answer: " + "; ".join(f"{key} {fmt(value)}" for key, value in results.items()))'
        : `print(f"answer: {len(results)} groups")`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** `measure(rows)`: the one number the question asks for, over some rows. */
function measureCode(a: Analysis): string[] {
  if (a.value === undefined || a.aggregate === "count") {
    return ["def measure(rows):", "    return len(rows)"];
  }
  if (a.per !== undefined) {
    return [
      `# ${a.value} per ${a.per}: the total of one divided by the total of the other.`,
      "def measure(rows):",
      `    top = sum(v for v in (number(row[${py(a.value)}]) for row in rows) if v is not None)`,
      `    bottom = sum(v for v in (number(row[${py(a.per)}]) for row in rows) if v is not None)`,
      "    return top / bottom if bottom else None",
    ];
  }
  return [
    "def measure(rows):",
    `    values = [v for v in (number(row[${py(a.value)}]) for row in rows) if v is not None]`,
    `    return ${AGGREGATE_CODE[a.aggregate]} if values else None`,
  ];
}

function escapeBraces(text: string): string {
  return text.replace(/[{}]/g, (c) => c + c).replace(/"/g, '\\"');
}

/** The SVG a chart is drawn as, by hand with the standard library: axes, grid, one bar or point per group. */
function chartDrawing(a: Analysis): string {
  const chart = a.chart ?? { kind: "bar", output: "chart.svg" };
  const what = a.value === undefined ? "rows" : a.per ? `${a.value} per ${a.per}` : a.value;
  if (chart.kind === "pie") return pieDrawing(chart.output, `${what} by ${a.groupBy ?? ""}`);
  return `from html import escape

KIND, OUTPUT, TITLE = ${py(chart.kind)}, ${py(chart.output)}, ${py(`${what} by ${a.groupBy ?? ""}`)}
# The x labels are turned 40 degrees: the margins below and to the left grow with the longest label and
# with the first one (about 7 px a character at 12 px), so no label is cut off; a very long one is shortened.
labels = [k if len(k) <= 28 else k[:27] + "…" for k in map(str, results)]
n = len(labels)
W, RIGHT, TOP, PLOT = 760, 30, 50, 300
BOTTOM = max(90, int(max(map(len, labels)) * 7 * 0.65) + 36)
H = TOP + PLOT + BOTTOM
LEFT = max(90, int((len(labels[0]) * 7 * 0.77 + 6 - (W - RIGHT) / (2 * n)) / (1 - 1 / (2 * n))) + 1)
top = max(max(results.values()), 0) or 1
slot = (W - LEFT - RIGHT) / n


def y(v):
    return H - BOTTOM - max(v, 0) / top * (H - TOP - BOTTOM)


svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
    'font-family="sans-serif" font-size="12">',
    '<rect width="100%" height="100%" fill="white"/>',
    f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="16">{escape(KIND)} chart: {escape(TITLE)}</text>',
]
for i in range(6):
    v = top * i / 5
    svg.append(f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{W - RIGHT}" y2="{y(v):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
points = []
for i, ((key, total), label) in enumerate(zip(results.items(), labels)):
    x = LEFT + slot * (i + 0.5)
    points.append(f"{x:.1f},{y(total):.1f}")
    if KIND == "bar":
        svg.append(
            f'<rect x="{x - slot * 0.35:.1f}" y="{y(total):.1f}" width="{slot * 0.7:.1f}" '
            f'height="{H - BOTTOM - y(total):.1f}" fill="#3b6ea5"><title>{escape(key)}: {fmt(total)}</title></rect>'
        )
    svg.append(
        f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="end" '
        f'transform="rotate(-40 {x:.1f} {H - BOTTOM + 16})">{escape(label)}<title>{escape(key)}</title></text>'
    )
if KIND == "line":
    svg.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#3b6ea5" stroke-width="2.5"/>')
    svg.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3.5" fill="#3b6ea5"/>' for p in points)
svg.append(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#333"/>')
svg.append("</svg>")
with open(OUTPUT, "w", encoding="utf-8") as f:
    f.write("\\n".join(svg) + "\\n")
print(f"answer: saved {OUTPUT} ({len(results)} values)")`;
}

/** A pie: one slice per group, its share of the whole, with a legend of values and percentages. */
function pieDrawing(output: string, title: string): string {
  return `import math
from html import escape

OUTPUT, TITLE = ${py(output)}, ${py(title)}
# A slice is a share of a whole: negative values have none.
if any(v < 0 for v in results.values()):
    finish("a pie chart cannot show negative values; a bar chart can")
COLORS = ["#3b6ea5", "#e07b39", "#5aa469", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]
whole = sum(results.values()) or 1
n = len(results)
W, CX, CY, R = 760, 220, 240, 170
H = max(440, 90 + 22 * n)
svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
    'font-family="sans-serif" font-size="12">',
    '<rect width="100%" height="100%" fill="white"/>',
    f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="16">pie chart: {escape(TITLE)}</text>',
]
angle = -math.pi / 2  # the first slice starts at twelve o'clock and they run clockwise
for i, (key, value) in enumerate(results.items()):
    share, color = value / whole, COLORS[i % len(COLORS)]
    tip = f"<title>{escape(key)}: {fmt(value)} ({share:.1%})</title>"
    if share > 0.9999:
        svg.append(f'<circle cx="{CX}" cy="{CY}" r="{R}" fill="{color}">{tip}</circle>')
    elif share > 0:
        end = angle + share * 2 * math.pi
        x1, y1 = CX + R * math.cos(angle), CY + R * math.sin(angle)
        x2, y2 = CX + R * math.cos(end), CY + R * math.sin(end)
        svg.append(
            f'<path d="M {CX} {CY} L {x1:.1f} {y1:.1f} A {R} {R} 0 {1 if share > 0.5 else 0} 1 {x2:.1f} {y2:.1f} Z" '
            f'fill="{color}" stroke="white">{tip}</path>'
        )
        angle = end
    label = key if len(key) <= 40 else key[:39] + "…"
    y = 70 + 22 * i
    svg.append(f'<rect x="440" y="{y - 11}" width="14" height="14" fill="{color}"/>')
    svg.append(f'<text x="462" y="{y}">{escape(label)}: {fmt(value)} ({share:.1%})</text>')
svg.append("</svg>")
with open(OUTPUT, "w", encoding="utf-8") as f:
    f.write("\\n".join(svg) + "\\n")
print(f"answer: saved {OUTPUT} ({n} values)")`;
}

export function summaryCode(csv: string, delimiter = ",", decimalComma = false): string {
  return `import csv
import statistics

CSV = ${py(csv)}
with open(CSV, newline="", encoding="utf-8-sig", errors="replace") as f:
    rows = list(csv.DictReader(f${delimiter !== "," ? `, delimiter=${py(delimiter)}` : ""}))
columns = list(rows[0]) if rows else []
print(f"{CSV}: {len(rows)} rows; columns: {', '.join(columns)}")


def number(text):
    try:
        return float(${decimalComma ? 'text.replace(".", "").replace(",", ".")' : "text"})
    except (AttributeError, TypeError, ValueError):
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
