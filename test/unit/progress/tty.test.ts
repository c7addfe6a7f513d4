// The tty renderer driven frame by frame with a fake clock and a fake terminal size; frames are applied
// to a small terminal emulator so what is checked is what a user would see, cursor movement included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtyRenderer, scrollOff } from '../../../src/progress/tty.js';
import { noStyle } from '../../../src/progress/tty-colors.js';
import type { Nanos, SolveStatus } from '../../../src/progress/types.js';
import { scenarios } from './scenarios.js';
import { arrival, at, dg, log, st, T0, vtx, warn } from './streams.js';
import { Screen, stripSgr } from './tty-screen.js';

interface Harness {
  r: TtyRenderer;
  screen: Screen;
  /** Applies a status at its own time (or `ms`), then draws a frame. */
  step(s: SolveStatus, ms?: number): void;
  /** Draws a frame at `ms`. */
  tick(ms: number): void;
  finish(ms?: number): string;
  resize(w: number, h: number): void;
}

function harness(width: number, height: number, opts: { desc?: string; logLines?: number } = {}): Harness {
  let clock: Nanos = T0;
  let w = width;
  let h = height;
  let screen = new Screen(w, h);
  const r = new TtyRenderer({
    consoleDescription: opts.desc,
    now: () => clock,
    columns: () => w,
    rows: () => h,
    logLines: opts.logLines,
    style: noStyle,
  });
  return {
    r,
    get screen() {
      return screen;
    },
    step(s, ms) {
      clock = ms === undefined ? arrival(s, clock) : at(ms);
      r.write(s);
      screen.write(r.frame());
    },
    tick(ms) {
      clock = at(ms);
      screen.write(r.frame());
    },
    finish(ms) {
      if (ms !== undefined) clock = at(ms);
      const out = r.finish();
      screen.write(out);
      return out;
    },
    resize(nw, nh) {
      w = nw;
      h = nh;
      // a fresh screen of the new size holding what the old one showed (no reflow needed: lines fit)
      const old = screen.lines();
      screen = new Screen(nw, nh);
      screen.write(old.map((l) => l.slice(0, nw - 1)).join('\n'));
      screen.write(`\x1b[${old.length - 1}A\r`);
    },
  } as Harness;
}

/** A job line as the spec lays it out: name left, ` <secs>s` ending at column width−1. */
function jobRow(name: string, secs: string, width: number): string {
  const timer = ` ${secs}s`;
  return `${` => ${name}`.padEnd(width - 2 - timer.length)} ${timer}`;
}

const A = dg('tty a');
const B = dg('tty b');
const C = dg('tty c');

describe('tty renderer: header', () => {
  it('shows seconds since the first start, completed/total and the console description at width−1', () => {
    const t = harness(60, 20, { desc: 'docker:default' });
    t.step(vtx(B, 'not started yet'), 0);
    t.step(vtx(A, 'step a', { started: 0 }), 0);
    t.tick(1234);
    const header = t.screen.lines()[0] as string;
    assert.equal(header, `${'[+] Building 1.2s (0/2)'.padEnd(44)} docker:default`);
    assert.equal(header.length, 59, 'the description ends one column short of the edge');
  });

  it('says FINISHED only on the final frame and only when every counted step completed', () => {
    const t = harness(80, 20);
    t.step(vtx(A, 'a', { started: 0 }));
    t.step(vtx(A, 'a', { started: 0, completed: 500 }));
    assert.equal(t.screen.lines()[0], '[+] Building 0.5s (1/1)', 'not on an ordinary frame');
    t.finish(700);
    assert.equal(t.screen.history()[0], '[+] Building 0.7s (1/1) FINISHED');

    const u = harness(80, 20);
    u.step(vtx(A, 'a', { started: 0, completed: 100 }), 0);
    u.step(vtx(B, 'b'), 100);
    u.finish(300);
    assert.equal(u.screen.history()[0], '[+] Building 0.3s (1/2)', 'one step never ran');
  });

  it('shows 0.0s (0/0) before anything started, and is cut to the width when too narrow for the description', () => {
    const t = harness(30, 10, { desc: 'docker-container:mybuilder' });
    t.tick(0);
    assert.equal(t.screen.lines()[0], '[+] Building 0.0s (0/0)  dock');
    assert.equal(t.screen.lines()[0]?.length, 29);
  });

  it('counts a progress group once', () => {
    const t = harness(80, 20);
    const { stream } = scenarios['progress-groups']!;
    for (const s of stream) t.step(s);
    t.finish();
    // the weak-only group stays hidden: the visible group and the export step
    assert.match(t.screen.history()[0] ?? '', /\(2\/2\) FINISHED$/);
  });
});

