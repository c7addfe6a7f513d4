import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeIntervals, ProgressModel, type LogPiece, type VertexState } from '../../../src/progress/model.js';
import { at, batch, dg, log, st, vtx } from './streams.js';

const A = dg('a');
const B = dg('b');

describe('mergeIntervals', () => {
  it('keeps disjoint intervals apart and sorted', () => {
    assert.deepEqual(mergeIntervals([{ start: 5n, stop: 6n }, { start: 1n, stop: 2n }]), [{ start: 1n, stop: 2n }, { start: 5n, stop: 6n }]);
  });
  it('joins overlapping and touching intervals, and swallows contained ones', () => {
    assert.deepEqual(mergeIntervals([{ start: 1n, stop: 4n }, { start: 4n, stop: 6n }, { start: 2n, stop: 3n }]), [{ start: 1n, stop: 6n }]);
  });
  it('an open interval swallows everything after its start', () => {
    assert.deepEqual(mergeIntervals([{ start: 1n, stop: 2n }, { start: 3n }, { start: 7n, stop: 9n }]), [{ start: 1n, stop: 2n }, { start: 3n }]);
    assert.deepEqual(mergeIntervals([{ start: 1n, stop: 5n }, { start: 3n }]), [{ start: 1n }]);
  });
  it('is empty for nothing', () => assert.deepEqual(mergeIntervals([]), []));
});

