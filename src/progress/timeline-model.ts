// The build timeline as data: which steps ran when, in which lane, in which state, and which of them
// made up the critical path. Fed from a solve status stream, live (TimelineRecorder) or replayed.
import { formatRFC3339Nano, nanosToSeconds } from './format.js';
import { isCanceledError, mergeIntervals, type Interval } from './model.js';
import {
  assignLanes, COLUMN_PX, criticalPath, formatDuration, LABEL_GAP_PX, LANE_GAP_PX, MAX_INSIDE_COLUMNS, MAX_NAME_COLUMNS, MIN_BAR_PX, oneLine, peakParallelism, placeLabel,
  REFERENCE_PLOT_WIDTH, textColumns, truncateColumns, type LabelSide,
} from './timeline-layout.js';
import type { Nanos, ProgressGroup, SolveStatus } from './types.js';

/** How a step ended; `running` = still running when the stream ended (an interrupted capture). */
export type StepState = 'ran' | 'cached' | 'failed' | 'canceled' | 'running';

/** One row of the picture's legend: a vertex, or a progress group standing in for its members. */
export interface TimelineStep {
  /** The vertex digest, or the progress group id. */
  digest: string;
  /** Full name, as BuildKit sent it. */
  name: string;
  group: boolean;
  state: StepState;
  /** The error text of a failed or canceled step. */
  error?: string;
  /** Digests of the steps (in this timeline) it takes as inputs. */
  inputs: string[];
  lane: number;
  /** Seconds since the timeline's origin: first start, last end. */
  start: number;
  end: number;
  /** Time it actually ran: the sum of its bars. */
  duration: number;
  critical: boolean;
  /** Indexes into Timeline.bars, in time order. */
  bars: number[];
}

export interface BarLabel {
  /** `name detail`: what the bar says at the reference width. */
  text: string;
  /** The step name on one line, cut to a readable length. */
  name: string;
  /** The bar's duration, `cached`, or the duration and how it ended (`1.20s failed`); for runs sharing a label, their total (`0.02s (2 runs)`). */
  detail: string;
  /** `none`: not drawn, another run of the same step close by carries the label. */
  side: LabelSide | 'none';
}

/** One interval a step ran for. A step that ran several times has several bars, all in its lane. */
export interface TimelineBar {
  /** Index into Timeline.steps. */
  step: number;
  digest: string;
  lane: number;
  /** Seconds since the timeline's origin. */
  start: number;
  end: number;
  state: StepState;
  /** Still running when the stream ended: `end` is the last time the stream mentioned. */
  open: boolean;
  /** This interval lies on the critical path. */
  critical: boolean;
  label: BarLabel;
  /** The span (seconds) the bar and its label occupy at the reference width; no two in a lane meet. */
  extent: { from: number; to: number };
}

export interface TimelineCounts {
  steps: number;
  ran: number;
  cached: number;
  failed: number;
  canceled: number;
  running: number;
}

export interface Timeline {
  /** When the first step started (RFC 3339, daemon clock); absent when nothing started. */
  startedAt?: string;
  /** Seconds from the first start to the last end. */
  duration: number;
  lanes: number;
  /** Ordered by first start. */
  steps: TimelineStep[];
  /** Ordered by start. */
  bars: TimelineBar[];
  /** Step digests from the first step of the critical path to the last. */
  criticalPath: string[];
  counts: TimelineCounts;
  /** Most steps running at the same instant. */
  peakParallelism: number;
}

/** What is kept of one vertex: its timing and identity, never its logs or statuses. */
interface Recorded {
  digest: string;
  name: string;
  inputs: string[];
  cached: boolean;
  error: string;
  group?: ProgressGroup;
  /** Interval start → interval; a vertex re-sent with the same start replaces its interval. */
  intervals: Map<Nanos, Interval>;
  announced: boolean;
}

/** A step being assembled from the vertices behind it. */
interface Unit {
  key: string;
  name: string;
  group: boolean;
  members: Recorded[];
}

/**
 * Collects vertex timing from a solve status stream as it arrives, for a timeline at the end. Memory
 * grows with the number of vertices (and of runs per vertex), never with logs or status updates.
 */
export class TimelineRecorder {
  private readonly vertices = new Map<string, Recorded>();
  /** The newest time the stream has mentioned: where intervals still open at the end are cut. */
  private latest?: Nanos;

  write(ss: SolveStatus): void {
    for (const v of ss.vertexes) {
      this.see(v.started);
      this.see(v.completed);
      let r = this.vertices.get(v.digest);
      if (!r) {
        r = { digest: v.digest, name: '', inputs: [], cached: false, error: '', intervals: new Map(), announced: false };
        this.vertices.set(v.digest, r);
      }
      // A record without a start time (a duplicate announcement) must not undo a running vertex.
      if (!r.announced || v.started !== undefined || r.intervals.size === 0) {
        r.announced = true;
        r.name = v.name;
        r.inputs = [...v.inputs];
        r.cached = v.cached;
        r.error = v.error ?? '';
        r.group = v.progressGroup && { ...v.progressGroup };
      }
      if (v.started !== undefined) r.intervals.set(v.started, { start: v.started, stop: v.completed });
    }
    for (const s of ss.statuses) {
      this.see(s.timestamp);
      this.see(s.completed);
    }
    for (const l of ss.logs) this.see(l.timestamp);
  }

