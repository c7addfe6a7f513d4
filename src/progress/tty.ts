// The `tty` renderer (protocol.md §5.3): a frame of one header line and one line per step, redrawn in
// place. Each frame is returned as one string holding the cursor movement that puts it over the previous
// frame; pacing, terminal size and output live in tty-writer.ts, so this class can be driven frame by
// frame with a fake clock and a fake terminal size.
import { formatBytes, formatFixed, nanosToSeconds } from './format.js';
import { ProgressModel, type VertexState } from './model.js';
import { noStyle, type Styler } from './tty-colors.js';
import { LogTerminal } from './tty-term.js';
import { cellWidth, cutToWidth, fitToWidth, oneLine } from './tty-text.js';
import type { Nanos, SolveStatus, VertexStatus } from './types.js';

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_BELOW = `${ESC}J`;

/** ` => ` before every job line. */
const JOB_PREFIX = ' => ';
/** Log tail rows are indented by ` => => # ` and keep the last column free, like job lines. */
const TAIL_PREFIX = ' => => # ';
const TAIL_PAD = TAIL_PREFIX.length + 1;
/** Narrower than this, a job line is left out rather than shown as a stub. */
const MIN_NAME_CELLS = 12;
/** Lines a log tail needs beyond its own rows before one is shown (so jobs keep most of the screen). */
const TAIL_SLACK = 3;

export interface TtyRendererOptions {
  /** Right-aligned on the header line: `<driver>:<builder>`, e.g. `docker:default`. */
  consoleDescription?: string;
  /** Local clock, epoch ns. */
  now?: () => Nanos;
  /** Terminal width in columns, read at every frame. */
  columns?: () => number;
  /** Terminal height in rows, read at every frame. */
  rows?: () => number;
  style?: Styler;
  /** Rows of output shown under a running step (BUILDKIT_TTY_LOG_LINES); 0 shows none. Default 6. */
  logLines?: number;
  /** Log lines kept per step for the error block printed at the end. Default 1000. */
  keptLogLines?: number;
}

type Tone = 'run' | 'cancel' | 'warning' | 'error';

interface Job {
  name: string;
  /** Sizes, shown after the name when there is room. */
  status: string;
  seconds: number;
  completed: boolean;
  tone: Tone;
  /** The step whose log tail may follow this line. */
  vertex?: VertexState;
}

interface Activity {
  bytes: number;
  chunks: number;
}

export class TtyRenderer {
  readonly model: ProgressModel;
  style: Styler;
  private readonly consoleDescription: string;
  private readonly now: () => Nanos;
  private readonly columns: () => number;
  private readonly rows: () => number;
  private readonly logLines: number;
  private readonly terms = new Map<VertexState, LogTerminal>();
  /** Output since the last frame: the busiest steps get their tails first when the screen is short. */
  private activity = new Map<VertexState, Activity>();
  /** Cells of each line of the previous frame, header included; undefined before the first frame. */
  private previous?: number[];
  private previousColumns = 0;
  private previousRows = 0;

  constructor(opts: TtyRendererOptions = {}) {
    this.consoleDescription = opts.consoleDescription ?? '';
    this.now = opts.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.columns = opts.columns ?? (() => 80);
    this.rows = opts.rows ?? (() => 24);
    this.style = opts.style ?? noStyle;
    this.logLines = Math.max(0, opts.logLines ?? 6);
    this.model = new ProgressModel({
      now: this.now,
      logLines: opts.keptLogLines ?? 1000,
      listener: {
        log: (v, _pieces, raw) => {
          if (this.logLines === 0) return;
          let term = this.terms.get(v);
          if (!term) {
            term = new LogTerminal(this.logLines);
            this.terms.set(v, term);
          }
          term.write(raw.data);
          const a = this.activity.get(v) ?? { bytes: 0, chunks: 0 };
          a.bytes += raw.data.length;
          a.chunks++;
          this.activity.set(v, a);
        },
      },
    });
  }

  write(ss: SolveStatus): void {
    this.model.apply(ss);
  }

  /** The next frame, positioned over the previous one. */
  frame(): string {
    return this.draw(false);
  }

