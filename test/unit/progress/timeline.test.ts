import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimeline, TimelineRecorder, type Timeline, type TimelineBar } from '../../../src/progress/timeline.js';
import {
  assignLanes, axisTicks, criticalPath, formatDuration, formatTick, peakParallelism, truncateColumns, textColumns,
} from '../../../src/progress/timeline-layout.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import { scenarios } from './scenarios.js';
import { batch, dg, log, ss, st, vtx } from './streams.js';

const A = dg('A');
const B = dg('B');
const C = dg('C');
const D = dg('D');
const E = dg('E');

/** Each vertex announced when it starts and re-sent when it completes, as BuildKit does. */
function run(digest: string, name: string, started: number, completed: number | undefined, o: { inputs?: string[]; cached?: boolean; error?: string } = {}): SolveStatus[] {
  const first = vtx(digest, name, { started, inputs: o.inputs, cached: o.cached });
  return completed === undefined ? [first] : [first, vtx(digest, name, { started, completed, ...o })];
}

function byTime(parts: SolveStatus[][]): SolveStatus[] {
  // Order updates by the time they describe, like a real stream.
  const t = (s: SolveStatus) => {
    const v = s.vertexes[0];
    return Number((v?.completed ?? v?.started ?? 0n) % 10_000_000_000_000n);
  };
  return parts.flat().sort((a, b) => t(a) - t(b));
}

function names(t: Timeline, digests: string[]): string[] {
  return digests.map((d) => t.steps.find((s) => s.digest === d)!.name);
}

/** Bars (time intervals) in one lane never overlap, nor do the spans reserved for their labels. */
function assertNoLaneOverlap(t: Timeline): void {
  for (let i = 0; i < t.bars.length; i++) {
    for (let j = i + 1; j < t.bars.length; j++) {
      const [a, b] = [t.bars[i]!, t.bars[j]!];
      if (a.lane !== b.lane) continue;
      assert.ok(a.end <= b.start || b.end <= a.start,
        `bars overlap in lane ${a.lane}: ${a.label.text} [${a.start}, ${a.end}] and ${b.label.text} [${b.start}, ${b.end}]`);
      if (a.step !== b.step) {
        assert.ok(a.extent.to <= b.extent.from || b.extent.to <= a.extent.from,
          `reserved spans overlap in lane ${a.lane}: ${a.label.text} and ${b.label.text}`);
      }
    }
  }
}

// A diamond: A feeds B (long) and C (short), D needs both, the exporter E carries no inputs.
const diamond = byTime([
  run(A, '[base 1/2] FROM busybox', 0, 100),
  run(B, '[left 2/2] RUN make slow', 110, 2600, { inputs: [A] }),
  run(C, '[right 2/2] RUN make fast', 115, 900, { inputs: [A] }),
  run(D, '[final 2/2] COPY --from=left --from=right', 2610, 2700, { inputs: [B, C] }),
  run(E, 'exporting to image', 2705, 2800),
]);

