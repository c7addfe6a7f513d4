// Booting a builder's nodes before they are used: every node that is not running is bootstrapped
// under its own `[internal] booting buildkit` vertex, so a first build shows the container being
// created the way buildx does (as step #1 of the build's progress).
import type { Driver, DriverStatus } from '../drivers/driver.js';
import { BuildxError, CanceledError } from '../util/errors.js';
import { withVertex } from '../progress/vertex.js';
import type { ProgressWriter } from '../progress/writer.js';
import type { Builder } from './builder.js';

export const BOOT_VERTEX_NAME = '[internal] booting buildkit';

/** A remote daemon is not started by us, only waited for; buildx names that step differently. */
function bootVertexName(driver: Driver): string {
  return driver.name === 'remote' ? '[internal] waiting for connection' : BOOT_VERTEX_NAME;
}

/** Boots one driver if it is not running (`known`: its status, when the caller has it); true when a bootstrap ran. */
export async function bootDriver(driver: Driver, progress: ProgressWriter, signal?: AbortSignal, known?: DriverStatus): Promise<boolean> {
  const status = known ?? await driver.status({ signal });
  if (status === 'running') return false;
  // A timeout (create/inspect --timeout) is a failure like buildx's deadline, not a user cancel.
  const stopped = (err: unknown): Error => {
    if ((signal?.reason as Error | undefined)?.name === 'TimeoutError') return new BuildxError('context deadline exceeded', 1, { cause: err });
    return new CanceledError(err);
  };
  await withVertex(progress, bootVertexName(driver), async (sub) => {
    try {
      await driver.bootstrap(sub, { signal });
    } catch (err) {
      throw signal?.aborted ? stopped(err) : err;
    }
  });
  return true;
}

/**
 * Boots every node of `builder` in parallel. Like buildx, the first failure is reported, prefixed with
 * the node it came from when the builder has several.
 */
export async function bootBuilder(builder: Builder, progress: ProgressWriter, signal?: AbortSignal): Promise<boolean> {
  const results = await Promise.allSettled(builder.nodes.map((n) => bootDriver(n.driver, progress, signal)));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const err = (results[failed] as PromiseRejectedResult).reason as unknown;
    if (err instanceof CanceledError || builder.nodes.length === 1) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new BuildxError(`failed to boot ${builder.nodes[failed]!.name}: ${msg}`, 1, { cause: err });
  }
  return results.some((r) => r.status === 'fulfilled' && r.value);
}

/** bootBuilder for a caller that hands over its writer: it is closed when booting ends, with the error. */
export async function bootBuilderShown(builder: Builder, progress: ProgressWriter, signal?: AbortSignal): Promise<boolean> {
  let booted: boolean;
  try {
    booted = await bootBuilder(builder, progress, signal);
  } catch (err) {
    await progress.close(err);
    throw err;
  }
  await progress.close();
  return booted;
}
