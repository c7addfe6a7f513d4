// Library steps (loading metadata, exporting, pushing…) shown as vertices of their own, so they appear in
// progress output exactly like BuildKit's: a started record, then a completed one carrying any error.
import { createHash, randomBytes } from 'node:crypto';
import { markLocalTime } from './rawjson.js';
import type { Nanos, SolveStatus, VertexStatus } from './types.js';
import type { ProgressWriter } from './writer.js';

export interface WithVertexOptions {
  /** Local clock, epoch nanoseconds. */
  now?: () => bigint;
  /** When it has fired, a failure is reported as cancelled. */
  signal?: AbortSignal;
}

/** What a wrapped step can report under its vertex. */
export interface VertexLogger {
  readonly digest: string;
  /** Output lines under the vertex (stream 1 stdout, 2 stderr). */
  log(stream: number, data: Buffer | string): void;
  /** A status row (e.g. bytes pushed); `vertex` and a missing `timestamp` are filled in. */
  setStatus(status: Omit<VertexStatus, 'vertex' | 'timestamp'> & { timestamp?: Nanos }): void;
  /** A sub-step shown as a status row that starts now and completes when `fn` settles. */
  wrap<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

function defaultNow(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function solveStatus(part: Partial<SolveStatus>): SolveStatus {
  return { vertexes: [], statuses: [], logs: [], warnings: [], ...part };
}

function errorText(err: unknown, signal: AbortSignal | undefined): string {
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  // Renderers show a vertex as CANCELED only when its error ends like Go's context.Canceled.
  const canceled = signal?.aborted === true || name === 'AbortError' || name === 'CanceledError';
  if (canceled && !msg.endsWith('context canceled')) return 'context canceled';
  return msg === '' ? 'error' : msg;
}

export async function withVertex<T>(
  writer: ProgressWriter,
  name: string,
  fn: (sub: VertexLogger) => Promise<T>,
  opts: WithVertexOptions = {},
): Promise<T> {
  const now = opts.now ?? defaultNow;
  const digest = `sha256:${createHash('sha256').update(randomBytes(32)).digest('hex')}`;
  const started = now();
  writer.write(solveStatus({ vertexes: [markLocalTime({ digest, inputs: [], name, cached: false, started })] }));

  const sub: VertexLogger = {
    digest,
    log(stream, data) {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      writer.write(solveStatus({ logs: [markLocalTime({ vertex: digest, stream, data: buf, timestamp: now() })] }));
    },
    setStatus(status) {
      const st: VertexStatus = { ...status, vertex: digest, timestamp: status.timestamp ?? now() };
      writer.write(solveStatus({ statuses: [markLocalTime(st)] }));
    },
    async wrap<R>(id: string, step: () => Promise<R>): Promise<R> {
      const begin = now();
      const row = (completed?: Nanos): VertexStatus =>
        markLocalTime({ id, vertex: digest, name: '', current: 0, total: 0, timestamp: now(), started: begin, completed });
      writer.write(solveStatus({ statuses: [row()] }));
      try {
        return await step();
      } finally {
        writer.write(solveStatus({ statuses: [row(now())] }));
      }
    },
  };

  let error: string | undefined;
  try {
    return await fn(sub);
  } catch (err) {
    error = errorText(err, opts.signal);
    throw err;
  } finally {
    const completed = now();
    writer.write(solveStatus({ vertexes: [markLocalTime({ digest, inputs: [], name, cached: false, started, completed, error })] }));
  }
}
