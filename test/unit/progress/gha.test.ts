// The GitHub Actions flavour of plain output: one `::group::` per step in completion order, failures in
// the open, nothing dropped, bounded buffering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GhaRenderer, escapeCommandData } from '../../../src/progress/gha.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import { scenarios } from './scenarios.js';
import { at, dg, golden, log, play, ss, st, vtx, warn } from './streams.js';

const GHA_ENV = { TTY_DISPLAY_RATE: '0', GITHUB_ACTIONS: 'true' };

/** Groups must open and close in turn: GitHub Actions does not nest them. */
function assertGroupsBalanced(text: string): number {
  let open = false;
  let groups = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('::group::')) {
      assert.ok(!open, 'a group opened inside another');
      open = true;
      groups++;
    } else if (line === '::endgroup::') {
      assert.ok(open, '::endgroup:: without a group');
      open = false;
    }
  }
  assert.ok(!open, 'a group was left open');
  return groups;
}

/** Drives a renderer directly (for options the writer does not expose), collecting output as it comes. */
function render(stream: readonly SolveStatus[], opts: ConstructorParameters<typeof GhaRenderer>[0] = {}): { text: string; afterEach: number[] } {
  let clock = at(0);
  const r = new GhaRenderer({ now: () => clock, ...opts });
  const parts: string[] = [];
  const afterEach: number[] = [];
  let total = 0;
  for (const s of stream) {
    for (const v of s.vertexes) if (v.started !== undefined && v.started > clock) clock = v.started;
    r.write(s);
    const t = r.refresh();
    parts.push(t);
    total += t.length;
    afterEach.push(total);
  }
  parts.push(r.finish());
  return { text: parts.join(''), afterEach };
}

describe('GitHub Actions output (golden)', () => {
  for (const [name, sc] of Object.entries(scenarios)) {
    it(name, async () => {
      const { text } = await play(sc.stream, { mode: 'plain', description: sc.description, env: GHA_ENV });
      assertGroupsBalanced(text);
      golden(`${name}.gha.txt`, text);
    });
  }

  it('is off unless GITHUB_ACTIONS=true (or asked for)', async () => {
    const sc = scenarios['sequential-build']!;
    const { text } = await play(sc.stream, { mode: 'plain', description: sc.description, env: { TTY_DISPLAY_RATE: '0', GITHUB_ACTIONS: 'false' } });
    assert.ok(!text.includes('::group::'));
  });
});

const a = dg('gha a');
const b = dg('gha b');
const c = dg('gha c');

describe('GhaRenderer', () => {
  it('prints parallel steps in completion order, cached ones and warnings included, the failure ungrouped', () => {
    const err = 'process "/bin/sh -c make" did not complete successfully: exit code: 2';
    const lines = (d: string, prefix: string, from: number, n: number, t0: number): SolveStatus[] =>
      Array.from({ length: n }, (_, i) => log(d, t0 + i * 10, `${prefix} ${from + i}\n`));
    const { text } = render([
      vtx(a, '[a 2/2] RUN ./slow.sh', { started: 0 }),
      vtx(b, '[b 2/2] RUN make', { started: 1 }),
      ...lines(a, 'a', 1, 3, 10),
      ...lines(b, 'b', 1, 12, 15),
      vtx(c, '[c 1/1] COPY . .', { started: 20, completed: 20, cached: true }),
      warn(a, 'UndefinedVar: Usage of undefined variable $X'),
      ...lines(a, 'a', 4, 2, 200),
      vtx(b, '[b 2/2] RUN make', { started: 1, completed: 400, error: err }),
      vtx(a, '[a 2/2] RUN ./slow.sh', { started: 0, completed: 500 }),
    ], { description: 'building with "default" instance using docker driver' });
    assertGroupsBalanced(text);
    golden('gha-interleaved.gha.txt', text);
    // the failed step's 12 lines all appear in the open (outside any group), before the error summary
    const beforeSummary = text.slice(0, text.indexOf('------\n'));
    const outside = beforeSummary.split('::endgroup::\n').map((s) => s.split('::group::')[0]).join('');
    for (let i = 1; i <= 12; i++) assert.ok(outside.includes(` b ${i}\n`), `line b ${i} not shown in the open`);
  });

  it('escapes a multi-line step name in the group title', () => {
    assert.equal(escapeCommandData('RUN <<EOF\necho 100%\r\nEOF'), 'RUN <<EOF%0Aecho 100%25%0D%0AEOF');
    const name = '[2/2] RUN <<EOF\necho hi\nEOF';
    const { text } = render([vtx(a, name, { started: 0 }), log(a, 5, 'hi\n'), vtx(a, name, { started: 0, completed: 9 })]);
    assert.ok(text.startsWith('::group::[2/2] RUN <<EOF%0Aecho hi%0AEOF\n'), text);
  });

  it('prints status rows once, in their final state, inside the group', () => {
    const { text } = render([
      vtx(a, '[1/2] FROM x', { started: 0 }),
      st(a, 'resolve x', 5, { started: 1 }),
      st(a, 'sha256:layer', 6, { current: 10, total: 100, started: 2 }),
      st(a, 'sha256:layer', 9, { current: 100, total: 100, started: 2, completed: 9 }),
      st(a, 'resolve x', 10, { started: 1, completed: 10 }),
      vtx(a, '[1/2] FROM x', { started: 0, completed: 11 }),
    ]);
    assert.equal(text, [
      '::group::[1/2] FROM x', '#1 [1/2] FROM x', '#1 resolve x done', '#1 sha256:layer 100B / 100B done',
      '#1 DONE 0.0s', '::endgroup::', '',
    ].join('\n'));
  });

  it('continues a line left open across a group switch on a new #N line, losing nothing', () => {
    const { text } = render([
      vtx(a, '[a 1/1] RUN big', { started: 0 }),
      vtx(b, '[b 1/1] RUN small', { started: 0 }),
      log(a, 1, `${'x'.repeat(40)}\npartial-`),
      vtx(b, '[b 1/1] RUN small', { started: 0, completed: 2 }),
      log(a, 3, 'rest\n'),
      vtx(a, '[a 1/1] RUN big', { started: 0, completed: 4 }),
    ], { maxBufferedChars: 32 });
    assertGroupsBalanced(text);
    assert.equal(text, [
      '::group::[a 1/1] RUN big', '#1 [a 1/1] RUN big', `#1 0.001 ${'x'.repeat(40)}`, '#1 0.001 partial-',
      '::endgroup::',
      '::group::[b 1/1] RUN small', '#2 [b 1/1] RUN small', '#2 DONE 0.0s', '::endgroup::',
      '::group::[a 1/1] RUN big', '#1 [a 1/1] RUN big', '#1 rest', '#1 DONE 0.0s', '::endgroup::', '',
    ].join('\n'));
  });

  it('prints what a cancelled build left behind, and late logs of a finished step', () => {
    const { text } = render([
      vtx(a, '[a 1/1] RUN forever', { started: 0 }),
      log(a, 1, 'started\n'),
      vtx(b, '[b 1/1] RUN quick', { started: 0, completed: 2 }),
      log(b, 3, 'late\n'),
    ]);
    assertGroupsBalanced(text);
    assert.ok(text.includes('#1 0.001 started\n'), text);
    assert.ok(text.includes('#2 0.003 late\n'), text);
  });
});

