// The solve's status stream (Control.Status) pumped into a progress writer while Solve runs, and drained
// for a while after it returns: the daemon may still be flushing the last vertices then.
import type { BuildkitClient } from '../buildkit/client.js';
import type { ProgressWriter } from '../progress/writer.js';

/** After Solve returns, stop waiting for more status after this much quiet. */
const STATUS_DRAIN_IDLE_MS = 5000;

export async function pumpStatus(client: BuildkitClient, ref: string, progress: ProgressWriter, solveDone: Promise<unknown>, signal: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  let ended = false;
  const arm = () => {
    clearTimeout(idle);
    // The stream may end before Solve returns: then there is nothing left to wait for.
    if (!ended) idle = setTimeout(() => ac.abort(), STATUS_DRAIN_IDLE_MS);
  };
  let finished = false;
  // The rejection itself is handled by the caller; this derived promise must not go unhandled.
  solveDone.finally(() => { finished = true; arm(); }).catch(() => {});
  try {
    for await (const s of client.status(ref, { signal: ac.signal })) {
      progress.write(s);
      // A slow terminal slows the stream instead of growing a backlog in memory.
      await progress.ready?.();
      if (finished) arm();
    }
  } catch (err) {
    // The status stream ends with CANCELLED when we stop draining it; only report other failures
    // while the build itself is still running.
    if (!ac.signal.aborted && !finished) throw err;
  } finally {
    ended = true;
    clearTimeout(idle);
    signal.removeEventListener('abort', onAbort);
  }
}
