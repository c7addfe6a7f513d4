// The build timeline as a standalone SVG: a header with the totals, a legend, a time axis with a light
// grid, and one bar per run of each step in its lane, the critical path outlined and linked.
import {
  axisTicks, COLUMN_PX, formatDuration, formatTick, LABEL_FONT_PX, LABEL_GAP_PX, MIN_BAR_PX, REFERENCE_PLOT_WIDTH,
  textColumns, truncateColumns,
} from './timeline-layout.js';
import type { StepState, Timeline, TimelineBar } from './timeline-model.js';
import { escapeXML } from './timeline-xml.js';

export interface TimelineOptions {
  /** Shown above the picture; default `Build timeline`. */
  title?: string;
  /** Picture width in px; default 1200, at least 480. */
  width?: number;
}

const MARGIN = 24;
const DEFAULT_WIDTH = REFERENCE_PLOT_WIDTH + 2 * MARGIN;
const MIN_WIDTH = 480;
const MAX_WIDTH = 20_000;
const LANE_HEIGHT = 26;
const BAR_HEIGHT = 16;
const TICK_SPACING_PX = 84;

const SANS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";
const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace";

/** Fill, and the colour of a label drawn on top of it. */
const COLOURS: Record<StepState, { fill: string; ink: string; legend: string }> = {
  ran: { fill: '#3b82f6', ink: '#ffffff', legend: 'Ran' },
  cached: { fill: '#a8b3c4', ink: '#1e293b', legend: 'Cached' },
  failed: { fill: '#e5484d', ink: '#ffffff', legend: 'Failed' },
  canceled: { fill: '#f5a524', ink: '#1e293b', legend: 'Canceled' },
  running: { fill: '#8b5cf6', ink: '#ffffff', legend: 'Unfinished' },
};

const STYLE = [
  `text{font-family:${SANS}}`,
  '.title{font-size:18px;font-weight:600;fill:#0f172a}',
  '.summary{font-size:12.5px;fill:#475569}',
  '.summary .k{font-weight:600;fill:#0f172a}',
  '.when{font-size:11.5px;fill:#94a3b8}',
  '.legend{font-size:12px;fill:#334155}',
  '.tick{font-size:11px;fill:#64748b}',
  '.grid{stroke:#e2e8f0;stroke-width:1}',
  '.grid.zero{stroke:#cbd5e1}',
  '.stripe{fill:#f8fafc}',
  '.frame{stroke:#cbd5e1;stroke-width:1}',
  '.bar rect{stroke:#ffffff;stroke-width:1}',
  ...Object.entries(COLOURS).map(([s, c]) => `.bar.${s} rect,.swatch.${s}{fill:${c.fill}}`),
  '.bar.open rect{stroke:#5b21b6;stroke-width:1;stroke-dasharray:3 2}',
  '.bar.critical rect,.swatch.critical{stroke:#0f172a;stroke-width:1.75}',
  '.swatch.critical{fill:#ffffff}',
  '.bar:hover rect{opacity:0.85}',
  `.label{font-family:${MONO};font-size:${LABEL_FONT_PX}px;fill:#1e293b}`,
  '.label .d{fill:#64748b}',
  ...Object.entries(COLOURS).map(([s, c]) => `.bar.${s} .label.in,.bar.${s} .label.in .d{fill:${c.ink}}`),
  '.label.in .d{fill-opacity:0.85}',
  '.crit-link{fill:none;stroke:#0f172a;stroke-width:1.25;stroke-opacity:0.6}',
].join('\n');

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The label shown for a bar given the px it has: whole, name shortened, duration only, or nothing. */
function fitLabel(name: string, detail: string, roomPx: number): { name: string; detail: string } | undefined {
  const cols = Math.floor(roomPx / COLUMN_PX + 1e-9);
  const detailCols = textColumns(detail);
  if (cols >= textColumns(name) + 1 + detailCols) return { name, detail };
  // Worth showing a cut name only if a few characters of it survive.
  if (cols >= detailCols + 5) return { name: truncateColumns(name, cols - detailCols - 1), detail };
  if (cols >= detailCols) return { name: '', detail };
  return undefined;
}

