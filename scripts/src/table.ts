/** A plain-text table that reads the same in a terminal and pasted into Markdown. */
export function markdownTable(header: string[], rows: string[][]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => [...(row[i] ?? "")].length)));
  const line = (row: string[]) =>
    `| ${row.map((text, i) => text + " ".repeat((widths[i] ?? 0) - [...text].length)).join(" | ")} |`;
  const [head = [], ...body] = all;
  return [line(head), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}
