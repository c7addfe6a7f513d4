// Pure geometry and graph rules behind the build timeline: how wide a label is, which lane a step
// goes in, and which chain of steps decided when the build ended. Nothing here knows about SVG.

/**
 * The plot width (px) the data model lays labels out for; the SVG renderer's default width leaves
 * exactly this much between its margins, so at the default size every label fits as laid out.
 */
export const REFERENCE_PLOT_WIDTH = 1152;
/** Labels are 11 px monospace: every column is 0.6 em wide in the usual monospace fonts. */
export const LABEL_FONT_PX = 11;
export const COLUMN_PX = LABEL_FONT_PX * 0.6;
/** Space between a bar and a label outside it, and padding around a label inside a bar. */
export const LABEL_GAP_PX = 5;
/**
 * Space kept between neighbours in one lane. None: a step that starts the moment its predecessor ends
 * (the usual handover) may share its lane; bars get a white outline so touching ones stay distinct,
 * and labels carry their own padding.
 */
export const LANE_GAP_PX = 0;
/** Zero-length bars (cached steps) are drawn this wide, so they stay visible. */
export const MIN_BAR_PX = 5;
/** Step names longer than this many columns are cut (with `…`) in labels; the tooltip has them whole. */
export const MAX_NAME_COLUMNS = 56;
/** A label on a bar long enough to hold it may show more of the name. */
export const MAX_INSIDE_COLUMNS = 120;

// East Asian wide characters and emoji take two columns in a monospace font.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;