interface Frame {
  x0: number;
  plotWidth: number;
  plotTop: number;
  /** px per second */
  scale: number;
}

function barBox(b: TimelineBar, f: Frame): { x: number; w: number } {
  const w = Math.max(MIN_BAR_PX, (b.end - b.start) * f.scale);
  // A marker widened to stay visible must not stick out past the end of the axis.
  return { x: Math.min(f.x0 + b.start * f.scale, f.x0 + f.plotWidth - w), w };
}

function renderBar(t: Timeline, index: number, f: Frame): string {
  const b = t.bars[index]!;
  const step = t.steps[b.step]!;
  const laneTop = f.plotTop + b.lane * LANE_HEIGHT;
  const { x, w } = barBox(b, f);
  const y = laneTop + (LANE_HEIGHT - BAR_HEIGHT) / 2;
  const classes = ['bar', b.state, ...(b.open ? ['open'] : []), ...(b.critical ? ['critical'] : [])].join(' ');
  const tip = [
    step.name,
    `${b.state === 'cached' ? 'cached' : `${b.state === 'running' ? 'unfinished' : b.state}, ${formatDuration(b.end - b.start)}`}` +
      `, from ${formatDuration(b.start)} to ${formatDuration(b.end)}`,
    ...(step.bars.length > 1 ? [`run ${step.bars.indexOf(index) + 1} of ${step.bars.length}`] : []),
    ...(b.critical ? ['on the critical path'] : []),
    ...(step.error ? [step.error.length > 600 ? `${step.error.slice(0, 600)}…` : step.error] : []),
  ].join('\n');

  // The label gets the room the layout reserved for it, scaled to this picture's width.
  const plotEnd = f.x0 + f.plotWidth;
  let room = 0;
  let tx = x;
  let anchor = 'start';
  if (b.label.side === 'inside') {
    room = w - 2 * LABEL_GAP_PX;
    tx = x + LABEL_GAP_PX;
  } else if (b.label.side === 'right') {
    tx = x + w + LABEL_GAP_PX;
    room = Math.min(f.x0 + b.extent.to * f.scale - LABEL_GAP_PX, plotEnd) - tx;
  } else if (b.label.side === 'left') {
    tx = x - LABEL_GAP_PX;
    room = tx - Math.max(f.x0 + b.extent.from * f.scale + LABEL_GAP_PX, f.x0);
    anchor = 'end';
  }
  const fit = b.label.side === 'none' ? undefined : fitLabel(b.label.name, b.label.detail, room);
  let text = '';
  if (fit) {
    const cls = b.label.side === 'inside' ? 'label in' : 'label';
    const name = fit.name ? `<tspan class="n">${escapeXML(fit.name)}</tspan>` : '';
    // A gap of one column via dx: renderers disagree on keeping a space that starts a tspan.
    const detail = `<tspan class="d"${fit.name ? ` dx="${num(COLUMN_PX)}"` : ''}>${escapeXML(fit.detail)}</tspan>`;
    text = `<text class="${cls}" x="${num(tx)}" y="${num(y + BAR_HEIGHT / 2 + 4)}"${anchor === 'end' ? ' text-anchor="end"' : ''}>${name}${detail}</text>`;
  }
  return `<g class="${classes}" data-digest="${escapeXML(b.digest)}" data-lane="${b.lane}" data-state="${b.state}"` +
    ` data-start="${b.start.toFixed(3)}" data-end="${b.end.toFixed(3)}">` +
    `<title>${escapeXML(tip)}</title>` +
    `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${BAR_HEIGHT}" rx="3"/>${text}</g>`;
}