  /** The timeline of everything written so far. */
  timeline(): Timeline {
    return assemble([...this.vertices.values()], this.latest);
  }

  private see(t: Nanos | undefined): void {
    if (t !== undefined && t > 0n && (this.latest === undefined || t > this.latest)) this.latest = t;
  }
}

/** The timeline of a whole solve status stream. */
export function buildTimeline(statuses: Iterable<SolveStatus>): Timeline {
  const rec = new TimelineRecorder();
  for (const ss of statuses) rec.write(ss);
  return rec.timeline();
}

function stateOf(members: readonly Recorded[], open: boolean): { state: StepState; error?: string } {
  // Like the progress model's groups: the first member error speaks for the group, cached only if all were.
  const error = members.find((m) => m.error !== '')?.error;
  if (error !== undefined) return { state: isCanceledError(error) ? 'canceled' : 'failed', error };
  if (members.every((m) => m.cached)) return { state: 'cached' };
  return { state: open ? 'running' : 'ran' };
}

function detailOf(state: StepState, seconds: number): string {
  const d = formatDuration(seconds);
  switch (state) {
    case 'cached': return 'cached';
    case 'failed': return `${d} failed`;
    case 'canceled': return `${d} canceled`;
    case 'running': return `${d}+ unfinished`;
    default: return d;
  }
}

interface Run {
  start: number;
  end: number;
  state: StepState;
  open: boolean;
}

type RunBar = Pick<TimelineBar, 'start' | 'end' | 'state' | 'open' | 'label' | 'extent'>;

/**
 * Labels for the runs of one step. Runs so close that their labels would collide (a step resolved twice
 * within a millisecond) share one label, `0.01s (2 runs)`, drawn after the last of them (or before the
 * first, near the end of the axis); the others are drawn bare, side `none`, their times in the tooltip.
 */
function layoutRuns(runs: readonly Run[], fullName: string, at: { pxPerSecond: number; span: number }): RunBar[] {
  const gap = LANE_GAP_PX / at.pxPerSecond;
  const short = truncateColumns(fullName, MAX_NAME_COLUMNS);
  const labelFor = (group: readonly Run[]) => {
    const total = group.reduce((t, r) => t + r.end - r.start, 0);
    const last = group[group.length - 1]!;
    const detail = group.length === 1 ? detailOf(last.state, total) : `${detailOf(last.state, total)} (${group.length} runs)`;
    const place = (name: string) => placeLabel(group[0]!.start, last.end, textColumns(`${name} ${detail}`), at.pxPerSecond, at.span, group.length === 1);
    let name = short;
    if (name !== fullName && place(name).side === 'inside') {
      // A long bar has room for more of the name than a label beside a bar should take: use it.
      const barCols = Math.floor(((last.end - group[0]!.start) * at.pxPerSecond - 2 * LABEL_GAP_PX) / COLUMN_PX);
      name = truncateColumns(fullName, Math.min(MAX_INSIDE_COLUMNS, barCols - textColumns(detail) - 1));
    }
    return { name, text: `${name} ${detail}`, detail, place: place(name) };
  };
  const clusters: Run[][] = [];
  for (const r of runs) {
    const cur = clusters[clusters.length - 1];
    if (cur && labelFor([r]).place.from < labelFor(cur).place.to + gap) cur.push(r);
    else clusters.push([r]);
  }
  const out: RunBar[] = [];
  for (const cluster of clusters) {
    const { name, text, detail, place } = labelFor(cluster);
    const holder = place.side === 'left' ? cluster[0] : cluster[cluster.length - 1];
    for (const r of cluster) {
      const own = { start: r.start, end: r.end, state: r.state, open: r.open };
      if (r === holder) {
        const from = place.side === 'left' ? place.from : r.start;
        out.push({ ...own, label: { text, name, detail, side: place.side }, extent: { from, to: Math.max(place.to, r.end) } });
      } else {
        const detailOwn = detailOf(r.state, r.end - r.start);
        const to = r.start + Math.max(r.end - r.start, MIN_BAR_PX / at.pxPerSecond);
        out.push({ ...own, label: { text: `${short} ${detailOwn}`, name: short, detail: detailOwn, side: 'none' }, extent: { from: r.start, to } });
      }
    }
  }
  return out;
}