describe('tty renderer: jobs', () => {
  it('draws the sequential build: one line per step, status rows under their step, timers', () => {
    const t = harness(100, 30, { desc: 'docker:default' });
    for (const s of scenarios['sequential-build']!.stream) t.step(s);
    t.finish();
    const w = 100;
    assert.deepEqual(t.screen.history(), [
      `${'[+] Building 3.0s (7/7) FINISHED'.padEnd(w - 2 - 14)} docker:default`,
      jobRow('[internal] load build definition from Dockerfile', '0.0', w),
      jobRow('=> transferring dockerfile: 74B', '0.0', w),
      jobRow('[internal] load metadata for docker.io/library/busybox:latest', '1.2', w),
      jobRow('[internal] load .dockerignore', '0.0', w),
      jobRow('=> transferring context: 2B', '0.0', w),
      // names are cut to 100 − 4 (` => `) − 5 (` 0.1s`) − 2 = 89 cells
      jobRow('[1/3] FROM docker.io/library/busybox:latest@sha256:ba76950ac9eaa407512c9d859cea48114eeff8', '0.1', w),
      jobRow('=> resolve docker.io/library/busybox:latest@sha256:ba76950ac9eaa407512c9d859cea48114eeff8', '0.0', w),
      jobRow('[2/3] RUN echo hello && sleep 1', '1.3', w),
      jobRow('[3/3] WORKDIR /app', '0.0', w),
      jobRow('exporting to image', '0.3', w),
      jobRow('=> exporting layers', '0.2', w),
      jobRow('=> writing image sha256:3b1eb2a1a4ed9ea3b1b11bd5a88d4ed2aa1c0d5a83c0c8b7e3c98a6a1e4d7c33', '0.0', w),
      jobRow('=> naming to docker.io/library/demo:latest', '0.0', w),
    ].map((l) => l.trimEnd()));
    for (const l of t.screen.history()) assert.ok(l.length <= w - 1, `within width−1: ${l}`);
  });

  it('prefixes CACHED, ERROR and CANCELED and advances running timers with the clock', () => {
    const t = harness(80, 20);
    t.step(vtx(A, 'RUN make', { started: 0 }));
    t.step(vtx(B, 'RUN cached', { started: 10, completed: 10, cached: true }));
    t.tick(2_345);
    assert.deepEqual(t.screen.text().slice(1), [jobRow('RUN make', '2.3', 80), jobRow('CACHED RUN cached', '0.0', 80)]);
    t.tick(4_000);
    assert.equal(t.screen.text()[1], jobRow('RUN make', '4.0', 80));
    t.step(vtx(C, 'RUN other', { started: 100 }));
    t.step(vtx(A, 'RUN make', { started: 0, completed: 4_100, error: 'exit code: 2' }));
    t.step(vtx(C, 'RUN other', { started: 100, completed: 4_200, error: 'rpc error: code = Canceled desc = context canceled' }));
    assert.deepEqual(t.screen.text().slice(1), [
      jobRow('ERROR RUN make', '4.1', 80),
      jobRow('CACHED RUN cached', '0.0', 80),
      jobRow('CANCELED RUN other', '4.1', 80),
    ]);
  });

  it('shows byte progress of status rows as `cur / total`, or `cur` alone', () => {
    const t = harness(100, 20);
    const { stream } = scenarios['image-pull-sizes']!;
    for (const s of stream.slice(0, 4)) t.step(s);
    const rows = t.screen.text();
    assert.match(rows[3] ?? '', /^ => => sha256:4abcf2\S+ 1\.23MB \/ 4\.56MB +0\.1s$/);
    assert.match(rows[4] ?? '', /^ => => sha256:d7a9e3\S+ 0B \/ 512B +0\.1s$/);
    const u = harness(80, 10);
    u.step(vtx(A, 'load context', { started: 0 }));
    u.step(st(A, 'transferring context:', 300, { current: 123_456, started: 0 }));
    assert.equal(u.screen.text()[2], jobRow('=> transferring context: 123.46kB', '0.3', 80));
  });

  it('shows warnings as WARN lines under their step', () => {
    const t = harness(100, 20);
    for (const s of scenarios['lint-warning']!.stream) t.step(s);
    const rows = t.screen.text();
    assert.equal(rows[3], jobRow("WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)", '0.0', 100).trimEnd());
  });

  it('cuts names to the width and drops the sizes before the name gets too short', () => {
    const t = harness(40, 10);
    t.step(vtx(A, 'a very long step name that cannot possibly fit in forty columns', { started: 0 }));
    t.step(st(A, 'sha256:0123456789abcdef', 1000, { current: 1_000_000, total: 9_000_000, started: 0 }));
    const rows = t.screen.text();
    // 40 − 4 − 5 − 2 = 29 cells for the name
    assert.equal(rows[1], ' => a very long step name that ca  1.0s');
    assert.equal(rows[1]?.length, 39);
    // ` 1.00MB / 9.00MB` leaves the name (`=> ` included) 29 − 16 = 13 cells, so the sizes stay
    assert.equal(rows[2], ' => => sha256:012 1.00MB / 9.00MB  1.0s');
    const narrow = harness(30, 10);
    narrow.step(vtx(A, 'step', { started: 0 }));
    narrow.step(st(A, 'sha256:0123456789abcdef', 1000, { current: 1_000_000, total: 9_000_000, started: 0 }));
    // 30 − 11 = 19 cells: the sizes would leave 3, so only the name is shown
    assert.equal(narrow.screen.text()[2], ' => => sha256:012345678  1.0s');
  });

  it('leaves a job out when fewer than 12 cells remain for its name', () => {
    // 23 − 4 − 5 − 2 = 12 cells: just enough
    const t = harness(23, 10);
    t.step(vtx(A, 'step', { started: 0 }));
    t.tick(100);
    assert.deepEqual(t.screen.text(), ['[+] Building 0.1s (0/1', ' => step          0.1s']);
    const u = harness(22, 10);
    u.step(vtx(A, 'step', { started: 0 }));
    assert.deepEqual(u.screen.text(), ['[+] Building 0.0s (0/']);
  });

  it('keeps control characters in names from breaking lines', () => {
    const t = harness(60, 10);
    t.step(vtx(A, 'RUN <<EOF\necho\thi\nEOF', { started: 0 }));
    assert.equal(t.screen.text()[1], jobRow('RUN <<EOF echo hi EOF', '0.0', 60));
  });
});

