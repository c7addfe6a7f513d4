// `ls`: every builder with the live state of its nodes, loaded in parallel.
import { formatPlatform, platformList } from './platforms.js';
import { contextBuilder, listContextNames, openStore, resolveBuilderIn, storeBuilder, type Builder } from './builder.js';
import { toBuildxError } from '../errors.js';
import type { DriverStatus } from '../drivers/driver.js';

export interface NodeInfo {
  name: string;
  endpoint: string;
  status?: DriverStatus;
  version?: string;
  /** Fixed platforms first (with `*`), then detected. */
  platforms: string[];
  error?: string;
  driverOpts?: Record<string, string>;
  flags?: string[];
}

export interface BuilderInfo {
  name: string;
  driver: string;
  current: boolean;
  dynamic: boolean;
  nodes: NodeInfo[];
  error?: string;
  lastActivity?: Date;
}

async function withTimeout<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('context deadline exceeded'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function loadNodeInfo(b: Builder, signal: AbortSignal): Promise<NodeInfo[]> {
  return Promise.all(b.nodes.map(async (n): Promise<NodeInfo> => {
    // Fixed platforms show even for nodes that are not running.
    const fixed = (n.platforms ?? []).map((p) => formatPlatform(p));
    const info: NodeInfo = { name: n.name, endpoint: n.endpoint, platforms: platformList(fixed, []) };
    if (n.driverOpts && Object.keys(n.driverOpts).length) info.driverOpts = n.driverOpts;
    if (n.flags?.length) info.flags = n.flags;
    try {
      info.status = await withTimeout(n.driver.status({ signal }), signal);
      if (info.status !== 'running') return info;
      const [version, workers] = await Promise.all([
        withTimeout(n.driver.version({ signal }), signal),
        (async () => {
          const c = await n.driver.client({ signal });
          try {
            return await withTimeout(c.listWorkers({ signal }), signal);
          } finally {
            c.close();
          }
        })(),
      ]);
      info.version = version;
      const detected = workers.flatMap((w) => (w.platforms ?? []).map((p) => formatPlatform({ os: p.OS ?? '', architecture: p.Architecture ?? '', variant: p.Variant ?? '' })));
      info.platforms = platformList(fixed, detected);
    } catch (err) {
      info.error = toBuildxError(err).message;
    }
    return info;
  }));
}

export interface ListOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function listBuilders(opts: ListOptions = {}): Promise<BuilderInfo[]> {
  const env = opts.env ?? process.env;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  const store = await openStore(env);
  // Like buildx, the store stays locked while nodes load, so a concurrent create/rm waits for the listing.
  const infos = await store.txn(async (tx) => {
    const selected = await resolveBuilderIn(tx, { env, skipValidation: true }).then((b) => b.name, () => '');
    const { groups } = await tx.list();
    const builders: Builder[] = await Promise.all(groups.map((g) => storeBuilder(g, tx)));
    const taken = new Set(groups.map((g) => g.Name));
    for (const name of await listContextNames(env)) if (!taken.has(name)) builders.push(await contextBuilder(name));
    return Promise.all(builders.map(async (b): Promise<BuilderInfo> => ({
      name: b.name, driver: b.driverName, current: b.name === selected, dynamic: b.dynamic ?? false,
      nodes: await loadNodeInfo(b, signal), lastActivity: b.lastActivity,
    })));
  });
  // Builders that failed to load are listed last.
  return [...infos.filter((i) => !i.error), ...infos.filter((i) => i.error)];
}
