import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgressWriter } from '../../../src/progress/printer.js';
import { Capture, dg, log, play, ss, vtx, warn } from './streams.js';

const A = dg('a');

/** A stream that accepts one chunk at a time and completes each write only when told to. */
class Gate extends Writable {
  readonly chunks: string[] = [];
  private pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 16, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _e: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    this.pending.push(() => cb());
  }
  release(): void {
    const p = this.pending;
    this.pending = [];
    for (const f of p) f();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createProgressWriter', () => {
  it('rawjson: one line per write, sent at once', () => {
    const out = new Capture();
    const w = createProgressWriter({ mode: 'rawjson', out });
    w.write(vtx(A, 'a', { started: 0 }));
    assert.equal(out.text.split('\n').length, 2);
    w.write(log(A, 1, 'x\n'));
    assert.equal(out.text.split('\n').length, 3);
  });

  it('waits for a backed-up stream: ready() holds, writes queue, close() flushes all in order', async () => {
    const out = new Gate();
    const w = createProgressWriter({ mode: 'rawjson', out });
    w.write(vtx(A, 'a', { started: 0 }));
    let ready = false;
    void w.ready().then(() => (ready = true));
    w.write(log(A, 1, 'second\n'));
    w.write(log(A, 2, 'third\n'));
    await tick();
    assert.equal(ready, false, 'the stream is over its high-water mark');
    assert.equal(out.chunks.length, 1, 'later lines wait in the queue');
    let closed = false;
    const closing = w.close().then(() => (closed = true));
    await tick();
    assert.equal(closed, false);
    out.release(); // first chunk done → drain → the queued lines go out as one chunk, again over the mark
    await tick();
    assert.equal(out.chunks.length, 2);
    assert.equal(ready, false);
    out.release();
    await tick();
    assert.equal(ready, true);
    await closing;
    const lines = out.text.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /"data":"c2Vjb25kCg=="/);
    assert.match(lines[2] ?? '', /"data":"dGhpcmQK"/);
  });

  it('plain: skips refreshes while the stream is backed up and catches up on drain', async () => {
    const out = new Gate();
    const w = createProgressWriter({ mode: 'plain', out, env: { TTY_DISPLAY_RATE: '0' } });
    w.write(vtx(A, 'a', { started: 0 }));
    w.write(log(A, 1, 'hello\n'));
    assert.equal(out.text, '#1 a\n');
    out.release();
    await tick();
    assert.equal(out.text, '#1 a\n#1 0.001 hello\n');
    out.release();
    const closing = w.close();
    await tick();
    out.release();
    await closing;
  });

  it('does not fail the build when the stream breaks', async () => {
    const out = new Writable({ write: (_c, _e, cb) => cb(new Error('EPIPE')) });
    const w = createProgressWriter({ mode: 'plain', out, env: { TTY_DISPLAY_RATE: '0' } });
    w.write(vtx(A, 'a', { started: 0 }));
    await tick();
    w.write(vtx(A, 'a', { started: 0, completed: 10 }));
    await w.close();
    assert.equal(out.listenerCount('error'), 0, 'its error listener is gone after close');
  });

  it('ignores writes after close and closes once', async () => {
    const out = new Capture();
    const w = createProgressWriter({ mode: 'plain', out, env: { TTY_DISPLAY_RATE: '0' } });
    w.write(vtx(A, 'a', { started: 0, completed: 1 }));
    const p1 = w.close();
    assert.equal(w.close(), p1);
    await p1;
    w.write(vtx(dg('late'), 'late', { started: 2 }));
    assert.equal(out.text, '#1 a\n#1 DONE 0.0s\n');
  });

  it('quiet prints nothing but collects warnings, each once', async () => {
    const repeated = warn(A, 'UndefinedVar: Usage of undefined variable $FOO');
    const stream = [vtx(A, 'a', { started: 0 }), repeated, repeated, warn(dg('other platform'), 'UndefinedVar: Usage of undefined variable $FOO'), warn(A, 'another')];
    const { text, writer } = await play(stream, { mode: 'quiet' });
    assert.equal(text, '');
    assert.deepEqual(writer.warnings.map((x) => x.short.toString()), ['UndefinedVar: Usage of undefined variable $FOO', 'another']);
  });

  it('plain and rawjson collect warnings too', async () => {
    for (const mode of ['plain', 'rawjson'] as const) {
      const { writer } = await play([vtx(A, 'a', { started: 0 }), warn(A, 'w1')], { mode });
      assert.equal(writer.warnings.length, 1, mode);
    }
  });

  it('streams a log-heavy step without dropping a line', async () => {
    let bytes = 0;
    let lines = 0;
    let xs = 0;
    const out = new Writable({
      decodeStrings: false,
      write(chunk: string, _e, cb) {
        bytes += chunk.length;
        for (let i = chunk.indexOf('x'); i !== -1; i = chunk.indexOf('x', i + 1)) xs++;
        for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
        cb();
      },
    });
    const w = createProgressWriter({ mode: 'plain', out, env: {} });
    w.write(vtx(A, 'noisy', { started: 0 }));
    const line = `${'x'.repeat(63)}\n`;
    const chunk = line.repeat(1024); // 64 KiB
    const chunks = 800; // 50 MiB of output in total
    for (let i = 0; i < chunks; i++) {
      // cut through lines so every chunk boundary exercises the partial-line path
      w.write(log(A, i, i % 2 ? chunk.slice(10) + chunk.slice(0, 10) : chunk));
      if (i % 64 === 0) await w.ready();
    }
    w.write(vtx(A, 'noisy', { started: 0, completed: chunks }));
    await w.close();
    // the last chunk ends inside a line, which is ended before DONE
    assert.equal(lines, 1 + chunks * 1024 + 1 + 1, 'header, every log line, DONE');
    assert.equal(xs, chunks * 1024 * 63, 'every byte of output text, none twice');
    assert.ok(bytes > chunks * 64 * 1024);
  });

  it('collects warnings for vertices it has not seen', async () => {
    const out = new Capture();
    const w = createProgressWriter({ mode: 'plain', out });
    w.write(ss({ warnings: warn('sha256:unknown', 'lonely').warnings }));
    await w.close();
    assert.equal(w.warnings.length, 1);
    assert.equal(out.text, '');
  });
});