/** Monospace columns `text` takes. */
export function textColumns(text: string): number {
  let n = 0;
  for (const ch of text) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

/**
 * A name as one line: runs of whitespace (newlines of a heredoc RUN, tabs) become one space, other
 * control characters (an escape sequence in a RUN line) a visible U+FFFD.
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\u0000-\u001F\u007F]/g, '\uFFFD').trim();
}

/** `text` cut to at most `max` columns, ending in `…` when something was cut; '' when max < 1. */
export function truncateColumns(text: string, max: number): string {
  if (textColumns(text) <= max) return text;
  if (max < 1) return '';
  let out = '';
  let cols = 0;
  for (const ch of text) {
    const w = WIDE.test(ch) ? 2 : 1;
    if (cols + w > max - 1) break;
    out += ch;
    cols += w;
  }
  return `${out.trimEnd()}…`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A step's duration as people read it: `0.35s`, `12.4s`, `1m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 59.95) return `${s.toFixed(1)}s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** An axis tick: `0s`, `0.5s`, `15s`, `1m`, `1m30s`, `2h`. */
export function formatTick(seconds: number): string {
  if (seconds < 60) return `${trimZeros(seconds.toFixed(3))}s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  if (h > 0) return m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}m`;
  return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

// Steps people count in: the decimal 1-2-5 series below a minute, then clock-like steps.
const CLOCK_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Tick positions from 0 to `span` seconds, at most `maxTicks` intervals, on a round step. */
export function axisTicks(span: number, maxTicks: number): number[] {
  if (!(span > 0) || maxTicks < 1) return [0];
  const raw = span / maxTicks;
  let step: number | undefined;
  if (raw <= 10) {
    const pow = 10 ** Math.floor(Math.log10(raw));
    step = [1, 2, 5, 10].map((m) => m * pow).find((c) => c >= raw * (1 - 1e-9));
  } else {
    step = CLOCK_STEPS.find((c) => c >= raw);
  }
  step ??= Math.ceil(raw / 86400) * 86400;
  const ticks: number[] = [];
  // Accumulating `i * step` keeps decimal steps from drifting (0.1 + 0.2 …).
  for (let i = 0; i * step <= span * (1 + 1e-9); i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Where a bar's label goes: on the bar when it fits, else beside it, on the side with room. */
export type LabelSide = 'inside' | 'right' | 'left';

export interface LabelPlacement {
  side: LabelSide;
  /** The span (seconds) the bar and its label occupy together; lanes never let two of these meet. */
  from: number;
  to: number;
}

/**
 * Places a label of `columns` columns for the bar [start, end] on a plot where one second is `pxPerSecond`
 * wide and the time axis ends at `span`; `allowInside` false keeps it off the bar (a label for several).
 */
export function placeLabel(start: number, end: number, columns: number, pxPerSecond: number, span: number, allowInside = true): LabelPlacement {
  const labelPx = columns * COLUMN_PX;
  const barPx = Math.max(MIN_BAR_PX, (end - start) * pxPerSecond);
  if (allowInside && barPx >= labelPx + 2 * LABEL_GAP_PX) return { side: 'inside', from: start, to: end };
  // Padding on both sides of the label: from the bar, and from whatever comes next in the lane.
  const outside = (2 * LABEL_GAP_PX + labelPx) / pxPerSecond;
  const barEnd = start + barPx / pxPerSecond;
  const roomRight = span - barEnd;
  // Right of the bar reads in time order; the left is for bars too close to the end of the axis.
  if (roomRight >= outside || roomRight >= start) return { side: 'right', from: start, to: barEnd + outside };
  return { side: 'left', from: start - outside, to: barEnd };
}

/** Anything that occupies some spans of one lane. */
export interface LaneItem {
  spans: ReadonlyArray<{ from: number; to: number }>;
}

/**
 * First-fit lanes: items in the order given (the caller sorts them by start) each take the lowest lane
 * where none of their spans comes within `gap` of a span already there. Spans include label room, so
 * neither bars nor labels of two items in one lane can touch; with items sorted by start this is the
 * classic interval-partitioning greedy, which for plain intervals uses as few lanes as the peak overlap.
 */
export function assignLanes(items: readonly LaneItem[], gap: number): number[] {
  const lanes: Array<Array<{ from: number; to: number }>> = [];
  return items.map((item) => {
    let lane = lanes.findIndex((used) => item.spans.every((s) => used.every((u) => s.from >= u.to + gap || u.from >= s.to + gap)));
    if (lane === -1) {
      lane = lanes.length;
      lanes.push([]);
    }
    lanes[lane]!.push(...item.spans);
    return lane;
  });
}

/** One interval of one step, as the critical-path walk sees it. */
export interface PathBar {
  step: number;
  start: number;
  end: number;
  /** Stopped by a cancel: it ended because of something else (another step failing, an interrupt). */
  canceled?: boolean;
}

/**
 * The critical path, as bar indices from the first to the last.
 *
 * Rule: start at the bar that ends last (the end of the build; on a tie, the one that started later,
 * since it ran after the other), passing over canceled bars when any other exists: a step canceled
 * because a sibling failed ends after the failure that decided the end. From a bar that starts at `s`,
 * step back to
 *   1. the bar of one of its step's inputs that ended last at or before `s`: of everything the step
 *      needed, that one finished last, so it is what held the step back; or, when no input qualifies
 *   2. the bar of any other step that ended last at or before `s`. Some waits are invisible in the
 *      graph: the exporter and the frontend's own steps (load Dockerfile → load metadata → FROM) carry
 *      no inputs, yet each starts when the step before it ends; the last thing to finish before a step
 *      started is what it was evidently waiting for.
 * The walk stops when nothing ended before the current bar started. A step is visited at most once,
 * so the walk always ends. Ties go to the longer bar, then to the earlier bar index.
 */
export function criticalPath(bars: readonly PathBar[], inputsOf: (step: number) => readonly number[]): number[] {
  if (bars.length === 0) return [];
  const allCanceled = bars.every((b) => b.canceled);
  let cur = -1;
  bars.forEach((b, i) => {
    if (b.canceled && !allCanceled) return;
    const c = bars[cur];
    if (!c || b.end > c.end || (b.end === c.end && b.start > c.start)) cur = i;
  });
  const path = [cur];
  const visited = new Set([bars[cur]!.step]);
  // Float noise from converting nanoseconds must not break an exact end-to-start handover.
  const eps = 1e-9;
  const better = (i: number, best: number | undefined): boolean => {
    if (best === undefined) return true;
    const a = bars[i]!;
    const b = bars[best]!;
    return a.end > b.end || (a.end === b.end && a.end - a.start > b.end - b.start);
  };
  for (;;) {
    const at = bars[cur]!;
    const inputs = new Set(inputsOf(at.step));
    let viaInput: number | undefined;
    let viaTime: number | undefined;
    bars.forEach((b, i) => {
      if (visited.has(b.step) || b.end > at.start + eps) return;
      if (inputs.has(b.step) && better(i, viaInput)) viaInput = i;
      if (better(i, viaTime)) viaTime = i;
    });
    const next = viaInput ?? viaTime;
    if (next === undefined) break;
    path.push(next);
    visited.add(bars[next]!.step);
    cur = next;
  }
  return path.reverse();
}

/** The most bars running at one instant (a bar ending when another starts does not overlap it). */
export function peakParallelism(bars: ReadonlyArray<{ start: number; end: number }>): number {
  const events: Array<[number, number]> = [];
  for (const b of bars) {
    if (b.end <= b.start) continue;
    events.push([b.start, 1], [b.end, -1]);
  }
  // At equal times ends come first.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = bars.length > 0 ? 1 : 0;
  for (const [, d] of events) {
    cur += d;
    peak = Math.max(peak, cur);
  }
  return peak;
}
