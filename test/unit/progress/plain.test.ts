import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainRenderer } from '../../../src/progress/plain.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import { arrival, at, batch, Capture, dg, log, st, T0, vtx } from './streams.js';
import { createProgressWriter } from '../../../src/progress/printer.js';
import { play } from './streams.js';

const A = dg('a');
const B = dg('b');

function renderer(opts: ConstructorParameters<typeof PlainRenderer>[0] = {}) {
  let clock = T0;
  const r = new PlainRenderer({ ...opts, now: () => clock });
  let text = '';
  return {
    r,
    feed(...stream: SolveStatus[]) {
      for (const s of stream) {
        clock = arrival(s, clock);
        r.write(s);
        text += r.refresh();
      }
      return text;
    },
    finish() {
      text += r.finish();
      return text;
    },
  };
}

describe('plain renderer', () => {
  it('cuts long names at 72 characters only when PROGRESS_NO_TRUNC=0', async () => {
    const name = `[2/2] RUN ${'x'.repeat(100)}`;
    const stream = [vtx(A, name, { started: 0 }), vtx(A, name, { started: 0, completed: 100 })];
    const cut = await play(stream, { mode: 'plain', env: { TTY_DISPLAY_RATE: '0', PROGRESS_NO_TRUNC: '0' } });
    assert.equal(cut.text, `#1 ${name.slice(0, 72)}...\n#1 DONE 0.1s\n`);
    const whole = await play(stream, { mode: 'plain', env: { TTY_DISPLAY_RATE: '0', PROGRESS_NO_TRUNC: '1' } });
    assert.equal(whole.text, `#1 ${name}\n#1 DONE 0.1s\n`);
  });

  it('ends an open log line before the end line and lists it once, in order, in the error block', () => {
    const t = renderer();
    t.feed(
      vtx(A, 'step', { started: 0 }),
      log(A, 100, 'first\n'),
      log(A, 200, 'second, no newline'),
      vtx(A, 'step', { started: 0, completed: 300, error: 'exit code: 2' }),
    );
    assert.equal(t.finish(), [
      '#1 step',
      '#1 0.100 first',
      '#1 0.200 second, no newline',
      '#1 ERROR: exit code: 2',
      '------',
      ' > step:',
      '0.100 first',
      '0.200 second, no newline',
      '------',
      '',
    ].join('\n'));
  });

  it('lists failed vertices in the order they started, skipping cancelled ones', () => {
    const C = dg('c');
    const t = renderer();
    t.feed(
      vtx(B, 'second', { started: 10 }),
      vtx(A, 'first', { started: 0 }),
      vtx(C, 'third', { started: 20, completed: 30, error: 'context canceled' }),
      vtx(A, 'first', { started: 0, completed: 40, error: 'one' }),
      vtx(B, 'second', { started: 10, completed: 50, error: 'two' }),
    );
    const out = t.finish();
    const block = out.slice(out.indexOf('------'));
    assert.equal(block, '------\n > second:\n------\n------\n > first:\n------\n');
  });

  it('prints, at the end, lines of a vertex that never got the output', () => {
    const t = renderer();
    t.feed(
      vtx(A, 'busy', { started: 0 }),
      vtx(B, 'quiet', { started: 10 }),
      log(A, 100, 'a1\n'),
      log(B, 150, 'b1\n'),
      log(A, 200, 'a2\n'),
    );
    assert.ok(!t.feed().includes('b1'), 'b waits while a holds the output');
    const out = t.finish();
    assert.ok(out.endsWith('#1 ...\n\n#2 quiet\n#2 0.140 b1\n'), out);
  });

  it('brings a running vertex forward when nothing else changed', () => {
    const t = renderer();
    const out = t.feed(
      vtx(A, 'busy', { started: 0 }),
      vtx(B, 'long', { started: 5 }),
      log(A, 10_100, 'tick\n'), // b has waited over 10 s: it takes the output
      vtx(B, 'long', { started: 5, completed: 10_200 }),
    );
    assert.equal(out, '#1 busy\n#1 10.10 tick\n#1 ...\n\n#2 long\n#2 DONE 10.2s\n\n#1 busy\n');
  });

  it('hands the output to a waiting vertex whose queued output grows too large', () => {
    const t = renderer({ maxPendingChars: 1000 });
    t.feed(vtx(A, 'holder', { started: 0 }), log(A, 1, 'a\n'), vtx(B, 'flood', { started: 2 }));
    let out = '';
    for (let i = 0; i < 40 && !out.includes('#2 flood'); i++) out = t.feed(log(B, 10 + i, `${'b'.repeat(99)}\n`));
    assert.ok(out.includes('#1 ...\n\n#2 flood\n'), 'switched well before the 10 s rule');
    assert.ok((out.match(/^#2 0\.0\d\d b{99}$/gm) ?? []).length >= 10, 'with everything it had queued');
  });

  it('prints a completed status row even right after the previous one', () => {
    const t = renderer();
    const out = t.feed(
      vtx(A, 'pull', { started: 0 }),
      st(A, 'layer', 100, { started: 0, current: 10, total: 1000 }),
      st(A, 'layer', 110, { started: 0, current: 20, total: 1000 }),
      st(A, 'layer', 120, { started: 0, current: 1000, total: 1000, completed: 120 }),
    );
    assert.equal(out, '#1 pull\n#1 layer 10B / 1.00kB 0.1s\n#1 layer 1.00kB / 1.00kB 0.1s done\n');
  });

  it('shows a lone `current` without a total, and no time under 10 ms', () => {
    const t = renderer();
    const out = t.feed(vtx(A, 'ctx', { started: 0 }), st(A, 'transferring context:', 9, { started: 0, current: 2_500_000 }));
    assert.equal(out, '#1 ctx\n#1 transferring context: 2.50MB\n');
  });
});

describe('plain pacing', () => {
  const stream = [
    batch(vtx(A, 'pull', { started: 0 }), st(A, 'layer', 0, { started: 0, current: 10, total: 100 })),
    st(A, 'layer', 30, { started: 0, current: 50, total: 100 }),
    st(A, 'layer', 60, { started: 0, current: 60, total: 100 }),
    st(A, 'layer', 150, { started: 0, current: 61, total: 100 }),
  ];

  it('refreshes at most every 100 ms, so rows updated in between print once with their last value', async () => {
    const { text } = await play(stream, { mode: 'plain', env: {} });
    assert.equal(text, '#1 pull\n#1 layer 10B / 100B\n#1 layer 61B / 100B 0.1s\n');
  });

  it('refreshes on every status with TTY_DISPLAY_RATE=0', async () => {
    const { text } = await play(stream, { mode: 'plain', env: { TTY_DISPLAY_RATE: '0' } });
    assert.equal(text, '#1 pull\n#1 layer 10B / 100B\n#1 layer 50B / 100B 0.0s\n#1 layer 60B / 100B 0.1s\n');
  });

  it('refreshes after a quiet spell without waiting for more input', async () => {
    const out = new Capture();
    let clock = at(0);
    const w = createProgressWriter({ mode: 'plain', out, now: () => clock, env: {} });
    w.write(vtx(A, 'step', { started: 0 }));
    clock = at(10);
    w.write(log(A, 10, 'held back by the rate limit\n'));
    assert.equal(out.text, '#1 step\n');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(out.text, '#1 step\n#1 0.010 held back by the rate limit\n');
    await w.close();
  });
});
