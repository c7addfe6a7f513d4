// The vertex model every renderer reads (protocol.md §5.1). It knows nothing about output: renderers
// observe it through a ModelListener and keep their own per-vertex presentation state.
import { StringDecoder } from 'node:string_decoder';
import { formatLogTime } from './format.js';
import type { Nanos, ProgressGroup, SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning } from './types.js';

export interface Interval {
  start: Nanos;
  /** Absent while running. */
  stop?: Nanos;
}

/**
 * Sorts by start and folds overlapping intervals. An open interval swallows everything after it, since
 * the vertex is still running at all those times.
 */
export function mergeIntervals(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: Interval[] = [];
  let cur = sorted[0];
  if (cur === undefined) return merged;
  for (const next of sorted.slice(1)) {
    if (cur.stop === undefined) break;
    if (cur.stop < next.start) {
      merged.push(cur);
      cur = next;
    } else if (next.stop === undefined) {
      cur = { start: cur.start };
      break;
    } else if (next.stop > cur.stop) {
      cur = { start: cur.start, stop: next.stop };
    }
  }
  merged.push(cur);
  return merged;
}

/** Last `capacity` log lines of a vertex, the newest possibly still partial. */
export class LineRing {
  private readonly lines: string[] = [];
  private head = 0;

  constructor(readonly capacity: number, private readonly maxLineLength: number) {}

