// The end-of-build summary: counts from recorded status streams, context and image lines, formatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SummaryRecorder, buildSummary, formatBuildSummary, formatCount, formatDuration, recordSummary,
  type BuildSummary, type StepCounts, type TransferInfo,
} from '../../../src/progress/summary.js';
import type { SolveStatus, VertexWarning } from '../../../src/progress/types.js';
import type { ProgressWriter } from '../../../src/progress/writer.js';
import { scenarios } from './scenarios.js';
import { batch, dg, golden, log, vtx } from './streams.js';

function record(stream: readonly SolveStatus[]): SummaryRecorder {
  const r = new SummaryRecorder();
  for (const s of stream) r.write(s);
  return r;
}

const steps = (o: Partial<StepCounts>): StepCounts => ({ total: 0, ran: 0, cached: 0, failed: 0, canceled: 0, ...o });

function transfer(dirName: string, o: Partial<TransferInfo['stats']>): TransferInfo {
  return { dirName, stats: { files: 0, filesSent: 0, bytesSent: 0, excluded: 0, excludePatterns: 0, ...o } };
}

/** What the Dockerfile frontend uploads for a context with a .dockerignore: the file alone, then the context. */
const dockerignoreTransfers: TransferInfo[] = [
  transfer('dockerfile', { files: 1, filesSent: 1, bytesSent: 74 }),
  transfer('context', { files: 1, filesSent: 1, bytesSent: 12 }),
  transfer('context', { files: 3002, filesSent: 3002, bytesSent: 51_200_000, excluded: 17, excludePatterns: 3 }),
];

const IMAGE_ID = 'sha256:3b1eb2a1a4ed9ea3b1b11bd5a88d4ed2aa1c0d5a83c0c8b7e3c98a6a1e4d7c33';

describe('build summary from recorded streams (golden)', () => {
  it('formats every scenario', () => {
    const out: string[] = [];
    for (const [name, sc] of Object.entries(scenarios)) {
      const s = record(sc.stream).summary({
        durationNs: 12_400_000_000n,
        transfers: dockerignoreTransfers,
        exporterResponse: { 'containerimage.digest': IMAGE_ID },
        exports: [{ type: 'moby', attrs: { name: 'docker.io/library/foo:latest' } }],
      });
      out.push(`== ${name}\n${formatBuildSummary(s)}`);
    }
    golden('summaries.txt', out.join('\n'));
  });

  it('counts numbered steps only: ran, cached, failed, canceled', () => {
    assert.deepEqual(record(scenarios['sequential-build']!.stream).steps(), steps({ total: 3, ran: 3 }));
    // FROM resolves (ran); RUN and WORKDIR come from the cache
    assert.deepEqual(record(scenarios['cached-steps']!.stream).steps(), steps({ total: 3, ran: 1, cached: 2 }));
    assert.deepEqual(record(scenarios['failing-run']!.stream).steps(), steps({ total: 2, failed: 1, canceled: 1 }));
  });

  it('counts every vertex but [internal] ones when no step is numbered', () => {
    // progress-groups: two visible groups' members and the export; none numbered
    const r = record([
      vtx(dg('a'), '[internal] load build definition from Dockerfile', { started: 0, completed: 1 }),
      vtx(dg('b'), 'compile', { started: 1, completed: 2 }),
      vtx(dg('c'), 'link', { started: 2, completed: 3, cached: true }),
    ]);
    assert.deepEqual(r.steps(), steps({ total: 2, ran: 1, cached: 1 }));
  });

  it('takes the last record of a vertex that ran again, ignores re-announcements and unstarted vertices', () => {
    const d = dg('rerun');
    const r = record([
      vtx(d, '[1/1] RUN x', { started: 0, completed: 5, cached: true }),
      vtx(d, '[1/1] RUN x', { started: 10 }),
      vtx(d, '[1/1] RUN x', { started: 10, completed: 20 }),
      vtx(d, '[1/1] RUN x'), // announced again without times
      vtx(dg('never'), '[2/2] RUN never'),
      vtx(dg('running'), '[stage-1 3/4] RUN cut short', { started: 15 }),
    ]);
    assert.deepEqual(r.steps(), steps({ total: 2, ran: 1, canceled: 1 }));
  });

  it('recognises stage and platform prefixes in step names', () => {
    const r = record([
      vtx(dg('1'), '[linux/arm64 builder 2/5] RUN make', { started: 0, completed: 1 }),
      vtx(dg('2'), '[stage-1 1/2] FROM docker.io/library/busybox:latest', { started: 0, completed: 1, cached: true }),
      vtx(dg('3'), 'exporting to image', { started: 1, completed: 2 }),
    ]);
    assert.deepEqual(r.steps(), steps({ total: 2, ran: 1, cached: 1 }));
  });

  it('falls back to the daemon-side span for the duration', () => {
    const r = record(scenarios['sequential-build']!.stream);
    assert.equal(r.span(), 3_002_000_000n);
    assert.equal(r.summary().durationNs, 3_002_000_000n);
    assert.equal(r.summary({ durationNs: 5n }).durationNs, 5n);
    assert.equal(new SummaryRecorder().summary().durationNs, undefined);
  });

  it('keeps memory bounded: vertices past the cap are not tracked, logs never are', () => {
    const r = new SummaryRecorder();
    for (let i = 0; i < 100_050; i++) r.write(vtx(`d${i}`, `[${(i % 9) + 1}/9] RUN step`, { started: 0, completed: 1 }));
    for (let i = 0; i < 1000; i++) r.write(log('d1', 1, 'x'.repeat(1000)));
    assert.equal(r.steps().total, 100_000);
  });
});

