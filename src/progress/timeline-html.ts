// The build timeline as one self-contained HTML page: the SVG inline, a little CSS, and a table of the
// steps by duration. No scripts, fonts or anything else fetched, so the file can be mailed or attached.
import { formatDuration } from './timeline-layout.js';
import type { StepState, Timeline } from './timeline-model.js';
import { renderTimelineSVG, type TimelineOptions } from './timeline-svg.js';
import { escapeXML } from './timeline-xml.js';

const CSS = `
:root{color-scheme:light}
body{margin:0;padding:24px;background:#f1f5f9;color:#0f172a;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:max-content;margin:0 auto}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(15,23,42,.12);overflow-x:auto;margin-bottom:24px}
.card svg{display:block}
h2{font-size:15px;margin:0;padding:14px 18px 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 18px;text-align:left;border-top:1px solid #e2e8f0;vertical-align:top}
th{color:#475569;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:12px;word-break:break-all}
.state{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;white-space:nowrap}
.s-ran{background:#dbeafe;color:#1e40af}.s-cached{background:#e2e8f0;color:#334155}
.s-failed{background:#fee2e2;color:#991b1b}.s-canceled{background:#fef3c7;color:#92400e}
.s-running{background:#ede9fe;color:#5b21b6}
tr.critical td:first-child{box-shadow:inset 3px 0 0 #0f172a}
`;

const STATE_WORDS: Record<StepState, string> = { ran: 'ran', cached: 'cached', failed: 'failed', canceled: 'canceled', running: 'unfinished' };

function stepsTable(t: Timeline): string {
  // Where the time went: the longest steps first.
  const rows = [...t.steps]
    .sort((a, b) => b.duration - a.duration || a.start - b.start)
    .map((s) => `<tr${s.critical ? ' class="critical"' : ''}>` +
      `<td class="name">${escapeXML(s.name)}</td>` +
      `<td><span class="state s-${s.state}">${STATE_WORDS[s.state]}</span></td>` +
      `<td class="num">${escapeXML(formatDuration(s.start))}</td>` +
      `<td class="num">${escapeXML(formatDuration(s.duration))}</td>` +
      `<td>${s.critical ? 'critical path' : ''}</td></tr>`);
  return `<table><thead><tr><th>Step</th><th>State</th><th class="num">Start</th><th class="num">Duration</th><th></th></tr></thead>` +
    `<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function renderTimelineHTML(t: Timeline, opts: TimelineOptions = {}): string {
  const title = opts.title ?? 'Build timeline';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXML(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<div class="card">\n${renderTimelineSVG(t, opts)}</div>`,
    ...(t.steps.length ? [`<div class="card"><h2>Steps by duration</h2>\n${stepsTable(t)}\n</div>`] : []),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