/** Roughly how wide `text` sets in a proportional sans-serif: enough to space the legend evenly. */
function sansWidth(text: string, px: number): number {
  let em = 0;
  for (const ch of text) {
    if (/[ilIjtf.,:;'|!()[\] ]/.test(ch)) em += 0.32;
    else if (/[mwMW]/.test(ch)) em += 0.86;
    else if (/[A-Z]/.test(ch)) em += 0.68;
    else em += 0.57;
  }
  return em * px;
}

/** Items laid out left to right, wrapped onto more lines when the width runs out. */
function flow(widths: readonly number[], maxWidth: number, spacing: number): Array<{ x: number; line: number }> {
  let x = 0;
  let line = 0;
  return widths.map((w) => {
    if (x > 0 && x + w > maxWidth) {
      x = 0;
      line++;
    }
    const at = { x, line };
    x += w + spacing;
    return at;
  });
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function summaryParts(t: Timeline): Array<{ svg: string; text: string }> {
  const c = t.counts;
  const part = (value: number | string, words: string, before = '') =>
    ({ svg: `${escapeXML(before)}<tspan class="k">${escapeXML(String(value))}</tspan> ${escapeXML(words)}`.replace(/ $/, ''), text: `${before}${value} ${words}` });
  if (c.steps === 0) return [{ svg: 'no steps ran', text: 'no steps ran' }];
  return [
    part(formatDuration(t.duration), 'total'),
    part(c.steps, plural(c.steps, 'step')),
    part(c.ran, 'ran'),
    part(c.cached, 'cached'),
    part(c.failed, 'failed'),
    ...(c.canceled ? [part(c.canceled, 'canceled')] : []),
    ...(c.running ? [part(c.running, 'unfinished')] : []),
    part(t.peakParallelism, '', 'peak parallelism '),
    part(t.criticalPath.length, plural(t.criticalPath.length, 'step'), 'critical path '),
  ];
}

/** The summary line(s) under the title; returns the markup and the baseline of the last line. */
function summary(t: Timeline, y: number, maxWidth: number): { svg: string; bottom: number } {
  const parts = summaryParts(t);
  const sep = '  ·  ';
  const pos = flow(parts.map((p) => sansWidth(p.text + sep, 12.5)), maxWidth, 0);
  const lines: string[][] = [];
  parts.forEach((p, i) => (lines[pos[i]!.line] ??= []).push(p.svg));
  const svg = lines.map((l, i) => `<text class="summary" x="${MARGIN}" y="${y + i * 18}" xml:space="preserve">${l.join(sep)}</text>`).join('\n');
  return { svg, bottom: y + (lines.length - 1) * 18 };
}

/** Swatches for the states, then the critical path; returns the markup and the top of the last row. */
function legend(t: Timeline, y: number, maxWidth: number): { svg: string; bottom: number } {
  const states: StepState[] = ['ran', 'cached', 'failed', 'canceled', ...(t.counts.running ? ['running' as const] : [])];
  const items = [
    ...states.map((s) => ({ cls: s, label: COLOURS[s].legend })),
    { cls: 'critical', label: 'Critical path' },
  ];
  const pos = flow(items.map((i) => 18 + sansWidth(i.label, 12)), maxWidth, 20);
  const svg = items.map((item, i) => {
    const x = MARGIN + pos[i]!.x;
    const top = y + pos[i]!.line * 20;
    return `<rect class="swatch ${item.cls}" x="${num(x)}" y="${top}" width="12" height="12" rx="2"/>` +
      `<text class="legend" x="${num(x + 18)}" y="${top + 10.5}">${escapeXML(item.label)}</text>`;
  }).join('');
  return { svg, bottom: y + (pos[pos.length - 1]?.line ?? 0) * 20 };
}

/** Elbow links between consecutive bars of the critical path, drawn beneath the bars. */
function criticalLinks(t: Timeline, f: Frame): string {
  const bars = t.criticalPath.map((d) => t.bars.find((b) => b.critical && b.digest === d)).filter((b) => b !== undefined);
  const out: string[] = [];
  const mid = (b: TimelineBar) => f.plotTop + b.lane * LANE_HEIGHT + LANE_HEIGHT / 2;
  for (let i = 1; i < bars.length; i++) {
    const a = bars[i - 1]!;
    const b = bars[i]!;
    const ab = barBox(a, f);
    const x1 = ab.x + ab.w;
    const x2 = barBox(b, f).x;
    const [y1, y2] = [mid(a), mid(b)];
    if (y1 === y2) {
      if (x2 > x1) out.push(`<path class="crit-link" d="M${num(x1)} ${num(y1)}H${num(x2)}"/>`);
      continue;
    }
    // Turn down (or up) just before the next bar, so the link reads as "this waited for that"; when
    // the next bar starts right away, the link drops straight onto its edge.
    const xm = Math.max(x1, x2 - 4);
    const yEdge = y2 > y1 ? y2 - BAR_HEIGHT / 2 : y2 + BAR_HEIGHT / 2;
    out.push(`<path class="crit-link" d="M${num(x1)} ${num(y1)}H${num(xm)}V${num(xm >= x2 ? yEdge : y2)}${xm < x2 ? `H${num(x2)}` : ''}"/>`);
  }
  return out.join('');
}

export function renderTimelineSVG(t: Timeline, opts: TimelineOptions = {}): string {
  const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, opts.width ?? DEFAULT_WIDTH)));
  const title = opts.title ?? 'Build timeline';
  const plotWidth = width - 2 * MARGIN;
  const header: string[] = [];

  // Header: title (and when the build started, if it fits beside it), totals, legend; each may wrap.
  header.push(`<text class="title" x="${MARGIN}" y="36">${escapeXML(title)}</text>`);
  if (t.startedAt) {
    const when = `started ${t.startedAt.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC')}`;
    if (sansWidth(title, 18) * 1.08 + sansWidth(when, 11.5) + 24 <= plotWidth) {
      header.push(`<text class="when" x="${width - MARGIN}" y="36" text-anchor="end">${escapeXML(when)}</text>`);
    }
  }
  const sum = summary(t, 60, plotWidth);
  header.push(sum.svg);
  const leg = legend(t, sum.bottom + 16, plotWidth);
  header.push(leg.svg);
  const plotTop = leg.bottom + 46;

  const f: Frame = { x0: MARGIN, plotWidth, plotTop, scale: plotWidth / Math.max(t.duration, 1e-3) };
  const lanes = Math.max(1, t.lanes);
  const plotBottom = plotTop + lanes * LANE_HEIGHT;
  const height = plotBottom + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-title">`);
  out.push(`<title id="timeline-title">${escapeXML(`${title}: ${formatDuration(t.duration)}, ${t.counts.steps} ${plural(t.counts.steps, 'step')}`)}</title>`);
  out.push(`<style>\n${STYLE}\n</style>`);
  out.push(`<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(...header);

  // Grid and axis: light lines through every lane, tick labels above the plot.
  const ticks = axisTicks(t.duration, Math.max(1, Math.floor(plotWidth / TICK_SPACING_PX)));
  for (let i = 0; i < lanes; i += 2) {
    out.push(`<rect class="stripe" x="${MARGIN}" y="${plotTop + i * LANE_HEIGHT}" width="${plotWidth}" height="${LANE_HEIGHT}"/>`);
  }
  for (const tick of ticks) {
    const x = MARGIN + tick * f.scale;
    if (x > MARGIN + plotWidth + 0.5) continue;
    const anchor = x > width - MARGIN - 16 ? 'end' : x < MARGIN + 16 ? 'start' : 'middle';
    out.push(`<line class="grid${tick === 0 ? ' zero' : ''}" x1="${num(x)}" y1="${plotTop}" x2="${num(x)}" y2="${plotBottom}"/>`);
    out.push(`<text class="tick" x="${num(x)}" y="${plotTop - 8}" text-anchor="${anchor}">${escapeXML(formatTick(tick))}</text>`);
  }
  out.push(`<line class="frame" x1="${MARGIN}" y1="${plotTop}" x2="${width - MARGIN}" y2="${plotTop}"/>`);
  out.push(`<line class="frame" x1="${MARGIN}" y1="${plotBottom}" x2="${width - MARGIN}" y2="${plotBottom}"/>`);
  out.push(`<text class="tick" x="${width - MARGIN}" y="${plotBottom + 18}" text-anchor="end">seconds since the first step started</text>`);

  out.push(`<g class="links">${criticalLinks(t, f)}</g>`);
  out.push('<g class="bars">');
  for (let i = 0; i < t.bars.length; i++) out.push(renderBar(t, i, f));
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