describe('buildSummary', () => {
  it('with a .dockerignore, counts only the context uploads that applied it', () => {
    const s = buildSummary({ steps: steps({}), transfers: dockerignoreTransfers });
    assert.deepEqual(s.context, { files: 3002, filesSent: 3002, bytesSent: 51_200_000, excluded: 17, dockerignore: true });
  });

  it('without one, sums every context upload', () => {
    const s = buildSummary({
      steps: steps({}),
      transfers: [transfer('context', {}), transfer('context', { files: 4, filesSent: 3, bytesSent: 10 }), transfer('context', { files: 1, filesSent: 1, bytesSent: 5 })],
    });
    assert.deepEqual(s.context, { files: 5, filesSent: 4, bytesSent: 15, excluded: 0, dockerignore: false });
  });

  it('has no context line for a context that was not a local directory', () => {
    assert.equal(buildSummary({ steps: steps({}), transfers: [transfer('dockerfile', { files: 1 })] }).context, undefined);
  });

  it('takes image names from the response, else from the exporters that name images', () => {
    const both = buildSummary({
      steps: steps({}),
      exporterResponse: { 'image.name': 'docker.io/library/a:1,docker.io/library/a:latest', 'containerimage.digest': IMAGE_ID },
      exports: [{ type: 'image', attrs: { name: 'ignored:tag' } }],
    });
    assert.deepEqual(both.image, { names: ['docker.io/library/a:1', 'docker.io/library/a:latest'], digest: IMAGE_ID });
    const fromExports = buildSummary({
      steps: steps({}),
      exporterResponse: { 'containerimage.config.digest': IMAGE_ID },
      exports: [{ type: 'local', attrs: { dest: 'out' } }, { type: 'moby', attrs: { name: 'docker.io/library/b:latest' } }],
    });
    assert.deepEqual(fromExports.image, { names: ['docker.io/library/b:latest'], digest: IMAGE_ID });
    assert.equal(buildSummary({ steps: steps({}), exports: [{ type: 'local', attrs: { dest: 'out' } }] }).image, undefined);
  });
});

