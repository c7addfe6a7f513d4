// The `plain` renderer (protocol.md §5.2): blocks of `#N …` lines, one vertex at a time, in the order
// and with the switching rules BuildKit's text printer uses, so logs and CI scripts read the same.
import { formatBytes, formatFixed, formatSeconds, nanosToSeconds } from './format.js';
import { ProgressModel, type LogPiece, type VertexState } from './model.js';
import type { Nanos, SolveStatus, VertexStatus } from './types.js';

const SEC = 1_000_000_000n;
/** A running vertex not shown for this long takes over the output. */
const MAX_DELAY = 10n * SEC;
/** Minimum time a vertex keeps the output under the fair-share rule, scaled by its share. */
const ANTI_FLICKER_SECONDS = 5;
/** An unfinished status line is reprinted only after this much time or progress. */
const MIN_TIME_DELTA = 5n * SEC;
const MIN_PROGRESS_DELTA = 0.05;
/** Beyond this the retained copy of an open partial line is dropped; it only served reprinting. */
const MAX_RETAINED_PARTIAL = 64 * 1024;

export interface PlainRendererOptions {
  /** Printed once as `#0 <description>` before the first block. */
  description?: string;
  /** Cut vertex names to 72 characters plus `...` (BuildKit does this when PROGRESS_NO_TRUNC=0). */
  truncateNames?: boolean;
  /**
   * Pending log text (characters) at which a vertex waiting for its turn is shown anyway, so memory
   * stays bounded when one step floods while another holds the output.
   */
  maxPendingChars?: number;
  /** Local clock, epoch ns. */
  now?: () => Nanos;
}

/** What plain keeps per vertex on top of the model: its index and what has not been printed yet. */
interface Pending {
  index: number;
  /** Log lines not yet printed; when a line is open on the output, lines[0] is it and `offset` of it is out. */
  lines: string[];
  offset: number;
  chars: number;
  statusUpdates: Set<string>;
  warningIdx: number;
  /** Events since the vertex last lost the output (or since it took it), for the fair-share rule. */
  count: number;
  lastBlockTime?: Nanos;
}

interface LastStatus {
  current: number;
  timestamp: Nanos;
}

interface Stat {
  blockTime: number;
  speed: number;
  share: number;
  overLimit: boolean;
}

export class PlainRenderer {
  readonly model: ProgressModel;
  private readonly pending = new Map<VertexState, Pending>();
  /** Vertices with something new to print, in the order they first changed. */
  private readonly updates = new Set<VertexState>();
  private readonly lastStatus = new Map<string, LastStatus>();
  private readonly description: string;
  private readonly truncateNames: boolean;
  private readonly maxPendingChars: number;
  private readonly now: () => Nanos;
  private current?: VertexState;
  /** The vertex whose partial log line ends the output so far, without its newline. */
  private openLine?: VertexState;
  private notFirst = false;
  private nextIndex = 0;
  private out: string[] = [];

  constructor(opts: PlainRendererOptions = {}) {
    this.description = opts.description ?? '';
    this.truncateNames = opts.truncateNames ?? false;
    this.maxPendingChars = opts.maxPendingChars ?? 4 * 1024 * 1024;
    this.now = opts.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.model = new ProgressModel({
      now: this.now,
      logLines: 10,
      listener: {
        changed: (v) => this.updates.add(v),
        activity: (v) => {
          const p = this.state(v);
          if (p.count === 0) p.lastBlockTime = this.now();
          p.count++;
        },
        status: (v, s) => this.state(v).statusUpdates.add(s.id),
        log: (v, pieces) => this.queueLog(v, pieces),
      },
    });
  }

  write(ss: SolveStatus): void {
    this.model.apply(ss);
  }

  /** One scheduling pass; returns the text to append to the output. */
  refresh(): string {
    this.schedule();
    return this.take();
  }

