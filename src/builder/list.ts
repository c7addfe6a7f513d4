// `ls`: every builder with the live state of its nodes, loaded in parallel.
import { setMaxListeners } from 'node:events';
import { formatPlatform, platformList } from './platforms.js';
import { normalizePlatform } from '../flags/platform.js';
import { contextBuilder, listContextNames, openStore, selectedBuilderName, storeBuilder, type Builder, type BuilderNode } from './builder.js';
import { toBuildxError } from '../util/errors.js';
import type { GCPolicyRule, CDIDevice, WorkerInfo } from '../buildkit/convert.js';
import type { DriverStatus, DynamicNode, Feature } from '../drivers/driver.js';
import { featureTable } from '../drivers/feature-table.js';
import { proxyConfig } from './proxy-config.js';

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
  /** Stored config files, base64 (`buildkitd.toml`, `certs/…`). */
  files?: Record<string, string>;
  /** From the workers of a running node: IDs sorted; labels and GC rules of the first worker. */
  ids?: string[];
  labels?: Record<string, string>;
  gcPolicy?: GCPolicyRule[];
  cdiDevices?: CDIDevice[];
  proxyConfig?: Record<string, string>;
  /** `inspect --debug` only: every feature of the driver with its state. */
  features?: [string, boolean][];
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

export interface LoadNodeOptions {
  /** Also ask each driver for its features (inspect --debug). */
  features?: boolean;
  proxyConfig?: Record<string, string>;
}

async function listWorkers(n: BuilderNode, signal: AbortSignal): Promise<WorkerInfo[]> {
  const c = await n.driver.client({ signal });
  try {
    return await withTimeout(c.listWorkers({ signal }), signal);
  } finally {
    c.close();
  }
}

/** What buildx keeps of a node's workers (builder/node.go loadData). */
function applyWorkers(info: NodeInfo, fixed: string[], workers: WorkerInfo[]): void {
  // Normalized as buildx does: dockerd's worker says `linux/arm` where BuildKit's says `linux/arm/v7`.
  const detected = workers.flatMap((w) => w.platforms.map((p) => formatPlatform(normalizePlatform(p))));
  info.platforms = platformList(fixed, detected);
  if (!workers.length) return;
  info.ids = workers.map((w) => w.id).sort();
  const first = workers[0]!;
  if (Object.keys(first.labels).length) info.labels = first.labels;
  if (first.gcPolicy.length) info.gcPolicy = first.gcPolicy;
  const last = workers[workers.length - 1]!;
  if (last.cdiDevices.length) info.cdiDevices = last.cdiDevices;
}

/**
 * Like buildx, a builder whose every node is a running kubernetes workload shows one node per pod:
 * each a copy of its workload's node, with the pod's platform annotation (the node's fixed platforms)
 * in place of the detected ones.
 */
export function expandDynamic(infos: NodeInfo[], dynamic: (DynamicNode[] | undefined)[]): NodeInfo[] | undefined {
  if (!infos.length || dynamic.some((d) => !d?.length)) return undefined;
  return infos.flatMap((info, i) => dynamic[i]!.map((pod): NodeInfo => {
    if (!pod.platforms.length) return { ...info };
    const fixed = info.platforms.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
    return { ...info, platforms: platformList(fixed, pod.platforms) };
  }));
}

/** The live state of `b`'s nodes; `dynamic` when they are its pods (then the builder shows as Dynamic). */
export async function loadNodeInfo(b: Builder, signal: AbortSignal, opts: LoadNodeOptions = {}): Promise<{ nodes: NodeInfo[]; dynamic: boolean }> {
  // Every call of every node watches the one deadline; that is by design, not a leak.
  setMaxListeners(0, signal);
  const loaded = await Promise.all(b.nodes.map((n) => loadOneNode(n, signal, opts)));
  const infos = loaded.map((l) => l.info);
  const pods = expandDynamic(infos, loaded.map((l) => l.pods));
  return pods ? { nodes: pods, dynamic: true } : { nodes: infos, dynamic: b.dynamic ?? false };
}

/** One node's state, and its pods when it is a running kubernetes workload. */
async function loadOneNode(n: BuilderNode, signal: AbortSignal, opts: LoadNodeOptions): Promise<{ info: NodeInfo; pods?: DynamicNode[] }> {
  // Fixed platforms show even for nodes that are not running.
  const fixed = (n.platforms ?? []).map((p) => formatPlatform(p));
  const info: NodeInfo = { name: n.name, endpoint: n.endpoint, platforms: platformList(fixed, []) };
  if (n.driverOpts && Object.keys(n.driverOpts).length) info.driverOpts = n.driverOpts;
  if (n.flags?.length) info.flags = n.flags;
  if (n.files && Object.keys(n.files).length) info.files = n.files;
  if (opts.proxyConfig && Object.keys(opts.proxyConfig).length) info.proxyConfig = opts.proxyConfig;
  let pods: DynamicNode[] | undefined;
  try {
    info.status = await withTimeout(n.driver.status({ signal }), signal);
    if (info.status === 'running') {
      const [version, workers, dynamic] = await Promise.all([
        withTimeout(n.driver.version({ signal }), signal),
        listWorkers(n, signal),
        n.driver.dynamicNodes ? withTimeout(n.driver.dynamicNodes({ signal }), signal) : undefined,
      ]);
      info.version = version;
      applyWorkers(info, fixed, workers);
      pods = dynamic;
    }
  } catch (err) {
    info.error = toBuildxError(err).message;
    return { info };
  }
  if (opts.features) {
    const have = await withTimeout(n.driver.features({ signal }), signal).catch(() => new Set<Feature>());
    info.features = featureTable(n.driver.name, have);
  }
  return { info, pods };
}

const DRIVERS = new Set(['docker', 'docker-container', 'kubernetes', 'remote']);

/**
 * A store instance naming a driver buildx does not know fails as a whole (no node is loaded), with
 * one empty node per stored node, as buildx reports it.
 */
export function builderLoadError(b: Builder): { error: string; nodes: NodeInfo[] } | undefined {
  if (b.dockerContext || DRIVERS.has(b.driverName)) return undefined;
  return { error: `failed to find driver "${b.driverName}"`, nodes: b.nodes.map(() => ({ name: '', endpoint: '', platforms: [] })) };
}

export interface ListOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function listBuilders(opts: ListOptions = {}): Promise<BuilderInfo[]> {
  const env = opts.env ?? process.env;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  const store = await openStore(env);
  const proxy = await proxyConfig(env);
  // Like buildx, the store stays locked while nodes load, so a concurrent create/rm waits for the listing.
  const infos = await store.txn(async (tx) => {
    const selected = await selectedBuilderName(tx, env);
    const { groups } = await tx.list();
    const builders: Builder[] = await Promise.all(groups.map((g) => storeBuilder(g, tx, env)));
    const taken = new Set(groups.map((g) => g.Name));
    for (const name of await listContextNames(env)) if (!taken.has(name)) builders.push({ ...(await contextBuilder(name, env)), lastActivity: await tx.lastActivity(name) });
    return Promise.all(builders.map(async (b): Promise<BuilderInfo> => {
      const info = { name: b.name, driver: b.driverName, current: b.name === selected, dynamic: b.dynamic ?? false, lastActivity: b.lastActivity };
      return { ...info, ...(builderLoadError(b) ?? await loadNodeInfo(b, signal, { proxyConfig: proxy })) };
    }));
  });
  // Builders that failed to load are listed last.
  return [...infos.filter((i) => !i.error), ...infos.filter((i) => i.error)];
}
