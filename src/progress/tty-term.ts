// The few lines of a running step's output shown under it in the tty display (protocol.md §5.3). The
// display shows what a small terminal fed that output would show, so a progress bar redrawn with `\r`
// stays on one row instead of filling the tail with its stale copies. Only what matters for that is
// emulated: line feeds, carriage returns, backspace, tabs and erase-to-end-of-line; other escape
// sequences (colours, cursor games) are dropped.
import { StringDecoder } from 'node:string_decoder';
import { cutToWidth } from './tty-text.js';

type EscapeState = 'text' | 'esc' | 'csi' | 'osc' | 'oscEsc';

/** A logical line longer than this loses its beginning: only its last rows can be on screen. */
const MAX_LINE = 16 * 1024;

export class LogTerminal {
  /** Logical lines (ended by `\n`), oldest first; the last one holds the cursor. */
  private lines: string[][] = [[]];
  private col = 0;
  private state: EscapeState = 'text';
  private csiParams = '';
  private readonly decoder = new StringDecoder('utf8');
  private written = false;

  /** @param keep logical lines to remember: at least the screen height, since each fills one row or more. */
  constructor(private readonly keep: number) {}

  /** Whether anything printable has been written. */
  get hasOutput(): boolean {
    return this.written;
  }

  write(data: Buffer): void {
    for (const ch of this.decoder.write(data)) this.put(ch);
  }

  /**
   * The non-blank rows of a `height`-row, `width`-column terminal showing everything written, top to
   * bottom. The cursor's row is the bottom one, so output ending in a newline leaves that row empty.
   */
  screen(width: number, height: number): string[] {
    if (width <= 0 || height <= 0) return [];
    const rows: string[] = [];
    for (let i = this.lines.length - 1; i >= 0 && rows.length < height; i--) {
      const wrapped = wrap((this.lines[i] as string[]).join(''), width);
      for (let j = wrapped.length - 1; j >= 0 && rows.length < height; j--) rows.push(wrapped[j] as string);
    }
    return rows.reverse().filter((r) => r.trim() !== '');
  }

  private get line(): string[] {
    return this.lines[this.lines.length - 1] as string[];
  }

  private put(ch: string): void {
    switch (this.state) {
      case 'esc':
        this.state = ch === '[' ? 'csi' : ch === ']' ? 'osc' : 'text';
        this.csiParams = '';
        return;
      case 'csi':
        if (ch >= '@' && ch <= '~') {
          this.state = 'text';
          // erase to end of line: how tools clear what is left of a longer previous progress line
          if (ch === 'K' && (this.csiParams === '' || this.csiParams === '0')) this.line.length = Math.min(this.line.length, this.col);
        } else {
          this.csiParams += ch;
        }
        return;
      case 'osc':
        if (ch === '\x07') this.state = 'text';
        else if (ch === '\x1b') this.state = 'oscEsc';
        return;
      case 'oscEsc':
        this.state = ch === '\\' ? 'text' : 'osc';
        return;
      case 'text':
        break;
    }
    switch (ch) {
      case '\x1b':
        this.state = 'esc';
        return;
      case '\n':
        this.lines.push([]);
        if (this.lines.length > this.keep + 1) this.lines.splice(0, this.lines.length - this.keep - 1);
        this.col = 0;
        return;
      case '\r':
        this.col = 0;
        return;
      case '\b':
        this.col = Math.max(0, this.col - 1);
        return;
      case '\t':
        do this.print(' ');
        while (this.col % 8 !== 0);
        return;
      default:
        if (ch < ' ' || (ch >= '\x7f' && ch <= '\x9f')) return;
        this.print(ch);
    }
  }

  private print(ch: string): void {
    const line = this.line;
    while (line.length < this.col) line.push(' ');
    line[this.col++] = ch;
    if (line.length > MAX_LINE) {
      const drop = line.length - MAX_LINE;
      line.splice(0, drop);
      this.col = Math.max(0, this.col - drop);
    }
    this.written = true;
  }
}

/** A line split into rows of `width` cells; an empty line is one empty row. */
function wrap(text: string, width: number): string[] {
  const rows: string[] = [];
  let rest = text;
  while (rest !== '') {
    let row = cutToWidth(rest, width);
    // a character wider than the whole row still has to go somewhere
    if (row === '') row = String.fromCodePoint(rest.codePointAt(0) as number);
    rows.push(row);
    rest = rest.slice(row.length);
  }
  if (rows.length === 0) rows.push('');
  return rows;
}
