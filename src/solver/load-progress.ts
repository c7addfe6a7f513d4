// The `importing to docker` step of a `--load`: the engine's load shown as a vertex, with a status row per
// layer it reports loading (what buildx shows while `docker load` reads the archive).
import { messageError, type EngineMessage, type ImageLoadOptions } from '../docker/image-load.js';
import { withVertex, type VertexLogger } from '../progress/vertex.js';
import type { ProgressWriter } from '../progress/writer.js';

/** Layer rows are refreshed at most this often, as buildx does, so a fast load does not flood the display. */
const LAYER_STATUS_INTERVAL_NS = 2_000_000_000n;

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** Turns `Loading layer` messages into `loading layer <id>` status rows, completed when the load ends. */
export class LayerProgress {
  private rows = new Map<string, { started: bigint; current: number; total: number; shown?: bigint; completed?: bigint }>();

  constructor(private readonly sub: Pick<VertexLogger, 'setStatus'>, private readonly now: () => bigint = nowNs) {}

  update(m: EngineMessage): void {
    if (!m.id || !m.progressDetail) return;
    const id = `loading layer ${m.id}`;
    const t = this.now();
    let row = this.rows.get(id);
    if (!row) {
      row = { started: t, current: 0, total: 0 };
      this.rows.set(id, row);
    }
    if (m.status === 'Loading layer') {
      row.current = m.progressDetail.current ?? 0;
      row.total = m.progressDetail.total ?? 0;
    }
    if (messageError(m)) row.completed = t;
    else if (row.shown !== undefined && t - row.shown < LAYER_STATUS_INTERVAL_NS) return;
    row.shown = t;
    this.emit(id, row, t);
  }

  /** Marks every row still open as done. */
  finish(): void {
    const t = this.now();
    for (const [id, row] of this.rows) {
      if (row.completed !== undefined) continue;
      row.completed = t;
      this.emit(id, row, t);
    }
  }

  private emit(id: string, row: { started: bigint; current: number; total: number; completed?: bigint }, t: bigint): void {
    this.sub.setStatus({ id, name: '', current: row.current, total: row.total, started: row.started, completed: row.completed, timestamp: t });
  }
}

/** ImageLoadStream's `wrap`: the reading of the engine's answer becomes the `importing to docker` vertex. */
export function importingToDocker(progress: ProgressWriter): NonNullable<ImageLoadOptions['wrap']> {
  return (read, signal) => withVertex(progress, 'importing to docker', async (sub) => {
    const layers = new LayerProgress(sub);
    try {
      return await read((m) => layers.update(m));
    } finally {
      layers.finish();
    }
  }, { signal });
}