describe('timeline: critical path', () => {
  it('on a diamond follows the input that finished last, then the exporter', () => {
    const t = buildTimeline(diamond);
    assert.deepEqual(t.criticalPath, [A, B, D, E]);
    const crit = t.steps.filter((s) => s.critical).map((s) => s.digest);
    assert.deepEqual(crit.sort(), [A, B, D, E].sort());
    assert.equal(t.steps.find((s) => s.digest === C)!.critical, false);
    // exactly the bars of the path are marked
    assert.deepEqual(t.bars.filter((b) => b.critical).map((b) => b.digest).sort(), [A, B, D, E].sort());
  });

  it('on independent parallel chains picks the chain that ended last', () => {
    const [x1, x2, y1, y2, z] = ['x1', 'x2', 'y1', 'y2', 'z'].map(dg) as [string, string, string, string, string];
    const t = buildTimeline(byTime([
      run(x1, 'x1', 0, 100),
      run(y1, 'y1', 0, 50),
      run(y2, 'y2', 60, 400, { inputs: [y1] }),
      run(x2, 'x2', 110, 1000, { inputs: [x1] }),
      run(z, 'z', 1010, 1100, { inputs: [x2, y2] }),
    ]));
    assert.deepEqual(names(t, t.criticalPath), ['x1', 'x2', 'z']);
  });

  it('ignores an input that finished after the step started', () => {
    const [p, q, r] = ['p', 'q', 'r'].map(dg) as [string, string, string];
    const t = buildTimeline(byTime([
      run(q, 'q', 0, 100),
      run(r, 'r', 0, 500),
      run(p, 'p', 200, 900, { inputs: [q, r] }),
    ]));
    assert.deepEqual(names(t, t.criticalPath), ['q', 'p']);
  });

  it('follows time where the graph has no edges: frontend steps, then the exporter', () => {
    const [l1, l2, l3, from, runStep, exp, side] = ['l1', 'l2', 'l3', 'from', 'run', 'exp', 'side'].map(dg) as [string, string, string, string, string, string, string];
    const t = buildTimeline(byTime([
      run(l1, '[internal] load build definition from Dockerfile', 0, 10),
      run(l2, '[internal] load metadata', 20, 30),
      run(side, '[internal] load .dockerignore', 21, 25),
      run(l3, '[internal] load build context', 40, 50),
      run(from, '[1/2] FROM busybox', 50, 50, { cached: true }),
      run(runStep, '[2/2] RUN make', 60, 500, { inputs: [from] }),
      run(exp, 'exporting to image', 510, 520),
    ]));
    assert.deepEqual(t.criticalPath, [l1, l2, l3, from, runStep, exp]);
  });

  it('ends at the failure, not at a sibling canceled because of it', () => {
    const t = buildTimeline(scenarios['failing-run']!.stream);
    const canceled = t.steps.find((s) => s.state === 'canceled')!;
    const failed = t.steps.find((s) => s.state === 'failed')!;
    assert.ok(canceled.end > failed.end, 'the canceled step ended last');
    assert.deepEqual(t.criticalPath, [failed.digest]);
    // when everything was canceled (an interrupt), the last of them still ends the path
    assert.deepEqual(criticalPath([{ step: 0, start: 0, end: 1, canceled: true }, { step: 1, start: 0, end: 2, canceled: true }], () => []), [1]);
  });

  it('is empty for an empty stream, and one step long for one step', () => {
    assert.deepEqual(buildTimeline([]).criticalPath, []);
    assert.deepEqual(buildTimeline(run(A, 'a', 0, 10)).criticalPath, [A]);
  });

  it('criticalPath() walks bar indices, terminating even on self-referencing inputs', () => {
    const bars = [{ step: 0, start: 0, end: 1 }, { step: 1, start: 1, end: 3 }, { step: 2, start: 1, end: 2 }];
    assert.deepEqual(criticalPath(bars, (s) => (s === 1 ? [1, 0, 2] : [s])), [0, 1]);
  });
});

describe('timeline: lanes', () => {
  it('puts steps running at the same time on different lanes, and keeps a sequence on one', () => {
    const t = buildTimeline(diamond);
    const lane = (d: string) => t.steps.find((s) => s.digest === d)!.lane;
    assert.notEqual(lane(B), lane(C));
    assertNoLaneOverlap(t);
    // Long sequential steps, each wide enough to carry its label inside: one lane for all.
    const seq = [0, 1, 2, 3].map((i) => dg(`seq${i}`));
    const s = buildTimeline(byTime(seq.map((d, i) => run(d, `step ${i}`, i * 1000, i * 1000 + 990, { inputs: i ? [seq[i - 1]!] : [] }))));
    assert.deepEqual(s.steps.map((x) => x.lane), [0, 0, 0, 0]);
    assert.equal(s.lanes, 1);
  });

  it('never overlaps within a lane, for many random steps, runs and cached markers', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const stream: SolveStatus[] = [];
      for (let i = 0; i < 60; i++) {
        const d = dg(`r${round}-${i}`);
        const start = Math.floor(rand() * 20_000);
        const cached = rand() < 0.2;
        const len = cached ? 0 : Math.floor(rand() * (rand() < 0.5 ? 200 : 6000));
        stream.push(...run(d, `step ${i} ${'x'.repeat(Math.floor(rand() * 80))}`, start, start + len, { cached }));
        if (rand() < 0.1) stream.push(...run(d, `step ${i}`, start + len + 500, start + len + 900));
      }
      const t = buildTimeline(stream);
      assertNoLaneOverlap(t);
      assert.ok(t.lanes >= t.peakParallelism, 'at least as many lanes as steps running at once');
      for (const s of t.steps) for (const b of s.bars) assert.equal(t.bars[b]!.lane, s.lane, 'all runs of a step share its lane');
    }
  });

  it('assignLanes() is first fit, and uses no more lanes than the peak overlap for plain intervals', () => {
    const spans = [[0, 10], [2, 4], [5, 12], [10, 11], [11, 20], [4, 5]].map(([from, to]) => ({ spans: [{ from: from!, to: to! }] }));
    const sorted = [...spans].sort((a, b) => a.spans[0]!.from - b.spans[0]!.from);
    const lanes = assignLanes(sorted, 0);
    assert.deepEqual(lanes, [0, 1, 1, 1, 0, 0]);
    assert.equal(Math.max(...lanes) + 1, peakParallelism(sorted.map((s) => ({ start: s.spans[0]!.from, end: s.spans[0]!.to }))));
    // A gap keeps touching neighbours apart.
    assert.deepEqual(assignLanes([{ spans: [{ from: 0, to: 1 }] }, { spans: [{ from: 1, to: 2 }] }], 0.5), [0, 1]);
  });
});

