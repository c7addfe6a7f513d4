// Column alignment compatible with Go's text/tabwriter as docker's formatters configure it: cells are
// tab-terminated; a line's last cell does not widen its column; consecutive lines that have a cell in
// a column form a block whose width is its widest cell plus padding (at least minWidth).

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
  /** Pad with tabs instead of spaces (Go's padchar '\t'): column widths round up to tab stops. */
  tabs?: { tabWidth: number };
}

function pad(cell: string, width: number, tabs: TabwriterOptions['tabs']): string {
  if (!tabs) return cell.padEnd(width);
  const cellWidth = Math.ceil(width / tabs.tabWidth) * tabs.tabWidth;
  return cell + '\t'.repeat(Math.ceil((cellWidth - [...cell].length) / tabs.tabWidth));
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
  return rows.map((r, i) => r.map((cell, col) => (col < r.length - 1 ? pad(cell, widths[i]![col]!, opts.tabs) : cell)).join('') + '\n').join('');
}
