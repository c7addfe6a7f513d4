// Terminal cell arithmetic for the tty display. Its frame is redrawn by moving the cursor up one row per
// line, so a line that is wider than the terminal (and wraps) would leave the next frame misplaced: every
// line is measured in cells, not UTF-16 units, and cut to fit.

/** Cells a code point occupies: 0 for combining marks and zero-width characters, 2 for wide (East Asian, emoji). */
export function codePointCells(cp: number): number {
  if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060 || cp === 0xfeff) return 0;
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

export function cellWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += codePointCells(ch.codePointAt(0) as number);
  return w;
}

/** The longest prefix of `text` that fits in `cells` columns (a wide character that would straddle the edge is left out). */
export function cutToWidth(text: string, cells: number): string {
  if (cells <= 0) return '';
  let w = 0;
  let end = 0;
  for (const ch of text) {
    const cw = codePointCells(ch.codePointAt(0) as number);
    if (w + cw > cells) break;
    w += cw;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** `text` cut to `cells` columns, then padded with spaces to exactly that width. */
export function fitToWidth(text: string, cells: number): string {
  const cut = cutToWidth(text, cells);
  return cut + ' '.repeat(Math.max(0, cells - cellWidth(cut)));
}

/**
 * Control characters turned into spaces: a newline or tab in a vertex name (a heredoc RUN, say) would
 * otherwise break the line structure the redraw depends on.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
