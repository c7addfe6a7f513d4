// The tty ProgressPrinter: redraw pacing (at most one frame per 100 ms, a 150 ms ticker while idle),
// backpressure, terminal resizes, colours through createProgressWriter, and that chalk stays unloaded
// unless the tty display needs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createProgressWriter } from '../../../src/progress/printer.js';
import { createTtyPrinter, type OutputSink } from '../../../src/progress/tty-writer.js';
import { Capture, T0, dg, log, vtx } from './streams.js';
import { Screen, stripSgr } from './tty-screen.js';

const HIDE = '\x1b[?25l';
const A = dg('writer a');

/** Output sink recording each write with the fake wall time it happened at. */
class FakeSink implements OutputSink {
  congested = false;
  readonly writes: Array<{ at: number; text: string }> = [];
  onWritable: () => void = () => {};
  constructor(private readonly wall: () => number) {}
  write(text: string): void {
    this.writes.push({ at: this.wall(), text });
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  detach(): void {}
  get frames(): Array<{ at: number; text: string }> {
    return this.writes.filter((w) => w.text.includes(HIDE));
  }
}

/** A terminal-like output stream: has a size and emits 'resize'. */
class FakeTty extends EventEmitter {
  columns = 60;
  rows = 20;
  write(): boolean {
    return true;
  }
}

describe('tty printer pacing', () => {
  let wall = 0;
  beforeEach(() => {
    wall = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  /** Moves the fake wall clock and the mocked timers together, one millisecond at a time. */
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      wall++;
      mock.timers.tick(1);
    }
  };

  function printer(env: Record<string, string> = {}, out: FakeTty = new FakeTty()) {
    let sink: FakeSink | undefined;
    const p = createTtyPrinter({
      out: out as unknown as NodeJS.WritableStream,
      now: () => T0 + BigInt(wall) * 1_000_000n,
      env,
      colorLevel: 0,
      wallMs: () => wall,
      sink: (_out, onWritable) => {
        sink = new FakeSink(() => wall);
        sink.onWritable = onWritable;
        return sink;
      },
    });
    return { p, sink: sink as FakeSink, out };
  }

  it('draws at most one frame per 100 ms however fast updates come, and catches up on the last one', () => {
    const { p, sink } = printer();
    p.write(vtx(A, 'a', { started: 0 }));
    for (let i = 1; i <= 100; i++) {
      advance(10);
      p.write(log(A, i * 10, `line ${i}\n`));
    }
    const frames = sink.frames;
    for (let i = 1; i < frames.length; i++) {
      assert.ok((frames[i]!.at - frames[i - 1]!.at) >= 100, `frames ${i - 1} and ${i} at ${frames[i - 1]!.at} and ${frames[i]!.at}`);
    }
    assert.ok(frames.length >= 10 && frames.length <= 11, `${frames.length} frames in 1 s`);
    advance(100);
    assert.match(sink.writes.at(-1)!.text, /line 100/, 'the last update is drawn within 100 ms');
  });

  it('keeps redrawing every 150 ms while nothing arrives, so timers advance', () => {
    const { p, sink } = printer();
    p.write(vtx(A, 'a', { started: 0 }));
    assert.deepEqual(sink.frames.map((f) => f.at), [0], 'the opening frame was drawn just before');
    advance(1000);
    // the update waits out the 100 ms since the opening frame, then the ticker takes over
    assert.deepEqual(sink.frames.map((f) => f.at), [0, 100, 250, 400, 550, 700, 850, 1000]);
    assert.match(stripSgr(sink.frames.at(-2)!.text), /\[\+\] Building 0\.8s \(0\/1\)/);
    assert.match(stripSgr(sink.frames.at(-1)!.text), /\[\+\] Building 1\.0s \(0\/1\)/);
  });

  it('TTY_DISPLAY_RATE sets both intervals; 0 draws on every update and stops the ticker', () => {
    const fast = printer({ TTY_DISPLAY_RATE: '0' });
    fast.p.write(vtx(A, 'a', { started: 0 }));
    fast.p.write(log(A, 1, 'x\n'));
    fast.p.write(log(A, 2, 'y\n'));
    assert.equal(fast.sink.frames.length, 4, 'the opening frame and one per update');
    advance(1000);
    assert.equal(fast.sink.frames.length, 4);
    mock.timers.reset();
    mock.timers.enable({ apis: ['setTimeout'] });
    wall = 0;
    const slow = printer({ TTY_DISPLAY_RATE: '500' });
    slow.p.write(vtx(A, 'a', { started: 0 }));
    advance(1000);
    assert.deepEqual(slow.sink.frames.map((f) => f.at), [0, 500, 1000]);
  });

  it('skips frames while the output is backed up and draws a fresh one when it drains', () => {
    const { p, sink } = printer();
    sink.congested = true;
    p.write(vtx(A, 'a', { started: 0 }));
    advance(500);
    const n = sink.writes.length;
    p.write(log(A, 500, 'while blocked\n'));
    advance(500);
    assert.equal(sink.writes.length, n, 'nothing written while congested');
    sink.congested = false;
    sink.onWritable();
    assert.equal(sink.writes.length, n + 1);
    assert.match(sink.writes.at(-1)!.text, /while blocked/);
  });

  it('redraws at the new size when the terminal is resized', () => {
    const out = new FakeTty();
    const { p, sink } = printer({}, out);
    p.write(vtx(A, 'a', { started: 0 }));
    advance(360); // frames at 0, 100 and 250
    const n = sink.frames.length;
    out.columns = 30;
    out.emit('resize');
    assert.equal(sink.frames.length, n + 1, 'drawn at once: the last frame is over 100 ms old');
    const last = stripSgr(sink.frames.at(-1)!.text);
    assert.ok(last.includes('\x1b[J'), 'the area below is cleared after a resize');
    assert.ok(last.split('\n').includes(' => a                    0.4s'), JSON.stringify(last));
    out.columns = 40;
    out.emit('resize');
    assert.equal(sink.frames.length, n + 1, 'a second resize right after waits its turn');
    advance(100);
    assert.ok(stripSgr(sink.frames.at(-1)!.text).split('\n').includes(` => a${' '.repeat(30)}0.5s`));
  });

  it('close() prints the final frame, stops the ticker and stops listening for resizes', async () => {
    const out = new FakeTty();
    const { p, sink } = printer({}, out);
    p.write(vtx(A, 'a', { started: 0 }));
    advance(50);
    p.write(vtx(A, 'a', { started: 0, completed: 50 }));
    await p.close();
    assert.match(stripSgr(sink.writes.at(-1)!.text), /\[\+\] Building 0\.1s \(1\/1\) FINISHED/);
    const n = sink.writes.length;
    advance(1000);
    out.emit('resize');
    p.write(vtx(A, 'a', { started: 0, completed: 50 }));
    assert.equal(sink.writes.length, n);
    assert.equal(out.listenerCount('resize'), 0);
  });
});

describe("createProgressWriter({ mode: 'tty' })", () => {
  async function render(env: Record<string, string>): Promise<string> {
    const out = Object.assign(new Capture(), { columns: 50, rows: 20 });
    let clock = T0;
    const w = createProgressWriter({ mode: 'tty', out, consoleDescription: 'docker:default', now: () => clock, env });
    w.write(vtx(A, 'RUN echo hi', { started: 0 }));
    clock += 300_000_000n;
    w.write(log(A, 200, 'hi\n'));
    w.write(vtx(A, 'RUN echo hi', { started: 0, completed: 300 }));
    await w.close();
    return out.text;
  }

  it('without NO_COLOR colours the finished step and ends with the final frame in the scrollback', async () => {
    const text = await render({});
    assert.ok(text.includes('\x1b[34m => RUN echo hi'), JSON.stringify(text));
    const screen = new Screen(50, 20);
    screen.write(text);
    assert.deepEqual(screen.history(), [
      `${'[+] Building 0.3s (1/1) FINISHED'.padEnd(34)} docker:default`,
      ` => RUN echo hi${' '.repeat(30)}0.3s`,
    ]);
  });

  it('with NO_COLOR writes no colour or style codes at all', async () => {
    const text = await render({ NO_COLOR: '1' });
    assert.ok(!/\x1b\[[0-9;]*m/.test(text), JSON.stringify(text));
    assert.ok(text.includes('\x1b[?25l'), 'still a redrawing display');
  });

  it('BUILDKIT_COLORS changes the colour', async () => {
    const text = await render({ BUILDKIT_COLORS: 'run=0,255,0', COLORTERM: 'truecolor' });
    assert.ok(text.includes('\x1b[38;2;0;255;0m => RUN echo hi'), JSON.stringify(text));
  });

  it('keeps the other modes as they were', async () => {
    const out = new Capture();
    const w = createProgressWriter({ mode: 'plain', out, env: { TTY_DISPLAY_RATE: '0' }, now: () => T0 });
    w.write(vtx(A, 'a', { started: 0, completed: 0 }));
    await w.close();
    assert.equal(out.text, '#1 a\n#1 DONE 0.0s\n');
  });
});

describe('startup cost', () => {
  // Compiled tests live at <out>/test/unit/progress; the compiled sources at <out>/src.
  const src = join(dirname(fileURLToPath(import.meta.url)), '../../../src/progress');

  /** Runs `body` in a fresh node with a resolve hook that reports every chalk module loaded. */
  function chalkLoaded(body: string): boolean {
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('/node_modules/chalk/')) process.stderr.write('CHALK_LOADED\\n'); return r; }",
    )}`;
    const script = `import { register } from 'node:module'; register(${JSON.stringify(hook)});
      const p = await import(${JSON.stringify(pathToFileURL(join(src, 'index.js')).href)});
      const { PassThrough } = await import('node:stream');
      const out = Object.assign(new PassThrough(), { columns: 80, rows: 24 }); out.resume();
      ${body}`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stderr.includes('CHALK_LOADED');
  }

  it('importing the progress layer and printing plain output does not load chalk', () => {
    assert.equal(chalkLoaded(`const w = p.createProgressWriter({ mode: 'plain', out }); await w.close();`), false);
  });

  it('the tty display loads it when it colours, and not under NO_COLOR', () => {
    assert.equal(chalkLoaded(`const w = p.createProgressWriter({ mode: 'tty', out, env: {} }); await w.close();`), true);
    assert.equal(chalkLoaded(`const w = p.createProgressWriter({ mode: 'tty', out, env: { NO_COLOR: '1' } }); await w.close();`), false);
  });
});
