// The `importing to docker` step's layer rows: throttled like buildx's, completed when the load ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineMessage } from '../../../src/docker/image-load.js';
import type { VertexStatus } from '../../../src/progress/types.js';
import { LayerProgress } from '../../../src/solver/load-progress.js';

describe('LayerProgress', () => {
  it('shows a layer at once, then at most every 2 s, and completes every row at the end', () => {
    const rows: Partial<VertexStatus>[] = [];
    let t = 1_000_000_000n;
    const p = new LayerProgress({ setStatus: (s) => rows.push(s) }, () => t);
    const msg = (id: string, current: number): EngineMessage => ({ status: 'Loading layer', id, progressDetail: { current, total: 100 } });
    p.update(msg('a', 10));
    t += 500_000_000n;
    p.update(msg('a', 20)); // throttled
    p.update({ status: 'Loaded image: x', stream: 'x' }); // no id: ignored
    t += 2_000_000_000n;
    p.update(msg('a', 90));
    p.update(msg('b', 5));
    p.update({ id: 'b', progressDetail: {}, error: 'bad layer' });
    t += 1n;
    p.finish();
    assert.deepEqual(rows.map((r) => [r.id, r.current, r.completed !== undefined]), [
      ['loading layer a', 10, false],
      ['loading layer a', 90, false],
      ['loading layer b', 5, false],
      ['loading layer b', 5, true],
      ['loading layer a', 90, true],
    ]);
    assert.equal(rows[0]!.started, 1_000_000_000n);
  });
});