describe('ProgressModel', () => {
  it('tracks a vertex that ran twice as two intervals, completed by the last one', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0, completed: 1000 }));
    m.apply(vtx(A, 'a', { started: 2000 }));
    const v = m.byDigest.get(A) as VertexState;
    assert.equal(v.merged.length, 2);
    assert.equal(v.isCompleted, false);
    m.apply(vtx(A, 'a', { started: 2000, completed: 2500 }));
    assert.equal(v.isCompleted, true);
    assert.equal(v.duration(at(0)), 1_500_000_000n);
    assert.deepEqual(m.vertices, [v], 'listed once, when it first started');
  });

  it('ignores a later record without a start time for a running vertex', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0 }));
    m.apply(vtx(A, 'a (announced again)'));
    assert.equal(m.byDigest.get(A)?.name, 'a');
  });

  it('orders statuses by their first start and keeps the newest copy', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0 }));
    m.apply(st(A, 'second', 10));
    m.apply(st(A, 'first', 20, { started: 15 }));
    m.apply(st(A, 'second', 30, { started: 25, current: 7 }));
    const v = m.byDigest.get(A) as VertexState;
    assert.deepEqual(v.statuses.map((s) => [s.id, s.current]), [['first', 0], ['second', 7]]);
  });

  it('splits logs into lines, continuing partial ones, with the elapsed-time prefix', () => {
    const pieces: LogPiece[][] = [];
    const m = new ProgressModel({ listener: { log: (_v, p) => pieces.push([...p]) } });
    m.apply(vtx(A, 'a', { started: 1000 }));
    m.apply(log(A, 1153, 'one\ntw'));
    m.apply(log(A, 13_050, 'o\n\nthree'));
    m.apply(log(A, 154_200, '\n'));
    assert.deepEqual(pieces, [
      [{ text: '0.153 one', continuation: false }, { text: '0.153 tw', continuation: false }],
      [{ text: 'o', continuation: true }, { text: '12.05 ', continuation: false }, { text: '12.05 three', continuation: false }],
      [{ text: '', continuation: true }],
    ]);
    const v = m.byDigest.get(A) as VertexState;
    assert.deepEqual(v.lastLogLines(), ['0.153 one', '0.153 two', '12.05 ', '12.05 three']);
    assert.equal(v.logsPartial, false);
  });

  it('joins a UTF-8 character cut between chunks', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0 }));
    const bytes = Buffer.from('né\n');
    m.apply(log(A, 1, bytes.subarray(0, 2)));
    m.apply(log(A, 2, bytes.subarray(2)));
    assert.deepEqual(m.byDigest.get(A)?.lastLogLines(), ['0.001 né']);
  });

  it('keeps only the last 10 lines', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0 }));
    for (let i = 1; i <= 25; i++) m.apply(log(A, i, `line ${i}\n`));
    const lines = m.byDigest.get(A)?.lastLogLines() ?? [];
    assert.equal(lines.length, 10);
    assert.equal(lines[0], '0.016 line 16');
    assert.equal(lines[9], '0.025 line 25');
  });

  it('cuts very long kept lines but reports them whole to listeners', () => {
    let seen = 0;
    const m = new ProgressModel({ maxLineLength: 100, listener: { log: (_v, p) => (seen += p.reduce((n, x) => n + x.text.length, 0)) } });
    m.apply(vtx(A, 'a', { started: 0 }));
    m.apply(log(A, 1, 'x'.repeat(1000)));
    m.apply(log(A, 2, 'y'.repeat(1000)));
    assert.equal(m.byDigest.get(A)?.lastLogLines()[0]?.length, 100);
    assert.equal(seen, 6 + 2000);
  });

  it('folds group members into one vertex: cached only if all are, first error, hidden until a non-weak start', () => {
    const g = { id: 'g', name: 'group', weak: false };
    const weak = { ...g, weak: true };
    const revealed: string[] = [];
    const m = new ProgressModel({ listener: { revealed: (v) => revealed.push(v.name) } });
    m.apply(vtx(A, 'member a', { started: 0, completed: 5, cached: true, group: weak }));
    const group = m.byDigest.get(A) as VertexState;
    assert.equal(group, m.byDigest.get('g'));
    assert.equal(group.hidden, true);
    assert.deepEqual(revealed, []);
    m.apply(vtx(B, 'member b', { started: 10, group: g }));
    assert.equal(group.hidden, false);
    assert.deepEqual(revealed, ['group']);
    assert.equal(group.cached, false);
    assert.equal(group.isCompleted, false);
    m.apply(vtx(B, 'member b', { started: 10, completed: 20, cached: true, error: 'boom', group: g }));
    assert.equal(group.cached, true);
    assert.equal(group.error, 'boom');
    assert.equal(group.isCompleted, true);
    assert.equal(group.duration(0n), 15_000_000n, 'two merged intervals: 0–5 ms and 10–20 ms');
  });

  it('attaches statuses and logs of members to their group', () => {
    const g = { id: 'g', name: 'group', weak: false };
    const m = new ProgressModel();
    m.apply(batch(vtx(A, 'member', { started: 0, group: g }), st(A, 'copying', 5, { started: 1 }), log(A, 7, 'x\n')));
    const group = m.byDigest.get('g') as VertexState;
    assert.deepEqual(group.statuses.map((s) => s.id), ['copying']);
    assert.deepEqual(group.lastLogLines(), ['0.007 x']);
  });

  it('tells cancellation from failure by the error text', () => {
    const m = new ProgressModel();
    m.apply(vtx(A, 'a', { started: 0, completed: 1, error: 'rpc error: code = Canceled desc = context canceled' }));
    m.apply(vtx(B, 'b', { started: 0, completed: 1, error: 'exit code: 1' }));
    assert.equal(m.byDigest.get(A)?.isCanceled, true);
    assert.equal(m.byDigest.get(A)?.hasError, false);
    assert.equal(m.byDigest.get(B)?.isCanceled, false);
    assert.equal(m.byDigest.get(B)?.hasError, true);
  });

  it('measures the clock skew when the first vertex starts', () => {
    const m = new ProgressModel({ now: () => at(250) });
    m.apply(vtx(A, 'a', { started: 0 }));
    assert.equal(m.localTimeDiff, 250_000_000n);
    assert.equal(m.startTime, at(0));
  });

  it('drops statuses and logs for vertices it never heard of', () => {
    const m = new ProgressModel();
    m.apply(batch(st(A, 'x', 1, { started: 0 }), log(A, 1, 'y\n')));
    assert.equal(m.byDigest.size, 0);
  });
});

describe('ProgressModel.counts', () => {
  it('counts each visible vertex once, a group as one', () => {
    const g = { id: 'g', name: 'group', weak: false };
    const m = new ProgressModel();
    m.apply(batch(
      vtx(A, 'member a', { started: 0, completed: 1, group: g }),
      vtx(B, 'member b', { started: 0, group: g }),
      vtx(dg('c'), 'c', { started: 0, completed: 2 }),
      vtx(dg('d'), 'd'),
      vtx(dg('e'), 'weak only', { started: 0, group: { id: 'h', name: 'hidden', weak: true } }),
    ));
    assert.deepEqual(m.counts(), { total: 3, completed: 1 });
  });
});
