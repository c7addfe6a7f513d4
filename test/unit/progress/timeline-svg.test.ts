import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimeline, renderTimelineHTML, renderTimelineSVG, type Timeline } from '../../../src/progress/timeline.js';
import { COLUMN_PX, textColumns } from '../../../src/progress/timeline-layout.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import { scenarios } from './scenarios.js';
import { dg, vtx } from './streams.js';
import { allElements, byClass, classesOf, parseXml, textOf, XmlError, type XmlElement } from './xml-check.js';

const A = dg('A');
const B = dg('B');
const C = dg('C');
const D = dg('D');
const E = dg('E');
const F = dg('F');

const NASTY = `RUN echo "<b>" && printf '%s' a&b ]]> \u0001 >&2`;

function step(digest: string, name: string, started: number, completed: number, o: { inputs?: string[]; cached?: boolean; error?: string } = {}): SolveStatus[] {
  return [vtx(digest, name, { started, inputs: o.inputs }), vtx(digest, name, { started, completed, ...o })];
}

/** Every state, a diamond, a step that ran twice, and a name full of XML's special characters. */
const mixed: SolveStatus[] = [
  ...step(A, '[base 1/2] FROM docker.io/library/busybox:local', 0, 0, { cached: true }),
  ...step(B, '[left 2/2] RUN sleep 2', 10, 2000, { inputs: [A] }),
  ...step(C, NASTY, 12, 800, { inputs: [A] }),
  ...step(D, '[test 2/2] RUN ./test.sh', 15, 1515, { inputs: [A], error: 'process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1' }),
  ...step(E, '[build 2/2] RUN make', 20, 1600, { inputs: [A], error: 'context canceled' }),
  ...step(F, '[final 2/2] COPY --from=left', 2010, 2100, { inputs: [B, C] }),
  ...step(C, NASTY, 900, 1000, { inputs: [A] }),
];

function bars(svg: XmlElement): XmlElement[] {
  return byClass(svg, 'bar');
}