function assemble(records: readonly Recorded[], latest: Nanos | undefined): Timeline {
  // Progress groups become one step, as every other renderer shows them.
  const units = new Map<string, Unit>();
  const unitOf = new Map<string, string>();
  for (const r of records) {
    const key = r.group ? r.group.id : r.digest;
    let u = units.get(key);
    if (!u) {
      u = { key, name: r.group ? r.group.name : r.name, group: r.group !== undefined, members: [] };
      units.set(key, u);
    }
    u.members.push(r);
    unitOf.set(r.digest, key);
  }

  interface Draft { unit: Unit; intervals: Interval[]; state: StepState; error?: string }
  const drafts: Draft[] = [];
  for (const u of units.values()) {
    const started = u.members.filter((m) => m.intervals.size > 0);
    if (started.length === 0) continue;
    // A group stays hidden while only weak members (preparation work) ran, unless something failed.
    if (u.group && !started.some((m) => !m.group?.weak) && !u.members.some((m) => m.error !== '')) continue;
    const merged = mergeIntervals(started.flatMap((m) => [...m.intervals.values()]));
    const open = merged.some((i) => i.stop === undefined);
    // An open interval ran at least until the newest time the stream mentioned.
    const intervals = merged.map((i) => ({ start: i.start, stop: i.stop ?? (latest !== undefined && latest > i.start ? latest : i.start) }));
    drafts.push({ unit: u, intervals, ...stateOf(u.members, open) });
  }
  // Stable sort: steps starting together keep the order they were announced in.
  drafts.sort((a, b) => cmp(a.intervals[0]!.start, b.intervals[0]!.start));

  const origin = drafts.reduce<Nanos | undefined>((o, d) => (o === undefined || d.intervals[0]!.start < o ? d.intervals[0]!.start : o), undefined);
  const sec = (t: Nanos) => (origin === undefined ? 0 : nanosToSeconds(t - origin));
  const duration = drafts.reduce((m, d) => Math.max(m, ...d.intervals.map((i) => sec(i.stop as Nanos))), 0);
  // Labels are laid out for the reference width; a zero-length build still gets a non-zero axis.
  const pxPerSecond = REFERENCE_PLOT_WIDTH / Math.max(duration, 1e-3);

  const visible = new Set(drafts.map((d) => d.unit.key));
  const steps: TimelineStep[] = [];
  const bars: TimelineBar[] = [];
  drafts.forEach((d, index) => {
    const inputs = new Set<string>();
    for (const m of d.unit.members) {
      for (const i of m.inputs) {
        const key = unitOf.get(i) ?? i;
        if (key !== d.unit.key && visible.has(key)) inputs.add(key);
      }
    }
    const full = oneLine(d.unit.name) || '(unnamed)';
    const step: TimelineStep = {
      digest: d.unit.key,
      name: d.unit.name,
      group: d.unit.group,
      state: d.state,
      ...(d.error === undefined ? {} : { error: d.error }),
      inputs: [...inputs],
      lane: 0,
      start: sec(d.intervals[0]!.start),
      end: sec(d.intervals[d.intervals.length - 1]!.stop as Nanos),
      duration: 0,
      critical: false,
      bars: [],
    };
    const runs = d.intervals.map((iv, n) => {
      const open = d.state === 'running' && n === d.intervals.length - 1;
      // Of a step still running, only the last run is unfinished; earlier ones ran to completion.
      const state: StepState = d.state === 'running' && !open ? 'ran' : d.state;
      return { start: sec(iv.start), end: sec(iv.stop as Nanos), state, open };
    });
    for (const r of runs) step.duration += r.end - r.start;
    for (const bar of layoutRuns(runs, full, { pxPerSecond, span: duration })) {
      bars.push({ step: index, digest: step.digest, lane: 0, critical: false, ...bar });
    }
    steps.push(step);
  });

  // Lanes: one per step (all its runs on one line), first fit in order of first start.
  const barsOf = steps.map(() => [] as number[]);
  bars.forEach((b, i) => barsOf[b.step]!.push(i));
  const lanes = assignLanes(barsOf.map((bs) => ({ spans: bs.map((i) => bars[i]!.extent) })), LANE_GAP_PX / pxPerSecond);
  steps.forEach((s, i) => {
    s.lane = lanes[i]!;
    s.bars = barsOf[i]!;
    for (const b of s.bars) bars[b]!.lane = s.lane;
  });

  const stepIndex = new Map(steps.map((s, i) => [s.digest, i]));
  const pathBars = bars.map((b) => ({ step: b.step, start: b.start, end: b.end, canceled: b.state === 'canceled' }));
  const path = criticalPath(pathBars, (i) => steps[i]!.inputs.map((d) => stepIndex.get(d)!));
  for (const b of path) {
    bars[b]!.critical = true;
    steps[bars[b]!.step]!.critical = true;
  }

  // Bars in time order (the SVG draws them so), with the steps' indexes following the move.
  const order = bars.map((_, i) => i).sort((a, b) => bars[a]!.start - bars[b]!.start || a - b);
  const moved = new Map(order.map((from, to) => [from, to]));
  const sortedBars = order.map((i) => bars[i]!);
  for (const s of steps) s.bars = s.bars.map((i) => moved.get(i)!);

  const counts: TimelineCounts = { steps: steps.length, ran: 0, cached: 0, failed: 0, canceled: 0, running: 0 };
  for (const s of steps) counts[s.state]++;
  return {
    ...(origin === undefined ? {} : { startedAt: formatRFC3339Nano(origin) }),
    duration,
    lanes: steps.length === 0 ? 0 : Math.max(...lanes) + 1,
    steps,
    bars: sortedBars,
    criticalPath: path.map((b) => bars[b]!.digest),
    counts,
    peakParallelism: peakParallelism(bars),
  };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
