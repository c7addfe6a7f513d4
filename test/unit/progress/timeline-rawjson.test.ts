import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BuildxError } from '../../../src/util/errors.js';
import { encodeRawJSON } from '../../../src/progress/rawjson.js';
import {
  buildTimeline, RawJSONLineError, readTimelineFile, renderTimelineSVG, splitLines, timelineFormatFor, timelineFromRawJSON,
} from '../../../src/progress/timeline.js';
import { scenarios } from './scenarios.js';
import { dg, fixturesDir, vtx } from './streams.js';
import { byClass, parseXml } from './xml-check.js';

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('timelineFromRawJSON', () => {
  it('gives, for every rawjson fixture, the timeline of the stream it records', async () => {
    const files = readdirSync(fixturesDir()).filter((f) => f.endsWith('.rawjson.jsonl'));
    assert.ok(files.length >= 10, 'the fixtures are there');
    for (const file of files) {
      const name = file.replace('.rawjson.jsonl', '');
      const scenario = scenarios[name];
      assert.ok(scenario, `a scenario for ${file}`);
      const fromFile = await readTimelineFile(join(fixturesDir(), file));
      assert.deepEqual(fromFile, buildTimeline(scenario.stream), file);
      // and the picture of a replay holds one bar per run
      const svg = parseXml(renderTimelineSVG(fromFile));
      assert.equal(byClass(svg, 'bar').length, fromFile.bars.length, file);
    }
  });

  it('round-trips a stream through encodeRawJSON', async () => {
    const stream = scenarios['parallel-logs']!.stream;
    const lines = stream.map((s) => encodeRawJSON(s).replace(/\n$/, ''));
    const t = await timelineFromRawJSON(from(lines));
    assert.deepEqual(t, buildTimeline(stream));
    assert.equal(t.steps.length, 2);
    assert.notEqual(t.steps[0]!.lane, t.steps[1]!.lane, 'the two parallel RUNs are on different lanes');
  });

  it('splits chunks into lines whatever the chunk boundaries, multi-byte names included', async () => {
    const name = 'RUN echo "héllo 日本" && true';
    const text = [
      encodeRawJSON(vtx(dg('a'), name, { started: 0 })),
      '\r\n',
      encodeRawJSON(vtx(dg('a'), name, { started: 0, completed: 1500 })).replace(/\n$/, '\r\n'),
      '   \n',
      encodeRawJSON(vtx(dg('b'), 'b', { started: 1500, completed: 1600, inputs: [dg('a')] })).replace(/\n$/, ''),
    ].join('');
    const bytes = Buffer.from(text);
    const expected = buildTimeline([vtx(dg('a'), name, { started: 0, completed: 1500 }), vtx(dg('b'), 'b', { started: 1500, completed: 1600, inputs: [dg('a')] })]);
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const t = await timelineFromRawJSON(splitLines(from(chunks)));
      assert.deepEqual(t, expected, `chunks of ${size}`);
      assert.equal(t.steps[0]!.name, name);
    }
    assert.deepEqual(await collect(splitLines(from(['a\nb', '', 'c\n', '\nd']))), ['a', 'bc', '', 'd']);
  });

  it('fails on a line that is not a JSON object, naming the line', async () => {
    const good = encodeRawJSON(vtx(dg('a'), 'a', { started: 0 })).trim();
    const cases: Array<[string[], RegExp]> = [
      [[good, 'not json at all'], /^line 2 is not a JSON object: "not json at all"$/],
      [[good, '', '[1,2]'], /^line 3 is not a JSON object/],
      [['{"vertexes": ['], /^line 1 is not valid JSON: "\{\\"vertexes\\": \["$/],
      [['#1 [internal] load build definition from Dockerfile'], /^line 1 is not a JSON object/],
      [[`{"vertexes":[{"digest":"d","started":"yesterday"}]}`], /^line 1 is not a solve status \(invalid RFC 3339 time "yesterday"\)/],
    ];
    for (const [lines, re] of cases) {
      await assert.rejects(timelineFromRawJSON(from(lines)), (err: unknown) => {
        assert.ok(err instanceof RawJSONLineError);
        assert.match((err as Error).message, re);
        return true;
      });
    }
    const long = `x${'y'.repeat(500)}`;
    await assert.rejects(timelineFromRawJSON(from([long])), (err: Error) => err.message.length < 120);
  });
});

describe('readTimelineFile and timelineFormatFor', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'timeline-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file in every error', async () => {
    const missing = join(dir, 'missing.jsonl');
    await assert.rejects(readTimelineFile(missing), (err: Error) => err instanceof BuildxError && err.message === `open ${missing}: no such file or directory`);
    await assert.rejects(readTimelineFile(dir), (err: Error) => err.message === `read ${dir}: is a directory`);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${readFileSync(join(fixturesDir(), 'sequential-build.rawjson.jsonl'), 'utf8')}oops\n`);
    await assert.rejects(readTimelineFile(bad), (err: Error) => err.message === `${bad}: line 22 is not a JSON object: "oops"`);
  });

  it('picks the format by extension and refuses others by name', () => {
    assert.equal(timelineFormatFor('out.svg'), 'svg');
    assert.equal(timelineFormatFor('dir.d/OUT.SVG'), 'svg');
    assert.equal(timelineFormatFor('report.html'), 'html');
    assert.equal(timelineFormatFor('report.htm'), 'html');
    for (const bad of ['out.png', 'out', 'svg', 'out.svg.gz']) {
      assert.throws(() => timelineFormatFor(bad), (err: Error) => err instanceof BuildxError && err.message.includes(JSON.stringify(bad)) && /\.svg or \.html/.test(err.message));
    }
  });
});
