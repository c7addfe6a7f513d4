// `ls`: every builder with the live state of its nodes, loaded in parallel.
import { formatPlatform, platformList } from './platforms.js';
import { contextBuilder, listContextNames, type Builder } from './builder.js';
import { currentContextName } from '../docker/context.js';
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
}

export interface BuilderInfo {
  name: string;
  driver: string;
  current: boolean;
  dynamic: boolean;
  nodes: NodeInfo[];
  error?: string;
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
    const info: NodeInfo = { name: n.name, endpoint: n.endpoint, platforms: [] };
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
      info.platforms = platformList([], detected);
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
  const current = await currentContextName({ env });
  const selected = env.BUILDX_BUILDER || current;
  const names = await listContextNames(env);
  const infos = await Promise.all(names.map(async (name): Promise<BuilderInfo> => {
    const b = await contextBuilder(name);
    return { name, driver: b.driverName, current: name === selected, dynamic: false, nodes: await loadNodeInfo(b, signal) };
  }));
  // Builders that failed to load are listed last.
  return [...infos.filter((i) => !i.error), ...infos.filter((i) => i.error)];
}