  push(line: string): void {
    const kept = this.clip(line);
    if (this.capacity <= 0) return;
    if (this.lines.length < this.capacity) this.lines.push(kept);
    else {
      this.lines[this.head] = kept;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  appendToLast(text: string): void {
    if (this.lines.length === 0) return;
    const i = (this.head + this.lines.length - 1) % this.lines.length;
    const last = this.lines[i] as string;
    if (last.length < this.maxLineLength) this.lines[i] = this.clip(last + text);
  }

  /** Oldest first. */
  toArray(): string[] {
    return [...this.lines.slice(this.head), ...this.lines.slice(0, this.head)];
  }

  private clip(line: string): string {
    return line.length > this.maxLineLength ? line.slice(0, this.maxLineLength) : line;
  }
}

/** One rendered unit: a vertex, or a progress group standing in for all its members. */
export class VertexState {
  name = '';
  inputs: string[] = [];
  cached = false;
  /** Empty when the vertex has not failed. */
  error = '';
  /** The last vertex record received (groups have none). */
  record?: Vertex;
  /** Interval start → interval; a vertex re-sent with the same start replaces its interval. */
  readonly intervals = new Map<Nanos, Interval>();
  merged: Interval[] = [];
  /** Groups stay hidden until a non-weak member starts. */
  hidden: boolean;

  /** Status IDs in order of their first `started`; `statusById` holds the newest copy of each. */
  readonly statusOrder: string[] = [];
  readonly statusById = new Map<string, VertexStatus>();
  readonly warnings: VertexWarning[] = [];

  /** Whether the newest log line has not been ended by `\n` yet. */
  logsPartial = false;
  /** Bytes of log data received, for renderers that rank vertices by output. */
  logBytes = 0;
  readonly logTail: LineRing;
  /** @internal */ decoder?: StringDecoder;

  constructor(readonly digest: string, readonly isGroup: boolean, logLines: number, maxLineLength: number) {
    this.hidden = isGroup;
    this.logTail = new LineRing(logLines, maxLineLength);
  }

  get isStarted(): boolean {
    return this.merged.length > 0;
  }

  get mostRecentInterval(): Interval | undefined {
    return this.merged[this.merged.length - 1];
  }

  get isCompleted(): boolean {
    const last = this.mostRecentInterval;
    return last !== undefined && last.stop !== undefined;
  }

  get isCanceled(): boolean {
    return isCanceledError(this.error);
  }

  /** Failed for a reason other than cancellation: these get the error block at the end. */
  get hasError(): boolean {
    return this.error !== '' && !this.isCanceled;
  }

  get statuses(): VertexStatus[] {
    return this.statusOrder.map((id) => this.statusById.get(id) as VertexStatus);
  }

  /** Sum of the merged intervals; open intervals count up to `now`. */
  duration(now: Nanos): Nanos {
    let total = 0n;
    for (const i of this.merged) total += (i.stop ?? now) - i.start;
    return total;
  }

  /** The kept tail of the log, each line with its `<t> ` prefix, oldest first. */
  lastLogLines(): string[] {
    return this.logTail.toArray();
  }
}

/** BuildKit reports a cancelled step as an error whose text ends this way. */
export function isCanceledError(error: string): boolean {
  return error.endsWith('context canceled');
}

/** One piece of a log chunk split on `\n`. */
export interface LogPiece {
  /** A new line starts with its elapsed-time prefix (`0.153 `); a continuation carries only its text. */
  text: string;
  continuation: boolean;
}

/**
 * What a renderer hears. `changed` marks a vertex as having something new to show (plain's update set);
 * `activity` is every event on a vertex, which plain's fair-share scheduling counts.
 */
export interface ModelListener {
  changed?(v: VertexState): void;
  activity?(v: VertexState): void;
  status?(v: VertexState, s: VertexStatus): void;
  warning?(v: VertexState, w: VertexWarning): void;
  log?(v: VertexState, pieces: readonly LogPiece[], raw: VertexLog): void;
  /** A vertex or group became visible for the first time (ordered list `vertices` grew). */
  revealed?(v: VertexState): void;
}

export interface ProgressModelOptions {
  listener?: ModelListener;
  /** Log lines kept per vertex for the error summary (plain: 10). */
  logLines?: number;
  /** Longest line kept in that tail; longer ones are cut. Streaming output is never cut. */
  maxLineLength?: number;
  /** Local clock, epoch ns: only used to estimate the daemon's clock skew. */
  now?: () => Nanos;
}

interface Group {
  state: VertexState;
  members: Map<string, Vertex>;
}

export class ProgressModel {
  /** Vertex digest (or group member digest) → what renders it. */
  readonly byDigest = new Map<string, VertexState>();
  /** Started vertices and revealed groups, in the order they appeared. */
  readonly vertices: VertexState[] = [];
  /** Start of the first vertex, daemon clock. */
  startTime?: Nanos;
  /** Local clock minus daemon clock, measured when the first vertex started. */
  localTimeDiff = 0n;

  private readonly groups = new Map<string, Group>();
  private readonly listener: ModelListener;
  private readonly logLines: number;
  private readonly maxLineLength: number;
  private readonly now: () => Nanos;

  constructor(opts: ProgressModelOptions = {}) {
    this.listener = opts.listener ?? {};
    this.logLines = opts.logLines ?? 10;
    this.maxLineLength = opts.maxLineLength ?? 64 * 1024;
    this.now = opts.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  }

  apply(ss: SolveStatus): void {
    const touchedGroups: Group[] = [];
    for (const v of ss.vertexes) {
      if (this.startTime === undefined) this.startTime = v.started;
      if (v.progressGroup) {
        const g = this.group(v.progressGroup);
        if (!touchedGroups.includes(g)) touchedGroups.push(g);
        g.members.set(v.digest, v);
        this.byDigest.set(v.digest, g.state);
      } else {
        this.applyVertex(v);
      }
    }
    for (const g of touchedGroups) this.refreshGroup(g);
    for (const s of ss.statuses) this.applyStatus(s);
    for (const w of ss.warnings) {
      const v = this.byDigest.get(w.vertex);
      if (!v) continue; // nothing to attach it to; the printer still collects it for the summary
      v.warnings.push(w);
      this.listener.warning?.(v, w);
      this.listener.activity?.(v);
    }
    for (const l of ss.logs) this.applyLog(l);
  }

  /** Distinct visible vertices (a group counts once) and how many of them have completed. */
  counts(): { total: number; completed: number } {
    const seen = new Set<VertexState>();
    let completed = 0;
    for (const v of this.byDigest.values()) {
      if (v.hidden || seen.has(v)) continue;
      seen.add(v);
      if (v.isCompleted) completed++;
    }
    return { total: seen.size, completed };
  }

  private state(digest: string, isGroup: boolean): VertexState {
    return new VertexState(digest, isGroup, this.logLines, this.maxLineLength);
  }

  private applyVertex(v: Vertex): void {
    let st = this.byDigest.get(v.digest);
    const wasStarted = st?.isStarted ?? false;
    if (!st) {
      st = this.state(v.digest, false);
      this.byDigest.set(v.digest, st);
    }
    const changed = v.started !== undefined && vertexChanged(st.record, v);
    // A record without a start time (a duplicate announcement) must not undo a running vertex.
    if (!wasStarted || v.started !== undefined || st.record === undefined) {
      st.record = v;
      st.name = v.name;
      st.inputs = v.inputs;
      st.cached = v.cached;
      st.error = v.error ?? '';
    }
    if (v.started !== undefined) {
      st.intervals.set(v.started, { start: v.started, stop: v.completed });
      st.merged = mergeIntervals(st.intervals.values());
      if (!wasStarted) {
        if (this.localTimeDiff === 0n) this.localTimeDiff = this.now() - v.started;
        this.vertices.push(st);
        this.listener.revealed?.(st);
      }
    }
    if (changed) {
      this.listener.activity?.(st);
      this.listener.changed?.(st);
    }
  }

  private group(pg: ProgressGroup): Group {
    let g = this.groups.get(pg.id);
    if (!g) {
      g = { state: this.state(pg.id, true), members: new Map() };
      g.state.name = pg.name;
      this.groups.set(pg.id, g);
      this.byDigest.set(pg.id, g.state);
    }
    return g;
  }

  private refreshGroup(g: Group): void {
    const st = g.state;
    const wasStarted = st.isStarted;
    const wasHidden = st.hidden;
    let changed = false;
    let cached = true;
    let error = '';
    for (const m of g.members.values()) {
      if (m.started !== undefined) {
        const prev = st.intervals.get(m.started);
        if (!prev || prev.stop !== m.completed) changed = true;
        st.intervals.set(m.started, { start: m.started, stop: m.completed });
        if (!m.progressGroup?.weak) st.hidden = false;
      }
      cached &&= m.cached;
      if (error === '') error = m.error ?? '';
      else st.hidden = false; // a failure must be seen even if only weak members ran
    }
    if (st.cached !== cached || st.error !== error) changed = true;
    st.cached = cached;
    st.error = error;
    st.merged = mergeIntervals(st.intervals.values());
    if (!wasStarted && st.isStarted && this.localTimeDiff === 0n) {
      this.localTimeDiff = this.now() - (st.merged[0] as Interval).start;
    }
    if (st.hidden) return;
    if (wasHidden) {
      changed = true;
      this.vertices.push(st);
      this.listener.revealed?.(st);
    }
    if (changed) {
      this.listener.activity?.(st);
      this.listener.changed?.(st);
    }
  }

  private applyStatus(s: VertexStatus): void {
    const v = this.byDigest.get(s.vertex);
    if (!v) return; // a status for a vertex never announced cannot be placed
    const prev = v.statusById.get(s.id);
    v.statusById.set(s.id, s);
    if (s.started !== undefined && prev?.started === undefined && !v.statusOrder.includes(s.id)) {
      v.statusOrder.push(s.id);
    }
    this.listener.status?.(v, s);
    this.listener.changed?.(v);
    this.listener.activity?.(v);
  }

  private applyLog(l: VertexLog): void {
    const v = this.byDigest.get(l.vertex);
    if (!v) return;
    v.logBytes += l.data.length;
    v.decoder ??= new StringDecoder('utf8');
    // The decoder holds back a multi-byte character cut by the chunk boundary until the next chunk.
    const text = v.decoder.write(l.data);
    const pieces: LogPiece[] = [];
    if (text.length > 0) {
      const since = v.mostRecentInterval?.start;
      const prefix = `${formatLogTime(since === undefined ? 0n : l.timestamp - since)} `;
      let start = 0;
      let first = true;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const piece = nl === -1 ? text.slice(start) : text.slice(start, nl);
        if (first && v.logsPartial) {
          pieces.push({ text: piece, continuation: true });
          v.logTail.appendToLast(piece);
        } else {
          const line = prefix + piece;
          pieces.push({ text: line, continuation: false });
          v.logTail.push(line);
        }
        first = false;
        if (nl === -1) {
          v.logsPartial = true;
          break;
        }
        v.logsPartial = false;
        start = nl + 1;
        if (start === text.length) break;
      }
    }
    this.listener.log?.(v, pieces, l);
    this.listener.changed?.(v);
    this.listener.activity?.(v);
  }
}

/** Whether a re-sent vertex differs in anything a renderer shows. */
function vertexChanged(prev: Vertex | undefined, v: Vertex): boolean {
  if (!prev || prev.started === undefined) return true;
  return (
    prev.name !== v.name ||
    prev.started !== v.started ||
    // a completion is always news: the vertex may have run again with the same start
    v.completed !== undefined ||
    prev.cached !== v.cached ||
    (prev.error ?? '') !== (v.error ?? '')
  );
}