  /**
   * The last frame: every step, whatever the terminal height, so the scrollback keeps the whole build;
   * then the output of each failed step.
   */
  finish(): string {
    let out = this.draw(true);
    for (const v of this.model.vertices) {
      if (!v.hasError) continue;
      out += `------\n > ${v.name}:\n`;
      for (const line of v.lastLogLines()) out += `${line}\n`;
      out += '------\n';
    }
    return out;
  }

  private draw(final: boolean): string {
    const width = positive(this.columns(), 80);
    const height = positive(this.rows(), 24);
    const now = this.now();
    let jobs = this.jobs(now);
    const tails = new Map<VertexState, string[]>();
    if (!final) {
      const hidden = this.chooseTails(jobs, width, height, tails);
      jobs = scrollOff(jobs, height - 2 - hidden);
    }
    this.activity = new Map();

    const lines: string[] = [];
    const cells: number[] = [];
    const push = (text: string, styled: string = text) => {
      lines.push(styled);
      cells.push(cellWidth(text));
    };
    push(this.header(now, width, final));
    for (const j of jobs) {
      const text = jobLine(j, width);
      if (text === undefined) continue;
      push(text, j.completed ? this.style[j.tone](text) : text);
      const tail = j.vertex && tails.get(j.vertex);
      if (!tail) continue;
      for (const row of tail) {
        const t = TAIL_PREFIX + fitToWidth(row, width - TAIL_PAD);
        push(t, this.style.faint(t));
      }
    }

    let out = this.moveToFrameStart(width, height);
    out += HIDE_CURSOR;
    for (const l of lines) out += `${l}\n`;
    const leftover = (this.previous?.length ?? 0) - lines.length;
    if (leftover > 0) {
      out += `${' '.repeat(width)}\n`.repeat(leftover);
      out += `${ESC}${leftover}A\r`;
    }
    out += SHOW_CURSOR;
    this.previous = cells;
    this.previousColumns = width;
    this.previousRows = height;
    return out;
  }

  /**
   * Cursor up to the previous frame's header. After a resize the terminal may have rewrapped that frame
   * (lines are width−1 wide), so rows are counted at the new width and, after any resize, whatever is
   * below is cleared.
   */
  private moveToFrameStart(width: number, height: number): string {
    const prev = this.previous;
    if (!prev) return '\r';
    let rows = prev.length;
    const resized = width !== this.previousColumns || height !== this.previousRows;
    if (resized && width < this.previousColumns) {
      rows = prev.reduce((n, w) => n + Math.max(1, Math.ceil(w / width)), 0);
    }
    return `${rows > 0 ? `${ESC}${rows}A` : ''}\r${resized ? CLEAR_BELOW : ''}`;
  }

  private header(now: Nanos, width: number, final: boolean): string {
    const { total, completed } = this.model.counts();
    const start = this.model.startTime;
    const elapsed = start === undefined ? 0n : now - (start + this.model.localTimeDiff);
    const done = final && completed > 0 && completed === total;
    const left = `[+] Building ${formatFixed(nanosToSeconds(elapsed), 1)}s (${completed}/${total}) ${done ? 'FINISHED' : ''}`;
    const desc = this.consoleDescription;
    const room = width - 2 - cellWidth(desc);
    // Too narrow for both: the description is pushed out to the right and cut, never the counts.
    const line = desc === '' ? left : cellWidth(left) <= room ? `${fitToWidth(left, room)} ${desc}` : `${left} ${desc}`;
    return fitToWidth(line, width - 1);
  }