describe('tty renderer: log tails', () => {
  it('shows the last lines of a running step faint under it, and drops them once it completes', () => {
    const t = harness(60, 30);
    t.step(vtx(A, 'RUN ./build.sh', { started: 0 }));
    for (let i = 1; i <= 9; i++) t.step(log(A, i * 100, `line ${i}\n`));
    // a 6-row terminal whose cursor sits on the empty row after the last newline shows 5 lines
    assert.deepEqual(t.screen.text(), [
      '[+] Building 0.9s (0/1)',
      jobRow('RUN ./build.sh', '0.9', 60),
      ' => => # line 5',
      ' => => # line 6',
      ' => => # line 7',
      ' => => # line 8',
      ' => => # line 9',
    ]);
    t.step(log(A, 1000, 'partial'));
    // now the cursor row holds text: six rows
    assert.deepEqual(t.screen.text().slice(2), ['line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'partial'].map((l) => ` => => # ${l}`));
    t.step(vtx(A, 'RUN ./build.sh', { started: 0, completed: 1100 }));
    assert.deepEqual(t.screen.text(), ['[+] Building 1.1s (1/1)', jobRow('RUN ./build.sh', '1.1', 60)], 'the tail is blanked');
  });

  it('emulates a terminal: carriage returns overwrite, escapes vanish, long lines wrap at width−10', () => {
    const t = harness(30, 30);
    t.step(vtx(A, 'RUN ./dl', { started: 0 }));
    t.step(log(A, 100, 'downloading  10%\rdownloading  50%\rdownloading 100%\n'));
    t.step(log(A, 200, '\x1b[32mgreen\x1b[0m text\n'));
    t.step(log(A, 300, 'abcdefghijklmnopqrstuvwxyz0123456789'));
    assert.deepEqual(t.screen.text().slice(2), [
      ' => => # downloading 100%',
      ' => => # green text',
      ' => => # abcdefghijklmnopqrst',
      ' => => # uvwxyz0123456789',
    ]);
  });

  it('BUILDKIT_TTY_LOG_LINES sets the tail height; 0 turns tails off', () => {
    const t = harness(60, 30, { logLines: 2 });
    t.step(vtx(A, 'RUN x', { started: 0 }));
    t.step(log(A, 100, 'one\ntwo\nthree'));
    assert.deepEqual(t.screen.text().slice(2), [' => => # two', ' => => # three']);
    const u = harness(60, 30, { logLines: 0 });
    u.step(vtx(A, 'RUN x', { started: 0 }));
    u.step(log(A, 100, 'one\n'));
    assert.equal(u.screen.text().length, 2);
  });

  it('shows a tail only when the screen has room for it beyond the running jobs', () => {
    // height 10: 10 − 2 − 1 running = 7 free, which is not more than 6 + 3 → no tail
    const t = harness(60, 10);
    t.step(vtx(A, 'RUN x', { started: 0 }));
    t.step(log(A, 100, 'hello\n'));
    assert.equal(t.screen.text().length, 2);
    // height 11 → 8 free, still not enough; 12 → 9, neither; 13 → 10 > 9: shown
    const u = harness(60, 13);
    u.step(vtx(A, 'RUN x', { started: 0 }));
    u.step(log(A, 100, 'hello\n'));
    assert.deepEqual(u.screen.text().slice(2), [' => => # hello']);
  });

  it('gives the room to the step with the most recent output first', () => {
    // 20 rows, 2 running: 16 free → room for one tail (16 > 9, then 7 is not)
    const t = harness(60, 20);
    t.step(vtx(A, 'RUN a', { started: 0 }));
    t.step(vtx(B, 'RUN b', { started: 0 }));
    t.step(log(A, 100, 'from a\n'));
    assert.deepEqual(t.screen.text().slice(1), [jobRow('RUN a', '0.1', 60), ' => => # from a', jobRow('RUN b', '0.1', 60)]);
    t.step(log(B, 200, 'from b\n'));
    assert.deepEqual(t.screen.text().slice(1), [jobRow('RUN a', '0.2', 60), jobRow('RUN b', '0.2', 60), ' => => # from b']);
  });
});

describe('tty renderer: height', () => {
  it('scrolls the oldest completed jobs off when the list exceeds height−2, keeping running ones', () => {
    const t = harness(60, 8);
    const names = Array.from({ length: 10 }, (_, i) => `step ${i + 1}`);
    const ds = names.map((n) => dg(n));
    t.step(vtx(ds[0]!, names[0]!, { started: 0 }), 10); // stays running; arrives 10 ms late
    for (let i = 1; i < 10; i++) t.step(vtx(ds[i]!, names[i]!, { started: i * 100, completed: i * 100 + 50 }));
    const rows = t.screen.text();
    assert.equal(rows.length, 7, 'header + height−2 jobs');
    assert.deepEqual(rows.slice(1).map((l) => l.replace(/ +\d+\.\ds$/, '')), [
      ' => step 1', ' => step 6', ' => step 7', ' => step 8', ' => step 9', ' => step 10',
    ]);
    // the final frame has every job, whatever the height, and the terminal keeps it in its scrollback
    t.step(vtx(ds[0]!, names[0]!, { started: 0, completed: 2000 }));
    t.finish();
    const all = t.screen.history();
    assert.equal(all[0], '[+] Building 2.0s (10/10) FINISHED');
    assert.deepEqual(all.slice(1).map((l) => l.replace(/ +\d+\.\ds$/, '')), names.map((n) => ` => ${n}`));
  });

  it('scrollOff drops completed jobs oldest first, then running ones', () => {
    const j = (id: string, completed: boolean) => ({ id, completed });
    const jobs = [j('a', true), j('b', false), j('c', true), j('d', true), j('e', false)];
    assert.deepEqual(scrollOff(jobs, 3).map((x) => x.id), ['b', 'd', 'e']);
    assert.deepEqual(scrollOff(jobs, 2).map((x) => x.id), ['b', 'e']);
    assert.deepEqual(scrollOff(jobs, 1).map((x) => x.id), ['e']);
    assert.deepEqual(scrollOff(jobs, 0), []);
    assert.deepEqual(scrollOff(jobs, 9).map((x) => x.id), ['a', 'b', 'c', 'd', 'e']);
  });
});

describe('tty renderer: redraw in place', () => {
  it('draws each frame over the previous one, hiding the cursor while drawing', () => {
    const t = harness(50, 12);
    t.screen.write('$ docker buildx build .\n');
    t.step(vtx(A, 'a', { started: 0 }));
    for (let ms = 100; ms <= 1000; ms += 100) t.tick(ms);
    t.step(vtx(B, 'b', { started: 1000 }));
    assert.deepEqual(t.screen.text(), ['$ docker buildx build .', '[+] Building 1.0s (0/2)', jobRow('a', '1.0', 50), jobRow('b', '0.0', 50)]);
    assert.equal(t.screen.cursorVisible, true);
    const frame = t.r.frame();
    assert.ok(frame.startsWith('\x1b[3A\r\x1b[?25l'), `up over header + 2 jobs, then hide: ${JSON.stringify(frame.slice(0, 20))}`);
    assert.ok(frame.endsWith('\x1b[?25h'));
  });

  it('blanks what is left of a longer previous frame and returns the cursor', () => {
    const t = harness(40, 30);
    t.step(vtx(A, 'a', { started: 0 }));
    t.step(log(A, 100, '1\n2\n3\n'));
    assert.equal(t.screen.text().length, 5);
    t.step(vtx(A, 'a', { started: 0, completed: 200 }));
    assert.deepEqual(t.screen.text(), ['[+] Building 0.2s (1/1)', jobRow('a', '0.2', 40)]);
    assert.deepEqual(t.screen.cursor, { row: 2, col: 0 }, 'the cursor is back below the frame');
    t.step(vtx(B, 'b', { started: 300 }));
    assert.deepEqual(t.screen.text(), ['[+] Building 0.3s (1/2)', jobRow('a', '0.2', 40), jobRow('b', '0.0', 40)]);
  });

  it('follows a resize: the next frame uses the new width and clears what the old one left', () => {
    const t = harness(80, 20);
    t.step(vtx(A, 'a step with a fairly long name of some fifty chars', { started: 0 }));
    t.resize(50, 20);
    t.tick(500);
    // 50 − 4 − 5 − 2 = 39 cells for the name
    assert.deepEqual(t.screen.text(), ['[+] Building 0.5s (0/1)', jobRow('a step with a fairly long name of some fifty chars'.slice(0, 39), '0.5', 50).trimEnd()]);
    const again = t.r.frame();
    assert.ok(!again.includes('\x1b[J'), 'no clearing without a resize');
    t.resize(50, 12);
    assert.ok(t.r.frame().startsWith('\x1b[2A\r\x1b[J'), 'a change of height alone clears below too');
  });

  it('counts the rows a narrower terminal rewrapped the previous frame into', () => {
    let w = 80;
    const r = new TtyRenderer({ now: () => at(0), columns: () => w, rows: () => 20 });
    r.write(vtx(A, 'a', { started: 0 }));
    r.frame(); // header + 1 job, 79 cells each
    w = 40;
    assert.ok(r.frame().startsWith('\x1b[4A\r\x1b[J'), 'two lines of 79 cells take two rows each at 40 columns');
  });
});

describe('tty renderer: final frame', () => {
  it('ends with the error block holding every kept log line of the failed step, not only the last 10', () => {
    const t = harness(80, 10);
    for (const s of scenarios['failing-run']!.stream) t.step(s);
    const out = stripSgr(t.finish());
    const tail = out.slice(out.indexOf('------'));
    const lines = tail.split('\n');
    assert.equal(lines[0], '------');
    assert.equal(lines[1], ' > [test 2/2] RUN ./test.sh:');
    assert.equal(lines.length, 1 + 1 + 15 + 1 + 1, 'frame rule, title, 15 log lines, rule, final newline');
    assert.equal(lines[2], '0.120 ok 1 - case 1');
    assert.equal(lines[16], '1.800 not ok 15 - expected <1> & got <2>');
    assert.equal(lines[17], '------');
    const hist = t.screen.history();
    assert.ok(hist.includes(jobRow('ERROR [test 2/2] RUN ./test.sh', '1.9', 80)), hist.join('\n'));
    assert.ok(hist.includes(jobRow('CANCELED [build 2/2] RUN make all', '1.8', 80)), hist.join('\n'));
    assert.equal(hist.filter((l) => l === '------').length, 2, 'no block for the cancelled step');
  });

  it('prints a final frame even when nothing ever started', () => {
    const t = harness(60, 10, { desc: 'docker:default' });
    t.finish(0);
    assert.deepEqual(t.screen.history(), [`${'[+] Building 0.0s (0/0)'.padEnd(44)} docker:default`]);
  });

  it('adjusts for the daemon clock being ahead of the local one', () => {
    let clock = T0;
    const r = new TtyRenderer({ now: () => clock, columns: () => 60, rows: () => 10 });
    // the daemon's times are 5 s ahead; the vertex started "now" from the local point of view
    r.write({ vertexes: [{ digest: A, inputs: [], name: 'a', cached: false, started: T0 + 5_000_000_000n }], statuses: [], logs: [], warnings: [] });
    clock = T0 + 1_500_000_000n;
    const s = new Screen(60, 10);
    s.write(r.frame());
    assert.deepEqual(s.text(), ['[+] Building 1.5s (0/1)', jobRow('a', '1.5', 60)]);
  });
});

describe('tty renderer: progress warnings', () => {
  it('keeps WARN lines after the step completes', () => {
    const t = harness(80, 20);
    t.step(vtx(A, 'load', { started: 0 }));
    t.step(warn(A, 'something odd'));
    t.step(vtx(A, 'load', { started: 0, completed: 300 }));
    t.finish();
    assert.deepEqual(t.screen.history().slice(1), [jobRow('load', '0.3', 80), jobRow('WARN: something odd', '0.3', 80)]);
  });
});
