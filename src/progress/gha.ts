// The plain output for GitHub Actions logs (GITHUB_ACTIONS=true): each step's lines are printed as one
// block inside `::group::<step name>` / `::endgroup::` when the step completes, so the job log shows one
// collapsed row per step, in completion order, instead of interleaved `#N` lines. The lines inside a
// group are those of `plain` (header, statuses, warnings, `#N <t> <log>`, end line).
//
// A failed step is not grouped: its block, with every log line it produced, is printed in the open so the
// failure can be read without expanding anything. The error summary at the end is plain's (last 10 lines).
//
// Memory rule: a step's output waits in memory only until it reaches `maxBufferedChars` (4 MiB) — or
// until all waiting output reaches `maxTotalBufferedChars` (64 MiB), then the largest waits no longer.
// Such a step "spills": its group is opened at once, what it has is printed, and its further output
// streams straight into that open group. When another step needs to print, the open group is closed and
// the spilled step buffers again (up to the cap) until it completes or spills again, which opens a new
// group with the same title. So no output is ever dropped, and a long step's log appears in one or more
// groups named after it.
import { ProgressModel, type LogPiece, type VertexState } from './model.js';
import { endWord, statusLine } from './plain.js';
import type { Nanos, SolveStatus } from './types.js';

export interface GhaRendererOptions {
  /** Printed once as `#0 <description>` before the first block. */
  description?: string;
  /** Cut vertex names to 72 bytes plus `...` (PROGRESS_NO_TRUNC=0). */
  truncateNames?: boolean;
  /** Characters of output one step may hold back before it spills (see the memory rule above). */
  maxBufferedChars?: number;
  /** Characters all steps together may hold back before the largest spills. */
  maxTotalBufferedChars?: number;
  /** Local clock, epoch ns (the model's clock-skew estimate). */
  now?: () => Nanos;
}

/** What is held back for one vertex. */
interface Block {
  /** `#N`, by start order; 0 until the vertex starts (or first needs one). */
  index: number;
  /** Formatted `#N <t> <text>` log lines, concatenated; the last one may lack its newline. */
  chunks: string[];
  chars: number;
  /** The vertex's last log output (held or printed) ends inside a line. */
  midLine: boolean;
  statusIds: Set<string>;
  warningIdx: number;
  /** Stop time of the interval whose end line was printed: a vertex that runs again ends again. */
  endedAt?: Nanos;
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
const DEFAULT_MAX_TOTAL_BUFFERED = 64 * 1024 * 1024;

/** Workflow-command data escaping (`%`, CR, LF), so a multi-line step name stays one title line. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export class GhaRenderer {
  readonly model: ProgressModel;
  private readonly blocks = new Map<VertexState, Block>();
  /** Vertices touched by the status being applied, checked for completion once it is applied. */
  private readonly touched = new Set<VertexState>();
  private readonly description: string;
  private readonly truncateNames: boolean;
  private readonly maxBuffered: number;
  private readonly maxTotalBuffered: number;
  private totalBuffered = 0;
  private nextIndex = 0;
  private started = false;
  /** The vertex whose group is open (a spilled vertex streaming into it). */
  private openGroup?: VertexState;
  /** The vertex whose partial line ends the output so far. */
  private openLine?: VertexState;
  private out: string[] = [];

  constructor(opts: GhaRendererOptions = {}) {
    this.description = opts.description ?? '';
    this.truncateNames = opts.truncateNames ?? false;
    this.maxBuffered = opts.maxBufferedChars ?? DEFAULT_MAX_BUFFERED;
    this.maxTotalBuffered = opts.maxTotalBufferedChars ?? DEFAULT_MAX_TOTAL_BUFFERED;
    this.model = new ProgressModel({
      now: opts.now,
      logLines: 10,
      listener: {
        changed: (v) => this.touched.add(v),
        // numbered in the order steps start, as the tty view lists them: blocks print in completion order
        revealed: (v) => this.indexOf(this.block(v)),
        status: (v, s) => this.block(v).statusIds.add(s.id),
        log: (v, pieces) => this.onLog(v, pieces),
      },
    });
  }

  /** Applies a status; only spilled output is printed right away. */
  write(ss: SolveStatus): void {
    this.model.apply(ss);
  }

  /**
   * Prints the steps completed since the last call, then returns all text produced since then. Blocks
   * are printed here rather than on arrival so that, as in plain, a vertex the daemon completes and
   * re-sends within one display interval (BuildKit v0.8 does so for sources) is printed once, and the
   * logs that come after a completion in the same status still land in its block.
   */
  refresh(): string {
    this.printCompleted();
    return this.take();
  }

  /**
   * Prints everything still held back (vertices cut short by a failure or cancellation included), then
   * plain's error summary.
   */
  finish(): string {
    this.printCompleted();
    this.closeGroup();
    // hidden groups are not among the model's vertices, but output they hold must not be lost
    for (const v of new Set([...this.model.vertices, ...this.blocks.keys()])) {
      if (v.hidden && !this.hasPending(v)) continue;
      if (v.isCompleted) this.complete(v);
      else if (v.hasError || this.hasPending(v)) this.printBlock(v, !v.hasError, false);
    }
    this.closeOpenLine();
    for (const v of this.model.vertices) {
      if (!v.hasError) continue;
      this.emit('------\n');
      this.emit(` > ${v.name}:\n`);
      for (const line of v.lastLogLines()) this.emit(`${line}\n`);
      this.emit('------\n');
    }
    return this.take();
  }

  private printCompleted(): void {
    const done: VertexState[] = [];
    for (const v of this.touched) if (!v.hidden && v.isCompleted) done.push(v);
    this.touched.clear();
    done.sort((a, b) => compareNanos(a.mostRecentInterval?.stop, b.mostRecentInterval?.stop));
    for (const v of done) this.complete(v);
  }

