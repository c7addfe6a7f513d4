// `timeline` on a real build: record `--progress=rawjson` of a parallel multi-stage build with the real
// CLI against the real dockerd, draw it with `timeline`, and check the picture against the recording.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { byClass, classesOf, parseXml, textOf, type XmlElement } from '../unit/progress/xml-check.js';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, rfc3339Nanos, TEST_TIMEOUT, writeTree } from './helpers.js';

interface Recorded {
  name: string;
  grouped: boolean;
  /** started → completed, as strings from the stream */
  intervals: Map<string, string | undefined>;
}

/** Every vertex of a rawjson capture with all the intervals it reported (a vertex can start twice). */
function recordedVertices(rawjson: string): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  for (const line of rawjson.split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line) as { vertexes?: Array<{ digest: string; name?: string; started?: string; completed?: string; progressGroup?: unknown }> };
    for (const v of o.vertexes ?? []) {
      const r = out.get(v.digest) ?? { name: '', grouped: false, intervals: new Map() };
      r.name = v.name ?? r.name;
      r.grouped ||= v.progressGroup !== undefined;
      if (v.started) r.intervals.set(v.started, v.completed ?? r.intervals.get(v.started));
      out.set(v.digest, r);
    }
  }
  return out;
}

/** How many separate intervals remain once overlapping (or touching) ones are joined. */
function mergedCount(intervals: Map<string, string | undefined>): number {
  const spans = [...intervals].map(([s, c]) => [rfc3339Nanos(s), c === undefined ? undefined : rfc3339Nanos(c)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let n = 0;
  let end: bigint | undefined | null = null;
  for (const [s, c] of spans) {
    if (end === null || (end !== undefined && end < s)) {
      n++;
      end = c;
    } else if (end !== undefined) {
      end = c === undefined ? undefined : c > end ? c : end;
    }
  }
  return n;
}

e2eSuitePerDriver('timeline', (ctx, d) => {
  it('draws a real parallel multi-stage build: parallel RUNs on different lanes, critical path through the slower', { timeout: TEST_TIMEOUT }, async () => {
    // The nonce keeps every RUN out of the build cache, so they really run (and in parallel).
    const nonce = randomName();
    const dir = await ctx.tmp('timeline');
    await writeTree(dir, {
      Dockerfile: [
        `FROM ${d.baseImage} AS base`,
        `RUN echo base-${nonce} > /base.txt`,
        'FROM base AS fast',
        `RUN sleep 1 && echo fast-${nonce} > /fast.txt`,
        'FROM base AS slow',
        `RUN sleep 3 && echo slow-${nonce} > /slow.txt`,
        `FROM ${d.baseImage}`,
        'COPY --from=fast /fast.txt /fast.txt',
        'COPY --from=slow /slow.txt /slow.txt',
        '',
      ].join('\n'),
    });
    const b = await ctx.buildx(['build', '--progress=rawjson', '-t', ctx.tag('timeline'), ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(b.code, 0, describeRun(b));
    const saved = join(dir, 'saved.jsonl');
    await writeFile(saved, b.stderr);

    const out = join(dir, 'out.svg');
    const r = await ctx.buildx(['timeline', saved, '-o', out], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.length, 0, 'with -o nothing goes to stdout');
    assert.equal(r.stderr, '');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp file left behind');
    const svg = parseXml(await readFile(out, 'utf8'));
    const bars = byClass(svg, 'bar');

    // One bar per interval of every vertex that ran (grouped vertices would be drawn as their group).
    const recorded = recordedVertices(b.stderr);
    const ran = [...recorded].filter(([, v]) => v.intervals.size > 0 && !v.grouped);
    assert.ok(ran.length >= 6, `a handful of steps ran: ${ran.map(([, v]) => v.name).join(', ')}`);
    for (const [digest, v] of ran) {
      const mine = bars.filter((el) => el.attrs['data-digest'] === digest);
      assert.equal(mine.length, mergedCount(v.intervals), `bars for ${v.name}`);
    }
    // Anything else drawn must be a progress group (its id is no vertex digest).
    const others = bars.filter((el) => !ran.some(([d]) => d === el.attrs['data-digest']));
    assert.ok(others.every((el) => !recorded.has(el.attrs['data-digest']!)), 'no bar for a vertex that never ran');
    assert.equal(bars.length, ran.reduce((n, [, v]) => n + mergedCount(v.intervals), 0) + others.length);

    const barOf = (needle: string): XmlElement => {
      const digest = ran.find(([, v]) => v.name.includes(needle))?.[0];
      assert.ok(digest, `a vertex named like ${needle}`);
      return bars.find((el) => el.attrs['data-digest'] === digest)!;
    };
    const fast = barOf(`echo fast-${nonce}`);
    const slow = barOf(`echo slow-${nonce}`);
    const base = barOf(`echo base-${nonce}`);
    // The two RUNs overlapped in time, so they sit on different lanes.
    const span = (el: XmlElement) => [Number(el.attrs['data-start']), Number(el.attrs['data-end'])] as const;
    const [fs, fe] = span(fast);
    const [ss, se] = span(slow);
    assert.ok(fs < se && ss < fe, `the RUNs ran in parallel: fast ${fs}–${fe}, slow ${ss}–${se}`);
    assert.notEqual(fast.attrs['data-lane'], slow.attrs['data-lane']);

    // The critical path runs through the slow RUN (and what fed it), not the fast one, and ends with the build.
    const critical = (el: XmlElement) => classesOf(el).includes('critical');
    assert.ok(critical(slow), 'the slow RUN is on the critical path');
    assert.ok(critical(base), 'the stage both RUNs start from is on the critical path');
    assert.ok(!critical(fast), 'the fast RUN is not');
    // Ends are rounded in the SVG, so several bars can share the last end: one of them is the path's end.
    const lastEnd = Math.max(...bars.map((el) => span(el)[1]));
    assert.ok(bars.filter((el) => span(el)[1] === lastEnd).some(critical), 'the step that ended the build is on the critical path');
    assert.ok(byClass(svg, 'crit-link').length >= 3);
    for (const el of bars) assert.ok(classesOf(el).some((c) => ['ran', 'cached'].includes(c)), `${el.attrs['data-digest']} ran or was cached`);

    // Labels carry the names and durations; the header the counts.
    const label = textOf(slow.children.find((c) => c.name === 'text')!);
    assert.match(label, new RegExp(`RUN sleep 3 && echo slow-${nonce} > /slow\\.txt ?[0-9.]+s$`));
    const steps = new Set(bars.map((e) => e.attrs['data-digest'])).size;
    assert.match(byClass(svg, 'summary').map(textOf).join(' '), new RegExp(`\\b${steps} steps`));

    // The same picture as HTML, and SVG on stdout without -o.
    const html = join(dir, 'out.html');
    const h = await ctx.buildx(['timeline', '--title', 'e2e <build>', saved, '-o', html], { timeoutMs: 60_000 });
    assert.equal(h.code, 0, describeRun(h));
    const page = await readFile(html, 'utf8');
    assert.ok(page.startsWith('<!DOCTYPE html>'));
    assert.match(page, /<title>e2e &lt;build&gt;<\/title>/);
    assert.equal(byClass(parseXml(page.slice(page.indexOf('<svg'), page.indexOf('</svg>') + 6)), 'bar').length, bars.length);
    const so = await ctx.buildx(['timeline', saved], { timeoutMs: 60_000 });
    assert.equal(so.code, 0, describeRun(so));
    assert.equal(byClass(parseXml(so.stdout.toString('utf8')), 'bar').length, bars.length);
  });

  it('fails with one error line naming the bad input, and writes nothing', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('timeline-bad');
    const good = join(dir, 'good.jsonl');
    await writeFile(good, '{"vertexes":[{"digest":"sha256:a","name":"a","started":"2024-01-01T00:00:00Z","completed":"2024-01-01T00:00:01Z"}]}\n');
    const notJson = join(dir, 'not-json.jsonl');
    await writeFile(notJson, '{"vertexes":[]}\n#1 [internal] load build definition\n');
    const cases: Array<[string[], RegExp]> = [
      [[join(dir, 'missing.jsonl'), '-o', join(dir, 'a.svg')], /^ERROR: open \S+missing\.jsonl: no such file or directory\n$/],
      [[notJson, '-o', join(dir, 'b.svg')], /^ERROR: \S+not-json\.jsonl: line 2 is not a JSON object: "#1 \[internal\] load build definition"\n$/],
      [[good, '-o', join(dir, 'c.png')], /^ERROR: unsupported timeline output "\S+c\.png": the file name must end in \.svg or \.html\n$/],
      [[], /^ERROR: buildx: 'buildx timeline' requires 1 argument\n/],
    ];
    for (const [args, re] of cases) {
      const r = await ctx.buildx(['timeline', ...args], { timeoutMs: 60_000 });
      assert.notEqual(r.code, 0, describeRun(r));
      assert.match(r.stderr, re);
      assert.equal(r.stdout.length, 0);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['good.jsonl', 'not-json.jsonl'], 'nothing written');
    assert.ok(!existsSync(join(dir, 'c.png')));
  });
});
