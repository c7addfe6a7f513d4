// Column alignment compatible with Go's text/tabwriter as docker's formatters configure it: cells are
// tab-terminated; a line's last cell does not widen its column; consecutive lines that have a cell in
// a column form a block whose width is its widest cell plus padding (at least minWidth).

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
  /** `\t` pads with tabs, each counted as `tabWidth` columns (Go's padchar '\t'); default spaces. */
  padChar?: ' ' | '\t';
  tabWidth?: number;
}

export function tabwrite(lines: string[], opts: TabwriterOptions): string {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[][] = rows.map((r) => new Array<number>(Math.max(0, r.length - 1)).fill(0));
  const maxCols = Math.max(0, ...rows.map((r) => r.length - 1));
  for (let col = 0; col < maxCols; col++) {
    let start = 0;
    while (start < rows.length) {
      if (rows[start]!.length - 1 <= col) {
        start++;
        continue;
      }
      let end = start;
      let width = 0;
      while (end < rows.length && rows[end]!.length - 1 > col) {
        width = Math.max(width, [...rows[end]![col]!].length + opts.padding);
        end++;
      }
      width = Math.max(width, opts.minWidth);
      for (let i = start; i < end; i++) widths[i]![col] = width;
      start = end;
    }
  }
  const pad = opts.padChar === '\t' ? tabPad(opts.tabWidth ?? 8) : (cell: string, w: number) => cell.padEnd(w);
  return rows.map((r, i) => r.map((cell, col) => (col < r.length - 1 ? pad(cell, widths[i]![col]!) : cell)).join('') + '\n').join('');
}

/** Go's tab padding: the cell width rounded up to a tab stop, filled with as many tabs as it takes. */
function tabPad(tabWidth: number): (cell: string, width: number) => string {
  return (cell, width) => {
    const cellw = Math.ceil(width / tabWidth) * tabWidth;
    return cell + '\t'.repeat(Math.ceil((cellw - [...cell].length) / tabWidth));
  };
}
