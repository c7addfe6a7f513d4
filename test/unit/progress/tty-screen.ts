// A tiny terminal for the tty renderer tests: applies output the way a VT100 does (auto-wrap at the last
// column, line feed as CR+LF like a tty with onlcr, scrolling into a scrollback) and understands the
// sequences the renderer emits. Anything else it meets fails the test, so a stray sequence is noticed.
// ASCII only: every character takes one cell.

export class Screen {
  readonly scrollback: string[] = [];
  cursorVisible = true;
  private grid: string[][];
  private row = 0;
  private col = 0;
  /** The cursor sits past the last column; the next printable character wraps first. */
  private pendingWrap = false;

  constructor(readonly width: number, readonly height: number) {
    this.grid = Array.from({ length: height }, () => this.blank());
  }

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === '\x1b') {
        const m = /^\x1b\[(\?25[lh]|[0-9;]*[A-Za-z])/.exec(text.slice(i));
        if (!m) throw new Error(`unexpected escape sequence at ${JSON.stringify(text.slice(i, i + 12))}`);
        this.control(m[1] as string);
        i += m[0].length - 1;
        continue;
      }
      if (ch === '\n') {
        this.lineFeed();
        this.col = 0;
        this.pendingWrap = false;
      } else if (ch === '\r') {
        this.col = 0;
        this.pendingWrap = false;
      } else if (ch < ' ') {
        throw new Error(`unexpected control character ${JSON.stringify(ch)}`);
      } else {
        if (this.pendingWrap) {
          this.lineFeed();
          this.col = 0;
          this.pendingWrap = false;
        }
        (this.grid[this.row] as string[])[this.col] = ch;
        if (this.col === this.width - 1) this.pendingWrap = true;
        else this.col++;
      }
    }
  }

  /** Visible rows, trailing spaces removed. */
  lines(): string[] {
    return this.grid.map((r) => r.join('').trimEnd());
  }

  /** Visible rows up to the last non-empty one. */
  text(): string[] {
    const l = this.lines();
    while (l.length && l[l.length - 1] === '') l.pop();
    return l;
  }

  /** Scrollback and screen, as after the program ended. */
  history(): string[] {
    const l = [...this.scrollback, ...this.lines()];
    while (l.length && l[l.length - 1] === '') l.pop();
    return l;
  }

  get cursor(): { row: number; col: number } {
    return { row: this.row, col: this.col };
  }

  private blank(): string[] {
    return Array.from({ length: this.width }, () => ' ');
  }

  private lineFeed(): void {
    if (this.row < this.height - 1) {
      this.row++;
      return;
    }
    this.scrollback.push((this.grid.shift() as string[]).join('').trimEnd());
    this.grid.push(this.blank());
  }

  private control(seq: string): void {
    if (seq === '?25l' || seq === '?25h') {
      this.cursorVisible = seq === '?25h';
      return;
    }
    const final = seq[seq.length - 1] as string;
    // SGR (colours) does not move anything
    if (final === 'm') return;
    const n = seq.length > 1 ? Number.parseInt(seq.slice(0, -1), 10) : Number.NaN;
    this.pendingWrap = false;
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - (Number.isNaN(n) ? 1 : n));
        return;
      case 'B':
        this.row = Math.min(this.height - 1, this.row + (Number.isNaN(n) ? 1 : n));
        return;
      case 'G':
        this.col = Math.min(this.width - 1, Math.max(0, (Number.isNaN(n) ? 1 : n) - 1));
        return;
      case 'J':
        (this.grid[this.row] as string[]).fill(' ', this.col);
        for (let r = this.row + 1; r < this.height; r++) this.grid[r] = this.blank();
        return;
      case 'K':
        (this.grid[this.row] as string[]).fill(' ', this.col);
        return;
      default:
        throw new Error(`unexpected control sequence ESC[${seq}`);
    }
  }
}

/** Removes colour (SGR) sequences, leaving cursor movement alone. */
export function stripSgr(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
