// `du` and `prune` (cli.md §4.8, §4.9): the build cache of every node of a builder, read or pruned
// through each node's control API. Filters are checked before the builder is touched.
import type { BuildkitClient, UsageRecord } from '../buildkit/client.js';
import { dockerConfigDir, readDockerConfig } from '../docker/config.js';
import { mergePruneFilters, parseFilterArgs, toBuildkitPruneInfo, type BuildkitPruneInfo } from '../flags/prune-filter.js';
import { BuildxError, toBuildxError } from '../util/errors.js';
import { resolveBuilder, type Builder } from './builder.js';

export type { UsageRecord };

export interface DiskUsageOptions {
  /** `--builder`; falls back to $BUILDX_BUILDER and the current builder. */
  builder?: string;
  /** `--filter` values (`type=regular`, `id=abc`, `description~=foo`, …). */
  filters?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Bounds loading the builder's nodes (`--timeout`, default 20 s); not the calls themselves. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PruneOptions extends DiskUsageOptions {
  /** `--all`: internal and frontend records too. */
  all?: boolean;
  /** `--reserved-space` (alias `--keep-storage`), bytes. */
  reservedSpace?: number;
  /** `--max-used-space`, bytes; needs BuildKit v0.17+. */
  maxUsedSpace?: number;
  /** `--min-free-space`, bytes; needs BuildKit v0.17+. */
  minFreeSpace?: number;
}

function describe(err: unknown): string {
  return toBuildxError(err).message;
}

/** The BuildKit filter of `du`/`prune` filter flags, `prune` adding the docker config's `pruneFilters`. */
export async function pruneInfo(filters: readonly string[], opts: { withConfig: boolean; env?: NodeJS.ProcessEnv }): Promise<BuildkitPruneInfo> {
  let args = parseFilterArgs(filters);
  if (opts.withConfig) args = mergePruneFilters(args, (await readDockerConfig(dockerConfigDir({ env: opts.env }))).pruneFilters);
  return toBuildkitPruneInfo(args);
}

/** Resolves the builder and checks that each node loads, as buildx's LoadNodes under `--timeout`. */
async function loadNodes(opts: DiskUsageOptions): Promise<Builder> {
  const b = await resolveBuilder({ name: opts.builder, env: opts.env });
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  for (const r of await Promise.allSettled(b.nodes.map((n) => n.driver.status({ signal })))) {
    if (r.status === 'rejected') throw toBuildxError(r.reason);
  }
  return b;
}

async function withClient<T>(b: Builder, fn: (c: BuildkitClient) => Promise<T>): Promise<T[]> {
  return Promise.all(b.nodes.map(async (n) => {
    const c = await n.driver.client();
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  }));
}

/** Every cache record of every node of the builder, node by node, each node's largest first. */
export async function diskUsage(opts: DiskUsageOptions = {}): Promise<UsageRecord[]> {
  const info = await pruneInfo(opts.filters ?? [], { withConfig: false, env: opts.env });
  const b = await loadNodes(opts);
  const perNode = await withClient(b, async (c) => {
    try {
      return await c.diskUsage(info.filter, { signal: opts.signal });
    } catch (err) {
      throw new BuildxError(`failed to call diskusage: ${describe(err)}`, toBuildxError(err).exitCode, { cause: err });
    }
  });
  return perNode.flat();
}

/** A checked prune: filters and limits are valid; `run` removes the records. */
export interface PreparedPrune {
  run(onRecord: (r: UsageRecord) => void): Promise<void>;
}

/** Checks the filters (nothing is contacted) and returns the prune to run, e.g. after a confirmation. */
export async function preparePrune(opts: PruneOptions = {}): Promise<PreparedPrune> {
  const info = await pruneInfo(opts.filters ?? [], { withConfig: true, env: opts.env });
  return {
    run: async (onRecord) => {
      const b = await loadNodes(opts);
      await withClient(b, async (c) => {
        if (opts.maxUsedSpace || opts.minFreeSpace) await requireFreeSpaceFilters(c, opts.signal);
        const req = {
          filter: info.filter, all: opts.all ?? false, keepDuration: Number(info.keepDurationNs),
          reservedSpace: opts.reservedSpace ?? 0, maxUsedSpace: opts.maxUsedSpace ?? 0, minFreeSpace: opts.minFreeSpace ?? 0,
        };
        const stream = c.prune(req, { signal: opts.signal });
        // grpc-js reports a failed call on the first read; BuildKit's client wraps only that one.
        let first = true;
        try {
          for await (const r of stream) {
            first = false;
            onRecord(r);
          }
        } catch (err) {
          if (!first) throw toBuildxError(err);
          throw new BuildxError(`failed to call prune: ${describe(err)}`, toBuildxError(err).exitCode, { cause: err });
        }
      });
    },
  };
}

/** Prunes the builder's cache; yields each deleted record as a node reports it. */
export async function* prune(opts: PruneOptions = {}): AsyncGenerator<UsageRecord> {
  const p = await preparePrune(opts);
  const queue: UsageRecord[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: unknown;
  void p.run((r) => { queue.push(r); wake?.(); }).then(() => { done = true; wake?.(); }, (err: unknown) => { failure = err; done = true; wake?.(); });
  for (;;) {
    while (queue.length) yield queue.shift()!;
    if (done) break;
    await new Promise<void>((resolve) => { wake = resolve; });
    wake = undefined;
  }
  while (queue.length) yield queue.shift()!;
  if (failure) throw failure;
}

/**
 * buildx asks the gateway for the `gc.freespacefilter` capability, new in BuildKit v0.17; the
 * daemon's version says the same (an engine too old to answer Info is older than that).
 */
async function requireFreeSpaceFilters(c: BuildkitClient, signal?: AbortSignal): Promise<void> {
  let version = '';
  try {
    version = (await c.info({ signal }))?.version ?? '';
  } catch {
    // UNIMPLEMENTED on dockerd 20.10's BuildKit
  }
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m || (Number(m[1]) === 0 && Number(m[2]) < 17)) throw new BuildxError('buildkit v0.17.0+ is required for max-used-space and min-free-space filters');
}

export { checkFilterFlag, parseGoDurationNs } from '../flags/prune-filter.js';
export { ramInBytes } from '../util/go-units.js';