describe('timeline: states and runs', () => {
  it('tells ran, cached, failed, canceled and unfinished apart, and counts them', () => {
    const [ran, cached, failed, canceled, running] = ['ran', 'cached', 'failed', 'canceled', 'running'].map(dg) as [string, string, string, string, string];
    const t = buildTimeline([
      ...run(ran, 'ran', 0, 100),
      ...run(cached, 'cached', 5, 5, { cached: true }),
      ...run(failed, 'failed', 10, 300, { error: 'process "/bin/sh -c exit 1" did not complete successfully: exit code: 1' }),
      ...run(canceled, 'canceled', 20, 301, { error: 'failed to run: context canceled' }),
      ...run(running, 'running', 30, undefined),
      log(running, 450, 'still going\n'),
    ]);
    const state = (d: string) => t.steps.find((s) => s.digest === d)!.state;
    assert.deepEqual([ran, cached, failed, canceled, running].map(state), ['ran', 'cached', 'failed', 'canceled', 'running']);
    assert.deepEqual(t.counts, { steps: 5, ran: 1, cached: 1, failed: 1, canceled: 1, running: 1 });
    const bar = (d: string) => t.bars.find((b) => b.digest === d)!;
    assert.equal(bar(cached).label.detail, 'cached');
    assert.match(bar(failed).label.detail, /^0\.29s failed$/);
    assert.match(bar(canceled).label.detail, /canceled$/);
    // The open run lasts until the newest time the stream mentioned (the log at 450 ms).
    assert.equal(bar(running).open, true);
    assert.ok(Math.abs(bar(running).end - 0.45) < 1e-9, `open bar ends at the last timestamp: ${bar(running).end}`);
    assert.equal(t.steps.find((s) => s.digest === failed)!.error?.includes('exit code: 1'), true);
  });

  it('gives each run of a step its own bar, in the same lane, labelled with its own duration', () => {
    const t = buildTimeline([...run(A, 'twice', 0, 1000), ...run(B, 'other', 0, 4000), ...run(A, 'twice', 2000, 2500)]);
    const s = t.steps.find((x) => x.digest === A)!;
    assert.equal(s.bars.length, 2);
    const [b1, b2] = s.bars.map((i) => t.bars[i]!) as [TimelineBar, TimelineBar];
    assert.deepEqual([b1.start, b1.end, b2.start, b2.end], [0, 1, 2, 2.5]);
    assert.equal(b1.lane, b2.lane);
    assert.equal(s.duration, 1.5);
    assert.deepEqual([b1.label.detail, b2.label.detail], ['1.00s', '0.50s']);
    assert.ok(b1.label.side !== 'none' && b2.label.side !== 'none');
  });

  it('lets runs too close for two labels share one', () => {
    const t = buildTimeline([...run(A, 'resolve image config', 0, 1), ...run(A, 'resolve image config', 2, 3), ...run(B, 'long', 0, 5000)]);
    const bars = t.bars.filter((b) => b.digest === A);
    assert.equal(bars.length, 2, 'still one bar per run');
    assert.deepEqual(bars.map((b) => b.label.side).sort(), ['none', 'right']);
    assert.equal(bars.find((b) => b.label.side === 'right')!.label.detail, '0.00s (2 runs)');
  });

  it('folds progress groups into one step and hides groups where only weak members ran', () => {
    const t = buildTimeline(scenarios['progress-groups']!.stream);
    assert.deepEqual(t.steps.map((s) => s.name), ['[3/3] COPY --link --from=build /out /usr/local/bin', 'exporting to image']);
    const g = t.steps[0]!;
    assert.equal(g.group, true);
    assert.equal(g.digest, 'copy-link-3');
    // members ran 10–450 ms and 50–320 ms: merged into one bar, measured from the first start (10 ms)
    assert.deepEqual(g.bars.map((i) => [t.bars[i]!.start, t.bars[i]!.end]), [[0, 0.44]]);
  });

  it('maps inputs that are group members to the group', () => {
    const grp = { id: 'g1', name: 'COPY --link', weak: false };
    const t = buildTimeline([
      vtx(A, 'member', { started: 0, completed: 100, group: grp }),
      vtx(B, 'after', { started: 110, completed: 200, inputs: [A] }),
    ]);
    assert.deepEqual(t.steps.find((s) => s.digest === B)!.inputs, ['g1']);
    assert.deepEqual(t.criticalPath, ['g1', B]);
  });

  it('skips vertices that never started and measures from the first start', () => {
    const t = buildTimeline([vtx(A, 'never', {}), ...run(B, 'b', 1000, 1500), ...run(C, 'c', 1200, 3000)]);
    assert.deepEqual(t.steps.map((s) => s.name), ['b', 'c']);
    assert.equal(t.startedAt, '2023-11-14T22:13:21Z');
    assert.equal(t.duration, 2);
    assert.equal(t.peakParallelism, 2);
  });

  it('names long steps on one line, cut with an ellipsis', () => {
    const long = `RUN apt-get update &&\n    apt-get install -y ${'package '.repeat(20)}`;
    const t = buildTimeline([...run(A, long, 0, 10), ...run(B, 'other', 0, 60_000)]);
    const bar = t.bars.find((b) => b.digest === A)!;
    assert.ok(!bar.label.name.includes('\n'));
    assert.ok(bar.label.name.endsWith('…'));
    assert.ok(textColumns(bar.label.name) <= 56);
    assert.ok(bar.label.name.startsWith('RUN apt-get update && apt-get install'));
    assert.equal(t.steps.find((s) => s.digest === A)!.name, long, 'the step keeps its full name');
  });
});

