import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressWriter } from '../../../src/progress/printer.js';
import type { SolveStatus, VertexWarning } from '../../../src/progress/types.js';
import { withVertex } from '../../../src/progress/vertex.js';
import type { ProgressWriter } from '../../../src/progress/writer.js';
import { at, Capture } from './streams.js';

function recorder(): ProgressWriter & { seen: SolveStatus[] } {
  const seen: SolveStatus[] = [];
  return {
    seen,
    warnings: [] as VertexWarning[],
    write: (s) => void seen.push(s),
    close: async () => {},
  };
}

/** A clock that moves 100 ms every time it is read. */
function steppingClock() {
  let ms = 0;
  return () => at((ms += 100) - 100);
}

describe('withVertex', () => {
  it('announces a started vertex, then completes it with the result passed through', async () => {
    const w = recorder();
    const result = await withVertex(w, 'loading metadata', async () => 42, { now: steppingClock() });
    assert.equal(result, 42);
    assert.equal(w.seen.length, 2);
    const [first, last] = w.seen.map((s) => s.vertexes[0]);
    assert.match(first?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(first?.digest, last?.digest);
    assert.equal(first?.name, 'loading metadata');
    assert.equal(first?.started, at(0));
    assert.equal(first?.completed, undefined);
    assert.equal(last?.started, at(0));
    assert.equal(last?.completed, at(100));
    assert.equal(last?.error, undefined);
  });

  it('gives every call its own digest', async () => {
    const w = recorder();
    await withVertex(w, 'a', async () => {});
    await withVertex(w, 'a', async () => {});
    assert.notEqual(w.seen[0]?.vertexes[0]?.digest, w.seen[2]?.vertexes[0]?.digest);
  });

  it('records the failure on the vertex and rethrows it unchanged', async () => {
    const w = recorder();
    const boom = new Error('failed to push: unauthorized');
    await assert.rejects(withVertex(w, 'pushing', async () => { throw boom; }), (e) => e === boom);
    assert.equal(w.seen.at(-1)?.vertexes[0]?.error, 'failed to push: unauthorized');
  });

  it('reports an abort as context canceled, so renderers show CANCELED', async () => {
    const out = new Capture();
    const pw = createProgressWriter({ mode: 'plain', out, now: () => at(0), env: { TTY_DISPLAY_RATE: '0' } });
    const ac = new AbortController();
    await assert.rejects(withVertex(pw, 'waiting', async () => {
      ac.abort();
      throw new DOMException('This operation was aborted', 'AbortError');
    }, { now: steppingClock(), signal: ac.signal }));
    await pw.close();
    assert.equal(out.text, '#1 waiting\n#1 CANCELED\n');
  });

  it('shows logs, status rows and sub-steps under the vertex', async () => {
    // each clock read is 100 ms later: start 0, log 100, sub-step 200–400 (rows stamped 300, 500), vertex done 700
    const out = new Capture();
    const pw = createProgressWriter({ mode: 'plain', out, now: () => at(0), env: { TTY_DISPLAY_RATE: '0' } });
    await withVertex(pw, 'exporting to client directory', async (sub) => {
      sub.log(1, 'copying files\n');
      await sub.wrap('copying files 1.2kB', async () => {});
      sub.setStatus({ id: 'sending tarball', name: '', current: 2048, total: 0, started: at(400), completed: at(600) });
    }, { now: steppingClock() });
    await pw.close();
    assert.equal(out.text, [
      '#1 exporting to client directory',
      '#1 0.100 copying files',
      '#1 copying files 1.2kB 0.1s',
      '#1 copying files 1.2kB 0.2s done',
      '#1 sending tarball 2.05kB 0.2s done',
      '#1 DONE 0.7s',
      '',
    ].join('\n'));
  });
});
