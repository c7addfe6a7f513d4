// Retrying an exec whose connection failed for a passing reason: a node marked Ready before its serving
// certificate is approved refuses or resets connections for a moment (buildx#2668).
import { BuildxError } from '../../util/errors.js';

const ATTEMPTS = 5;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** The Error inside what the WebSocket library rejects with (an ErrorEvent, not an Error). */
export function connectError(e: unknown): Error {
  if (e instanceof Error) return e;
  const ev = e as { error?: unknown; message?: unknown };
  if (ev?.error instanceof Error) return ev.error;
  return new Error(typeof ev?.message === 'string' ? ev.message : String(e));
}

export function isTransient(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return /socket hang up|tls: internal error|timed? ?out/i.test(err.message);
}

export function backoffMs(attempt: number): number {
  return Math.min(2 ** attempt * BASE_DELAY_MS, MAX_DELAY_MS);
}

export async function connectWithRetry<T>(pod: string, connect: () => Promise<T>, signal?: AbortSignal, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  let last: Error = new Error('not connected');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await connect();
    } catch (e) {
      last = connectError(e);
      if (signal?.aborted || !isTransient(last)) throw new BuildxError(last.message, 1, { cause: last });
      if (attempt < ATTEMPTS - 1) await sleep(backoffMs(attempt));
    }
  }
  throw new BuildxError(`failed to connect to pod ${pod} after ${ATTEMPTS} attempts: ${last.message}`, 1, { cause: last });
}