  /** Steps, then their status rows and warnings, in the order the steps started. */
  private jobs(now: Nanos): Job[] {
    const jobs: Job[] = [];
    const daemonNow = now - this.model.localTimeDiff;
    for (const v of this.model.vertices) {
      if (v.hidden) continue;
      let name = oneLine(v.name);
      let tone: Tone = 'run';
      if (v.isCanceled) {
        name = `CANCELED ${name}`;
        tone = 'cancel';
      } else if (v.error !== '') {
        name = `ERROR ${name}`;
        tone = 'error';
      }
      if (v.cached) name = `CACHED ${name}`;
      jobs.push({ name, status: '', seconds: nanosToSeconds(v.duration(daemonNow)), completed: v.isCompleted, tone, vertex: v });
      for (const s of v.statuses) {
        const start = s.started as Nanos;
        jobs.push({
          name: `=> ${oneLine(s.id)}`,
          status: sizes(s),
          seconds: nanosToSeconds((s.completed ?? daemonNow) - start),
          completed: s.completed !== undefined,
          tone: 'run',
        });
      }
      const last = v.mostRecentInterval;
      for (const w of v.warnings) {
        jobs.push({
          name: `WARN: ${oneLine(w.short.toString('utf8'))}`,
          status: '',
          seconds: last ? nanosToSeconds((last.stop ?? daemonNow) - last.start) : 0,
          completed: v.isCompleted,
          tone: 'warning',
        });
      }
    }
    return jobs;
  }

  /**
   * Picks the running steps whose output is shown, busiest first, while the screen has room for the
   * running jobs plus each tail; returns how many rows the chosen tails take.
   */
  private chooseTails(jobs: Job[], width: number, height: number, tails: Map<VertexState, string[]>): number {
    if (this.logLines === 0) return 0;
    const running = jobs.filter((j) => !j.completed).length;
    const score = (v: VertexState) => {
      const a = this.activity.get(v);
      return a ? a.bytes + a.chunks * 50 : 0;
    };
    const candidates = jobs
      .filter((j) => j.vertex && !j.completed && this.terms.get(j.vertex)?.hasOutput)
      .map((j) => j.vertex as VertexState)
      .sort((a, b) => score(b) - score(a));
    let free = height - 2 - running;
    let used = 0;
    for (const v of candidates) {
      if (free <= this.logLines + TAIL_SLACK) break;
      const rows = (this.terms.get(v) as LogTerminal).screen(width - TAIL_PAD, this.logLines);
      if (rows.length === 0) continue;
      tails.set(v, rows);
      used += rows.length;
      free -= this.logLines + TAIL_SLACK;
    }
    return used;
  }
}

function positive(n: number, fallback: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

function sizes(s: VertexStatus): string {
  if (s.total !== 0) return `${formatBytes(s.current)} / ${formatBytes(s.total)}`;
  if (s.current !== 0) return formatBytes(s.current);
  return '';
}

/**
 * ` => <name>[ <status>]`, then the timer right-aligned so the line is width−1 cells (the last column
 * stays free: writing into it makes some terminals wrap). Undefined when fewer than 12 cells are left
 * for the name.
 */
function jobLine(j: Job, width: number): string | undefined {
  const secs = j.seconds < 0.05 ? 0 : j.seconds;
  const timer = ` ${formatFixed(secs, 1)}s`;
  let room = width - JOB_PREFIX.length - timer.length - 2;
  let status = '';
  if (j.status !== '' && room - cellWidth(j.status) - 1 >= MIN_NAME_CELLS) {
    status = ` ${j.status}`;
    room -= cellWidth(status);
  }
  if (room < MIN_NAME_CELLS) return undefined;
  const left = JOB_PREFIX + cutToWidth(j.name, room) + status;
  return `${fitToWidth(left, width - 2 - timer.length)} ${timer}`;
}

/**
 * The jobs that fit in `limit` lines: the oldest completed ones go first, so running steps stay on screen
 * however long the build has been going; only if that is not enough do the oldest running ones go.
 */
export function scrollOff<T extends { completed: boolean }>(jobs: readonly T[], limit: number): T[] {
  if (limit <= 0) return [];
  let excess = jobs.length - limit;
  if (excess <= 0) return [...jobs];
  const drop = new Set<number>();
  for (let i = 0; i < jobs.length && excess > 0; i++) {
    if ((jobs[i] as T).completed) {
      drop.add(i);
      excess--;
    }
  }
  for (let i = 0; i < jobs.length && excess > 0; i++) {
    if (!drop.has(i)) {
      drop.add(i);
      excess--;
    }
  }
  return jobs.filter((_, i) => !drop.has(i));
}