function render(t: Timeline, width?: number): XmlElement {
  const svg = parseXml(renderTimelineSVG(t, { width }));
  assert.equal(svg.name, 'svg');
  assert.equal(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  return svg;
}

describe('timeline SVG', () => {
  const t = buildTimeline(mixed);

  it('is well-formed XML with exactly one bar element per run of each step', () => {
    const svg = render(t);
    const got = bars(svg);
    assert.equal(got.length, t.bars.length);
    assert.equal(got.length, 7, 'six steps, one of them ran twice');
    const perDigest = new Map<string, number>();
    for (const b of got) perDigest.set(b.attrs['data-digest']!, (perDigest.get(b.attrs['data-digest']!) ?? 0) + 1);
    assert.deepEqual([...perDigest.entries()].sort(), [[A, 1], [B, 1], [C, 2], [D, 1], [E, 1], [F, 1]].sort());
    // data attributes mirror the model
    got.forEach((el, i) => {
      const b = t.bars[i]!;
      assert.equal(el.attrs['data-lane'], String(b.lane));
      assert.equal(el.attrs['data-state'], b.state);
      assert.equal(Number(el.attrs['data-start']), Number(b.start.toFixed(3)));
      assert.equal(el.children.filter((c) => c.name === 'rect').length, 1);
    });
  });

  it('tells the states apart by class, colour and legend', () => {
    const svg = render(t);
    const stateOf = (d: string) => bars(svg).find((b) => b.attrs['data-digest'] === d)!;
    assert.ok(classesOf(stateOf(A)).includes('cached'));
    assert.ok(classesOf(stateOf(B)).includes('ran'));
    assert.ok(classesOf(stateOf(D)).includes('failed'));
    assert.ok(classesOf(stateOf(E)).includes('canceled'));
    const style = textOf(allElements(svg).find((e) => e.name === 'style')!);
    const fills = ['ran', 'cached', 'failed', 'canceled'].map((s) => new RegExp(`\\.bar\\.${s} rect[^{]*\\{fill:(#[0-9a-f]{6})`).exec(style)?.[1]);
    assert.equal(new Set(fills).size, 4, `four different fills: ${fills.join(' ')}`);
    const legend = byClass(svg, 'legend').map(textOf);
    assert.deepEqual(legend, ['Ran', 'Cached', 'Failed', 'Canceled', 'Critical path']);
    // a cached step takes no time but still gets a visible marker
    const marker = stateOf(A).children.find((c) => c.name === 'rect')!;
    assert.ok(Number(marker.attrs.width) >= 4);
  });

  it('marks the critical path on its bars and links them', () => {
    const svg = render(t);
    const critical = bars(svg).filter((b) => classesOf(b).includes('critical')).map((b) => b.attrs['data-digest']);
    // F ended last; of its inputs B ended last (C's second run ended earlier); B came from A.
    assert.deepEqual(t.criticalPath, [A, B, F]);
    assert.deepEqual(critical.sort(), [A, B, F].sort());
    assert.equal(byClass(svg, 'crit-link').length, 2);
    assert.deepEqual(byClass(svg, 'swatch', 'critical').length, 1, 'the legend explains the outline');
  });

  it('labels each bar with its name and duration, and puts the full name in a tooltip', () => {
    const svg = render(t);
    for (const [i, el] of bars(svg).entries()) {
      const b = t.bars[i]!;
      const title = el.children.find((c) => c.name === 'title');
      assert.ok(title, 'every bar has a tooltip');
      assert.ok(textOf(title).startsWith(t.steps[b.step]!.name.replace('\u0001', '\uFFFD')), 'tooltip starts with the full name');
      const label = el.children.find((c) => c.name === 'text');
      // At the default width every label fits as the model laid it out (name and detail are two tspans).
      assert.ok(label, `bar ${b.label.text} has a label`);
      assert.equal(textOf(label), b.label.name + b.label.detail);
      assert.equal(b.label.text, `${b.label.name} ${b.label.detail}`);
    }
    const label = (d: string, n = 0) => textOf(bars(svg).filter((b) => b.attrs['data-digest'] === d)[n]!.children.find((c) => c.name === 'text')!);
    assert.equal(label(B), '[left 2/2] RUN sleep 21.99s');
    assert.equal(label(A), '[base 1/2] FROM docker.io/library/busybox:localcached');
    assert.equal(label(D), '[test 2/2] RUN ./test.sh1.50s failed');
    assert.equal(label(C, 1), `${NASTY.replace('\u0001', '\uFFFD')}0.10s`);
  });

  it('escapes names: <, &, quotes and ]]> survive, forbidden control characters are replaced', () => {
    const text = renderTimelineSVG(t);
    assert.ok(!text.includes('<b>'));
    assert.ok(text.includes('&lt;b&gt;'));
    const svg = parseXml(text);
    const c = bars(svg).find((b) => b.attrs['data-digest'] === C)!;
    assert.equal(textOf(c.children.find((x) => x.name === 'title')!).split('\n')[0], NASTY.replace('\u0001', '\uFFFD'));
    const custom = parseXml(renderTimelineSVG(t, { title: 'Tom & Jerry <build> "quoted"' }));
    assert.equal(textOf(byClass(custom, 'title')[0]!), 'Tom & Jerry <build> "quoted"');
  });

  it('has a header with the total duration and the counts, and an axis with tick labels in seconds', () => {
    const svg = render(t);
    const summary = byClass(svg, 'summary').map(textOf).join(' ');
    assert.match(summary, /2\.10s total/);
    assert.match(summary, /6 steps/);
    assert.match(summary, /1 cached/);
    assert.match(summary, /1 failed/);
    assert.match(summary, /1 canceled/);
    const ticks = byClass(svg, 'tick').map(textOf);
    assert.deepEqual(ticks.slice(0, 6), ['0s', '0.2s', '0.4s', '0.6s', '0.8s', '1s']);
    assert.equal(textOf(byClass(svg, 'title')[0]!), 'Build timeline');
  });

  it('keeps labels clear of other bars and labels in their lane, and inside the plot, at any width', () => {
    const parallel = buildTimeline(scenarios['parallel-logs']!.stream);
    for (const tl of [t, parallel, buildTimeline(scenarios['sequential-build']!.stream)]) {
      for (const width of [480, 640, 900, 1200, 2400]) {
        const svg = render(tl, width);
        const lanes = new Map<string, Array<{ from: number; to: number; who: string }>>();
        for (const el of bars(svg)) {
          const rect = el.children.find((c) => c.name === 'rect')!;
          const x = Number(rect.attrs.x);
          const w = Number(rect.attrs.width);
          const spans = [{ from: x, to: x + w }];
          const label = el.children.find((c) => c.name === 'text');
          if (label) {
            const tspans = label.children;
            // one column of space between name and detail (the detail's dx)
            const cols = tspans.reduce((n, ts) => n + textColumns(textOf(ts)), 0) + (tspans.length - 1);
            const lx = Number(label.attrs.x);
            const lw = cols * COLUMN_PX;
            const span = label.attrs['text-anchor'] === 'end' ? { from: lx - lw, to: lx } : { from: lx, to: lx + lw };
            assert.ok(span.from >= 24 - 0.01 && span.to <= width - 24 + 0.01, `label ${textOf(label)} inside the plot at width ${width}`);
            if (!classesOf(label).includes('in')) spans.push(span);
            else assert.ok(span.to <= x + w + 0.01, `inside label ${textOf(label)} fits its bar at width ${width}`);
          }
          const list = lanes.get(el.attrs['data-lane']!) ?? [];
          for (const s of spans) list.push({ ...s, who: el.attrs['data-digest']! + el.attrs['data-start'] });
          lanes.set(el.attrs['data-lane']!, list);
        }
        for (const [lane, spans] of lanes) {
          for (const a of spans) {
            for (const b of spans) {
              if (a.who === b.who) continue;
              assert.ok(a.to <= b.from + 0.01 || b.to <= a.from + 0.01, `lane ${lane} at width ${width}: [${a.from}, ${a.to}] meets [${b.from}, ${b.to}]`);
            }
          }
        }
      }
    }
  });

  it('draws an empty build as a well-formed picture that says so', () => {
    const svg = render(buildTimeline([]));
    assert.equal(bars(svg).length, 0);
    assert.equal(byClass(svg, 'summary').map(textOf).join(''), 'no steps ran');
  });
});

describe('timeline HTML', () => {
  const t = buildTimeline(mixed);

  it('is one self-contained page embedding the SVG', () => {
    const html = renderTimelineHTML(t, { title: 'CI build <main>' });
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
    assert.match(html, /<title>CI build &lt;main&gt;<\/title>/);
    const svg = renderTimelineSVG(t, { title: 'CI build <main>' });
    assert.ok(html.includes(svg), 'the SVG is inline, byte for byte');
    const start = html.indexOf('<svg');
    const end = html.indexOf('</svg>') + '</svg>'.length;
    assert.equal(bars(parseXml(html.slice(start, end))).length, t.bars.length);
    // nothing fetched: no scripts, links, images, imports or remote URLs (the SVG namespace is only a name)
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(|\bsrc=/i);
    assert.deepEqual(html.match(/https?:\/\/[^"'\s)]+/g), ['http://www.w3.org/2000/svg']);
    // the table lists every step, the longest first, and escapes names
    const rows = html.match(/<tr[ >]/g)!.length - 1;
    assert.equal(rows, t.steps.length);
    assert.ok(html.indexOf('[left 2/2] RUN sleep 2') < html.indexOf('[final 2/2] COPY --from=left'));
    assert.ok(html.includes('RUN echo &quot;&lt;b&gt;&quot;'));
  });
});

describe('xml-check (the test helper itself)', () => {
  it('rejects what is not well-formed', () => {
    for (const bad of ['<a>', '<a></b>', '<a>x & y</a>', '<a>&nbsp;</a>', '<a x="1" x="2"/>', '<a x=1/>', '<a/><b/>',
      '<a>\u0001</a>', '<a>]]></a>', '<a x="<"/>', 'text<a/>', '<a><!-- a -- b --></a>', '<a b="1"c="2"/>']) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
    const ok = parseXml('<?xml version="1.0"?>\n<a xml:space="preserve" b=\'&amp;&#60;&#x3e;\'><!-- c --><b>t&lt;</b><![CDATA[<x>]]></a>');
    assert.equal(ok.attrs.b, '&<>');
    assert.equal(textOf(ok), 't<<x>');
  });
});