describe('formatBuildSummary', () => {
  const base: BuildSummary = {
    durationNs: 12_400_000_000n,
    steps: steps({ total: 9, ran: 5, cached: 4 }),
    context: { files: 3002, filesSent: 3002, bytesSent: 51_200_000, excluded: 17, dockerignore: true },
    image: { names: ['docker.io/library/foo:latest'], digest: IMAGE_ID },
  };

  it('prints three compact lines', () => {
    assert.equal(formatBuildSummary(base), [
      'Summary: 12.4s · 9 steps: 5 ran, 4 cached (44% cache hits)',
      'Context: 3,002 files (51.20MB) sent, 17 excluded by .dockerignore',
      `Image:   docker.io/library/foo:latest ${IMAGE_ID}`,
      '',
    ].join('\n'));
  });

  it('shows partial uploads, no .dockerignore, failures, and omits what is unknown', () => {
    const text = formatBuildSummary({
      steps: steps({ total: 4, ran: 1, cached: 1, failed: 1, canceled: 1 }),
      context: { files: 1, filesSent: 0, bytesSent: 0, excluded: 0, dockerignore: false },
    });
    assert.equal(text, 'Summary: 4 steps: 1 ran, 1 cached, 1 failed, 1 canceled (25% cache hits)\nContext: 0 of 1 file (0B) sent\n');
    assert.equal(formatBuildSummary({ steps: steps({}), durationNs: 0n }), 'Summary: 0.0s · no build steps\n');
    assert.equal(formatBuildSummary({ steps: steps({ total: 1, ran: 1 }), image: { names: [], digest: IMAGE_ID } }),
      `Summary: 1 step: 1 ran, 0 cached (0% cache hits)\nImage:   ${IMAGE_ID}\n`);
  });

  it('rounds the ratio, but reports 100% only when every step was cached and 0% only when none was', () => {
    assert.match(formatBuildSummary({ steps: steps({ total: 3, ran: 1, cached: 2 }) }), /\(67% cache hits\)/);
    assert.match(formatBuildSummary({ steps: steps({ total: 300, ran: 1, cached: 299 }) }), /\(99% cache hits\)/);
    assert.match(formatBuildSummary({ steps: steps({ total: 300, ran: 299, cached: 1 }) }), /\(1% cache hits\)/);
    assert.match(formatBuildSummary({ steps: steps({ total: 3, cached: 3 }) }), /\(100% cache hits\)/);
  });

  it('colours labels and failures on request only', () => {
    const plain = formatBuildSummary({ ...base, steps: steps({ total: 2, ran: 1, failed: 1 }) });
    assert.ok(!plain.includes('\x1b'));
    const colored = formatBuildSummary({ ...base, steps: steps({ total: 2, ran: 1, failed: 1 }) }, { color: true });
    assert.ok(colored.startsWith('\x1b[1mSummary:\x1b[0m 12.4s'));
    assert.ok(colored.includes('\x1b[31m1 failed\x1b[0m'));
    assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain);
  });

  it('formats counts and durations without locale', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1000), '1,000');
    assert.equal(formatCount(1_234_567), '1,234,567');
    assert.equal(formatDuration(49_000_000n), '0.0s');
    assert.equal(formatDuration(59_940_000_000n), '59.9s');
    assert.equal(formatDuration(125_000_000_000n), '2m05s');
    assert.equal(formatDuration(3_725_400_000_000n), '1h02m05s');
  });
});

describe('recordSummary', () => {
  it('feeds the recorder and passes everything through to the writer', async () => {
    const seen: SolveStatus[] = [];
    const warnings: VertexWarning[] = [];
    let closedWith: unknown = 'not closed';
    const inner: ProgressWriter = {
      write: (s) => void seen.push(s),
      close: async (e) => { closedWith = e; },
      warnings,
    };
    const rec = new SummaryRecorder();
    const w = recordSummary(inner, rec);
    const s = batch(vtx(dg('x'), '[1/1] RUN x', { started: 0, completed: 1 }));
    w.write(s);
    await w.ready();
    await w.close('boom');
    assert.deepEqual(seen, [s]);
    assert.equal(closedWith, 'boom');
    assert.equal(w.warnings, warnings);
    assert.equal(rec.steps().ran, 1);
  });
});
