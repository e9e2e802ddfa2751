/** A piece of the user's text that one parser recognized, with where it sits (so it is used only once). */
export interface Span {
  text: string;
  index: number;
  end: number;
}

export function overlaps(a: { index: number; end: number }, b: { index: number; end: number }): boolean {
  return a.index < b.end && b.index < a.end;
}

/** Cuts the spans out of the text (replaced by a comma, so phrases on either side stay apart). */
export function without(text: string, spans: Array<{ index: number; end: number }>): string {
  let out = "";
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.index - b.index)) {
    if (s.index < at) continue;
    out += `${text.slice(at, s.index)} , `;
    at = s.end;
  }
  return out + text.slice(at);
}