  /**
   * The final pass: prints what is still pending (nothing is dropped, even for vertices that never got
   * their turn), ends an open line, then the error summary for each failed vertex.
   */
  finish(): string {
    this.schedule();
    for (const v of [...this.model.vertices, ...this.updates]) {
      if (!v.hidden && this.updates.has(v)) this.printVertex(v);
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

  private take(): string {
    const text = this.out.join('');
    this.out = [];
    return text;
  }

  private emit(text: string): void {
    this.out.push(text);
  }

  private state(v: VertexState): Pending {
    let p = this.pending.get(v);
    if (!p) {
      p = { index: 0, lines: [], offset: 0, chars: 0, statusUpdates: new Set(), warningIdx: 0, count: 0 };
      this.pending.set(v, p);
    }
    return p;
  }

  private queueLog(v: VertexState, pieces: readonly LogPiece[]): void {
    const p = this.state(v);
    for (const piece of pieces) {
      const last = p.lines.length - 1;
      if (piece.continuation && last >= 0) p.lines[last] += piece.text;
      else p.lines.push(piece.text);
      p.chars += piece.text.length;
    }
  }

  /** Ends a partial log line on the output before anything else is printed after it. */
  private closeOpenLine(): void {
    if (!this.openLine) return;
    this.emit('\n');
    // the rest of that line will be printed again from its start, with its `#N <t>` prefix
    this.state(this.openLine).offset = 0;
    this.openLine = undefined;
  }

  private schedule(): void {
    const completed: VertexState[] = [];
    const rest: VertexState[] = [];
    for (const v of this.updates) {
      if (v.hidden) continue;
      (v.isCompleted ? completed : rest).push(v);
    }
    const cur = this.current;

    // Finished vertices first, so each end line closes its block as early as possible.
    if (cur && completed.includes(cur)) this.printVertex(cur);
    completed.sort((a, b) => {
      const sa = a.mostRecentInterval?.stop ?? 0n;
      const sb = b.mostRecentInterval?.stop ?? 0n;
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    });
    for (const v of completed) if (v !== cur) this.printVertex(v);

    if (rest.length === 0) {
      if (cur && cur.isStarted && !cur.isCompleted) return;
      // Nothing new: bring a running vertex forward so its header shows while it works.
      const running = this.model.vertices.find((v) => v.isStarted && !v.isCompleted && !v.hidden);
      if (running) this.printVertex(running);
      return;
    }

    if (cur && rest.includes(cur)) this.printVertex(cur);

    // Longest waiting first: BuildKit leaves the order to map iteration, so among vertices that all
    // waited too long it picks one at random; picking the oldest is deterministic and fair.
    const candidates = (cur && !rest.includes(cur) ? [...rest, cur] : [...rest])
      .filter((v) => this.state(v).lastBlockTime !== undefined)
      .sort((a, b) => {
        const ta = this.state(a).lastBlockTime as Nanos;
        const tb = this.state(b).lastBlockTime as Nanos;
        return ta < tb ? -1 : ta > tb ? 1 : 0;
      });
    const now = this.now();
    const stats = new Map<VertexState, Stat>();
    let sum = 0;
    let max: VertexState | undefined;
    for (const v of candidates) {
      const p = this.state(v);
      const blocked = now - (p.lastBlockTime as Nanos);
      const blockTime = nanosToSeconds(blocked);
      const speed = p.count / blockTime;
      const overLimit = v !== cur && (blocked > MAX_DELAY || p.chars > this.maxPendingChars);
      stats.set(v, { blockTime, speed, share: 0, overLimit });
      sum += speed;
      const best = max && stats.get(max);
      if (!best || (overLimit && !best.overLimit) || (!best.overLimit && best.speed < speed)) max = v;
    }
    for (const s of stats.values()) s.share = s.speed / sum;

    if (cur === undefined || completed.includes(cur)) {
      if (max) this.printVertex(max);
      return;
    }
    // A vertex that has waited too long is shown regardless of shares.
    for (const v of candidates) {
      if (stats.get(v)?.overLimit) {
        this.printVertex(v);
        return;
      }
    }
    // Otherwise the current vertex keeps the output for 5 s divided by the others' share of activity.
    const cs = stats.get(cur);
    if (max && cs && (1 / (1 - cs.share)) * ANTI_FLICKER_SECONDS < cs.blockTime) this.printVertex(max);
  }

  private printVertex(v: VertexState): void {
    const p = this.state(v);
    if (p.index === 0) p.index = ++this.nextIndex;

    if (v !== this.current) {
      if (this.current) {
        const cp = this.state(this.current);
        this.closeOpenLine();
        cp.offset = 0;
        cp.count = 0;
        this.emit(`#${cp.index} ...\n`);
      }
      if (this.notFirst) this.emit('\n');
      else {
        if (this.description !== '') this.emit(`#0 ${this.description}\n\n`);
        this.notFirst = true;
      }
      this.emit(`#${p.index} ${this.displayName(v.name)}\n`);
    }

    let openStatus = false;
    for (const s of v.statuses) {
      if (!p.statusUpdates.has(s.id)) continue;
      if (this.throttled(s)) continue;
      this.lastStatus.set(s.id, { current: s.current, timestamp: s.timestamp });
      if (s.completed === undefined) openStatus = true;
      this.closeOpenLine();
      this.emit(`#${p.index} ${statusLine(s)}\n`);
    }
    p.statusUpdates.clear();

    for (; p.warningIdx < v.warnings.length; p.warningIdx++) {
      const w = v.warnings[p.warningIdx];
      if (!w) continue;
      this.closeOpenLine();
      this.emit(`#${p.index} WARN: ${w.short.toString('utf8')}\n`);
    }

    this.printLogs(v, p);

    this.current = v;
    if (v.isCompleted && !openStatus) {
      this.current = undefined;
      p.count = 0;
      this.closeOpenLine();
      this.emit(`#${p.index} ${endWord(v)}\n`);
    }
    this.updates.delete(v);
  }

  private printLogs(v: VertexState, p: Pending): void {
    const n = p.lines.length;
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      const line = p.lines[i] as string;
      if (i === 0 && this.openLine === v) this.emit(line.slice(p.offset));
      else {
        this.closeOpenLine();
        this.emit(`#${p.index} ${line}`);
      }
      if (i < n - 1 || !v.logsPartial) {
        this.emit('\n');
        this.openLine = undefined;
      }
    }
    if (v.logsPartial) {
      const last = p.lines[n - 1] as string;
      this.openLine = v;
      if (last.length > MAX_RETAINED_PARTIAL) {
        p.lines = [];
        p.offset = 0;
      } else {
        p.lines = [last];
        p.offset = last.length;
      }
    } else {
      this.openLine = undefined;
      p.lines = [];
      p.offset = 0;
    }
    p.chars = p.lines.length ? (p.lines[0] as string).length : 0;
  }

  /** An unfinished status is not reprinted until it moved 5 % of its total or 5 s passed. */
  private throttled(s: VertexStatus): boolean {
    const last = this.lastStatus.get(s.id);
    if (!last || s.completed !== undefined) return false;
    const progressDelta = s.total > 0 ? (s.current - last.current) / s.total : 0;
    return progressDelta < MIN_PROGRESS_DELTA && s.timestamp - last.timestamp < MIN_TIME_DELTA;
  }

  private displayName(name: string): string {
    if (!this.truncateNames) return name;
    const bytes = Buffer.from(name, 'utf8');
    return bytes.length > 72 ? `${bytes.subarray(0, 72).toString('utf8')}...` : name;
  }
}

/** `<ID>[ <cur> / <total>][ <elapsed>s][ done]` (shared with the GitHub Actions renderer). */
export function statusLine(s: VertexStatus): string {
  let bytes = '';
  if (s.total !== 0) bytes = ` ${formatBytes(s.current)} / ${formatBytes(s.total)}`;
  else if (s.current !== 0) bytes = ` ${formatBytes(s.current)}`;
  let tm = '';
  const end = s.completed ?? s.timestamp;
  if (s.started !== undefined) {
    const diff = end - s.started;
    if (nanosToSeconds(diff) > 0.01) tm = ` ${formatSeconds(diff)}s`;
  }
  if (s.completed !== undefined) tm += ' done';
  return `${s.id}${bytes}${tm}`;
}

/** What follows `#N ` on a vertex's last line: `DONE 1.2s`, `CACHED`, `ERROR: …`, `CANCELED`. */
export function endWord(v: VertexState): string {
  if (v.error !== '') return v.isCanceled ? 'CANCELED' : `ERROR: ${v.error}`;
  if (v.cached) return 'CACHED';
  if (v.merged.length === 0) return 'DONE';
  // per-interval seconds summed as floats, as the reference does, so rounding matches
  let secs = 0;
  for (const i of v.merged) secs += nanosToSeconds((i.stop ?? i.start) - i.start);
  return `DONE ${formatFixed(secs, 1)}s`;
}