  private take(): string {
    const text = this.out.join('');
    this.out = [];
    return text;
  }

  private emit(text: string): void {
    this.out.push(text);
  }

  private block(v: VertexState): Block {
    let b = this.blocks.get(v);
    if (!b) {
      b = { index: 0, chunks: [], chars: 0, midLine: false, statusIds: new Set(), warningIdx: 0 };
      this.blocks.set(v, b);
    }
    return b;
  }

  private indexOf(b: Block): number {
    if (b.index === 0) b.index = ++this.nextIndex;
    return b.index;
  }

  private hasPending(v: VertexState): boolean {
    const b = this.blocks.get(v);
    return b !== undefined && (b.chars > 0 || b.statusIds.size > 0 || b.warningIdx < v.warnings.length);
  }

  /** Formats a log event as `#N <t> <text>` lines, continuing an open line without a prefix. */
  private format(v: VertexState, b: Block, pieces: readonly LogPiece[]): string {
    const n = this.indexOf(b);
    const parts: string[] = [];
    pieces.forEach((p, i) => {
      if (i > 0) parts.push('\n');
      // A continuation whose line was ended early (another block needed the output) starts a new line.
      parts.push(p.continuation && b.midLine ? p.text : `#${n} ${p.text}`);
      b.midLine = true;
    });
    if (pieces.length > 0 && !v.logsPartial) {
      parts.push('\n');
      b.midLine = false;
    }
    return parts.join('');
  }

  private onLog(v: VertexState, pieces: readonly LogPiece[]): void {
    if (pieces.length === 0) return;
    const b = this.block(v);
    if (this.openGroup === v) {
      if (this.openLine !== v) this.closeOpenLine();
      // a line left open by this vertex was ended by closeOpenLine, which cleared midLine
      this.emit(this.format(v, b, pieces));
      this.openLine = b.midLine ? v : undefined;
      return;
    }
    const text = this.format(v, b, pieces);
    b.chunks.push(text);
    b.chars += text.length;
    this.totalBuffered += text.length;
    if (b.chars >= this.maxBuffered) this.spill(v);
    else if (this.totalBuffered >= this.maxTotalBuffered) this.spillLargest();
  }

  private spillLargest(): void {
    let max: VertexState | undefined;
    let maxChars = 0;
    for (const [v, b] of this.blocks) {
      if (b.chars > maxChars) {
        max = v;
        maxChars = b.chars;
      }
    }
    if (max) this.spill(max);
  }

  /** Opens the vertex's group, prints what it holds and lets its further output stream into the group. */
  private spill(v: VertexState): void {
    this.printBlock(v, true, true);
  }

  private complete(v: VertexState): void {
    const b = this.block(v);
    const stop = v.mostRecentInterval?.stop;
    // a re-sent completion with nothing new
    if (b.endedAt !== undefined && b.endedAt === stop && !this.hasPending(v)) return;
    this.printBlock(v, !v.hasError, false);
  }

  /**
   * Prints the vertex's held-back output: inside a group (opened here unless it is already open for this
   * vertex) or, for a failed vertex, in the open. With `keepOpen` the group stays open for more output;
   * otherwise the block ends with the end line if the vertex completed.
   */
  private printBlock(v: VertexState, grouped: boolean, keepOpen: boolean): void {
    const b = this.block(v);
    const n = this.indexOf(b);
    if (this.openGroup !== v || !grouped) {
      this.closeGroup();
      this.closeOpenLine();
      if (!this.started) {
        this.started = true;
        if (this.description !== '') this.emit(`#0 ${this.description}\n`);
      }
      if (grouped) {
        this.emit(`::group::${escapeCommandData(this.displayName(v.name))}\n`);
        this.openGroup = v;
      }
      this.emit(`#${n} ${this.displayName(v.name)}\n`);
    }

    if (b.statusIds.size > 0 || b.warningIdx < v.warnings.length) this.closeOpenLine();
    for (const s of v.statuses) if (b.statusIds.has(s.id)) this.emit(`#${n} ${statusLine(s)}\n`);
    b.statusIds.clear();
    for (; b.warningIdx < v.warnings.length; b.warningIdx++) {
      const w = v.warnings[b.warningIdx];
      if (w) this.emit(`#${n} WARN: ${w.short.toString('utf8')}\n`);
    }
    if (b.chunks.length > 0) {
      if (this.openLine !== v) this.closeOpenLine();
      for (const c of b.chunks) this.emit(c);
      this.openLine = b.midLine ? v : undefined;
      this.totalBuffered -= b.chars;
      b.chunks = [];
      b.chars = 0;
    }

    if (keepOpen) return;
    if (v.isCompleted) {
      this.closeOpenLine();
      this.emit(`#${n} ${endWord(v)}\n`);
      b.endedAt = v.mostRecentInterval?.stop;
    }
    if (grouped) this.closeGroup();
  }

  /** Ends a partial log line on the output; that vertex's next log text starts a new `#N` line. */
  private closeOpenLine(): void {
    if (!this.openLine) return;
    this.emit('\n');
    this.block(this.openLine).midLine = false;
    this.openLine = undefined;
  }

  private closeGroup(): void {
    if (!this.openGroup) return;
    this.closeOpenLine();
    this.emit('::endgroup::\n');
    this.openGroup = undefined;
  }

  private displayName(name: string): string {
    if (!this.truncateNames) return name;
    const bytes = Buffer.from(name, 'utf8');
    return bytes.length > 72 ? `${bytes.subarray(0, 72).toString('utf8')}...` : name;
  }
}

function compareNanos(a: Nanos | undefined, b: Nanos | undefined): number {
  const x = a ?? 0n;
  const y = b ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}