describe('GhaRenderer on very long logs', () => {
  const N = 200_000;
  /** N numbered lines in chunks of 1000 (one chunk cut mid-line), with a chatty sibling finishing midway. */
  function longStream(): SolveStatus[] {
    const out: SolveStatus[] = [
      vtx(a, '[a 2/2] RUN seq 1 200000', { started: 0 }),
      vtx(b, '[b 2/2] RUN echo sibling', { started: 0 }),
    ];
    let carry = '';
    for (let i = 1; i <= N; i += 1000) {
      let chunk = carry;
      for (let j = i; j < i + 1000; j++) chunk += `line-${j}\n`;
      // cut every 7th chunk inside its last line, so a partial line is open at times
      if ((i - 1) / 1000 % 7 === 3) {
        carry = chunk.slice(-4);
        chunk = chunk.slice(0, -4);
      } else carry = '';
      out.push(log(a, i / 100, chunk));
      if (i === 100_001) {
        out.push(log(b, i / 100, 'sibling output\n'));
        out.push(vtx(b, '[b 2/2] RUN echo sibling', { started: 0, completed: i / 100 }));
      }
    }
    if (carry) out.push(log(a, N / 100, carry));
    out.push(vtx(a, '[a 2/2] RUN seq 1 200000', { started: 0, completed: N / 100 + 1 }));
    return out;
  }

  function checkAllLines(text: string): void {
    let next = 1;
    for (const line of text.split('\n')) {
      const m = /^#1 [\d.]+ line-(\d+)$/.exec(line);
      if (!m) continue;
      assert.equal(Number(m[1]), next, `line ${next} missing or out of order`);
      next++;
    }
    assert.equal(next - 1, N, 'lines received');
  }

  it('through the writer, with the default cap: every line, in order, in one group', async () => {
    const { text } = await play(longStream(), { mode: 'plain', env: GHA_ENV });
    checkAllLines(text);
    assert.equal(assertGroupsBalanced(text), 2);
  });

  it('with a small cap: spills and streams, still every line, and output does not wait for completion', () => {
    const stream = longStream();
    const { text, afterEach } = render(stream, { maxBufferedChars: 256 * 1024 });
    checkAllLines(text);
    // the sibling's group interrupts the spilled step once, which later reopens its group
    assert.ok(assertGroupsBalanced(text) >= 3);
    // bounded buffering: long before the step completes, most of its output has been printed
    const half = afterEach[Math.floor(stream.length / 2)]!;
    assert.ok(half > text.length / 3, `only ${half} of ${text.length} characters out halfway through`);
  });

  it('spills the largest step when all held output passes the total cap', () => {
    const big: SolveStatus[] = [vtx(a, '[a 1/1] RUN a', { started: 0 }), vtx(b, '[b 1/1] RUN b', { started: 0 })];
    for (let i = 0; i < 100; i++) {
      big.push(log(a, i, `${'a'.repeat(99)}\n`));
      if (i % 2 === 0) big.push(log(b, i, `${'b'.repeat(99)}\n`));
    }
    const { afterEach } = render(big, { maxBufferedChars: 1 << 20, maxTotalBufferedChars: 4096 });
    // output started while both were still running: the total cap forced a spill
    assert.ok(afterEach[afterEach.length - 1]! > 0);
    // the larger of the two went first
    const { text } = render(big, { maxBufferedChars: 1 << 20, maxTotalBufferedChars: 4096 });
    assert.ok(text.startsWith('::group::[a 1/1] RUN a\n'), text.slice(0, 80));
  });

  it('prints nothing while no vertex has started', () => {
    assert.equal(render([ss({ vertexes: [{ digest: c, inputs: [], name: 'x', cached: false }] })]).text, '');
  });
});