describe('TimelineRecorder', () => {
  it('fed incrementally gives the same timeline as the whole stream', () => {
    const rec = new TimelineRecorder();
    for (const s of diamond) rec.write(s);
    assert.deepEqual(rec.timeline(), buildTimeline(diamond));
    // and it can be asked mid-build: the running step then lasts until the newest time seen
    const mid = new TimelineRecorder();
    for (const s of diamond.slice(0, 5)) mid.write(s);
    assert.ok(mid.timeline().steps.some((s) => s.state === 'running'));
  });

  it('keeps no logs or statuses: they only move the clock that closes open runs', () => {
    const withLogs = [...diamond.slice(0, -1), log(E, 2790, Buffer.alloc(1 << 20, 65)), st(E, 'exporting layers', 2795, { started: 2705 }), diamond.at(-1)!];
    const a = buildTimeline(withLogs);
    const b = buildTimeline(diamond);
    assert.deepEqual(a, b);
  });

  it('does not let a re-announcement without a start undo a running step', () => {
    const t = buildTimeline([vtx(A, 'a', { started: 0 }), vtx(A, 'a renamed?', {}), vtx(A, 'a', { started: 0, completed: 100 })]);
    assert.equal(t.steps[0]!.name, 'a');
    assert.equal(t.steps[0]!.state, 'ran');
    assert.equal(t.bars.length, 1);
  });

  it('reads several updates batched into one status', () => {
    const t = buildTimeline([batch(vtx(A, 'a', { started: 0, completed: 10 }), vtx(B, 'b', { started: 10, completed: 20, inputs: [A] })), ss({})]);
    assert.deepEqual(t.criticalPath, [A, B]);
  });
});

describe('timeline formatting', () => {
  it('formats durations for people', () => {
    assert.deepEqual([0, 0.004, 0.35, 9.994, 12.44, 59.96, 65, 3599, 3725].map(formatDuration),
      ['0.00s', '0.00s', '0.35s', '9.99s', '12.4s', '1m00s', '1m05s', '59m59s', '1h02m']);
  });

  it('puts axis ticks on round steps', () => {
    assert.deepEqual(axisTicks(4.16, 13), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    assert.deepEqual(axisTicks(0.07, 10), [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]);
    assert.deepEqual(axisTicks(200, 5), [0, 60, 120, 180]);
    assert.deepEqual(axisTicks(0, 5), [0]);
    assert.deepEqual([0, 0.5, 15, 60, 90, 3600, 5400].map(formatTick), ['0s', '0.5s', '15s', '1m', '1m30s', '1h', '1h30m']);
  });

  it('cuts text by monospace columns, counting wide characters twice', () => {
    assert.equal(truncateColumns('abcdef', 6), 'abcdef');
    assert.equal(truncateColumns('abcdefg', 6), 'abcde…');
    assert.equal(textColumns('日本語'), 6);
    assert.equal(truncateColumns('日本語の名前', 6), '日本…');
  });
});
