// Builder selection and loading (cli.md §2.4). A builder is a named group of nodes, each a driver
// instance; the docker context in use always provides one builder of its own.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerConfigDir } from '../docker/config.js';
import { contextExists, currentContextName, currentEndpoint } from '../docker/context.js';
import type { Driver, DriverConfig, DriverName } from '../drivers/driver.js';
import { getFactory } from '../drivers/index.js';
import { BuildxError } from '../util/errors.js';
import { currentEndpointKey } from './endpoint.js';
import { buildxConfigDir } from './paths.js';
import { Store, type NodeGroup, type OCIPlatform, type StoredNode, type StoreTxn } from './store.js';
import { UnavailableDriver } from '../drivers/unavailable.js';

export interface BuilderNode {
  name: string;
  endpoint: string;
  driver: Driver;
  /** Stored settings (store builders only). */
  platforms?: OCIPlatform[] | null;
  driverOpts?: Record<string, string> | null;
  flags?: string[] | null;
  /** Stored config files (base64), shown by `inspect` and `ls --format json`. */
  files?: StoredNode['Files'];
}

export interface Builder {
  name: string;
  driverName: DriverName;
  /** True for the builder a docker context provides. */
  dockerContext: boolean;
  nodes: BuilderNode[];
  /** Set for store instances. */
  dynamic?: boolean;
  lastActivity?: Date;
}

export interface ResolveOptions {
  /** `--builder`; falls back to $BUILDX_BUILDER. */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** Skip the "other context" check (inspect, stop, rm, ls). */
  skipValidation?: boolean;
  /** The build context's absolute path: which pod a kubernetes builder with `loadbalance=sticky` uses. */
  contextKey?: string;
}

/** The builder of a docker context: one node named like the context, docker driver. */
export async function contextBuilder(contextName: string, env?: NodeJS.ProcessEnv): Promise<Builder> {
  const factory = await getFactory('docker');
  const driver = await factory.create({ name: contextName, endpoint: contextName, driverOpts: {}, env });
  return { name: contextName, driverName: 'docker', dockerContext: true, nodes: [{ name: contextName, endpoint: contextName, driver }] };
}

/** What a stored node tells its driver. */
export function nodeDriverConfig(n: StoredNode, env?: NodeJS.ProcessEnv, contextKey?: string): DriverConfig {
  return {
    name: n.Name, endpoint: n.Endpoint, driverOpts: n.DriverOpts ?? {}, flags: n.Flags ?? undefined, files: n.Files ?? undefined, env,
    platforms: n.Platforms ?? undefined, contextKey,
  };
}

/** A store instance as a Builder; nodes of drivers tsbuildx lacks get a stand-in driver. */
export async function storeBuilder(ng: NodeGroup, tx?: StoreTxn, env?: NodeJS.ProcessEnv, contextKey?: string): Promise<Builder> {
  const nodes = await Promise.all(ng.Nodes.map(async (n): Promise<BuilderNode> => {
    const cfg = nodeDriverConfig(n, env, contextKey);
    let driver: Driver;
    try {
      driver = await (await getFactory(ng.Driver)).create(cfg);
    } catch {
      driver = new UnavailableDriver(ng.Driver as DriverName, cfg);
    }
    return { name: n.Name, endpoint: n.Endpoint, driver, platforms: n.Platforms, driverOpts: n.DriverOpts, flags: n.Flags, files: n.Files };
  }));
  const lastActivity = tx ? await tx.lastActivity(ng.Name) : undefined;
  return { name: ng.Name, driverName: ng.Driver as DriverName, dockerContext: false, nodes, dynamic: ng.Dynamic, lastActivity };
}

/**
 * The builder `current`/`defaults` select for this endpoint key (cli.md §2.4 step 2); undefined means the
 * context's own builder. Like buildx, resolving may rewrite `current`.
 */
export async function currentStoreInstance(tx: StoreTxn, key: string): Promise<NodeGroup | undefined> {
  const cur = await tx.readCurrent();
  const find = async (name: string) => (await tx.exists(name)) ? tx.node(name) : undefined;
  if (cur?.Name) {
    if (cur.Global) {
      const ng = await find(cur.Name);
      if (ng) return ng;
    }
    if (cur.Key === key) return find(cur.Name);
  }
  const def = await tx.readDefault(key);
  if (!def) {
    await tx.setCurrent({ Key: key, Name: '', Global: false });
    return undefined;
  }
  await tx.setCurrent({ Key: key, Name: def, Global: false });
  return find(def);
}

export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  return Store.open(buildxConfigDir(env));
}

export async function resolveBuilder(opts: ResolveOptions = {}): Promise<Builder> {
  const store = await openStore(opts.env ?? process.env);
  return store.txn((tx) => resolveBuilderIn(tx, opts));
}

/** Builds record activity for context builders too (`activity/<context>`). */
async function withActivity(tx: StoreTxn, b: Builder): Promise<Builder> {
  return { ...b, lastActivity: await tx.lastActivity(b.name) };
}

/** resolveBuilder for callers already holding the store lock (rm, ls). */
export async function resolveBuilderIn(tx: StoreTxn, opts: ResolveOptions = {}): Promise<Builder> {
  const env = opts.env ?? process.env;
  const name = opts.name || env.BUILDX_BUILDER || '';
  const current = await currentContextName({ env });
  if (name) {
    if (name !== 'default' && (await tx.exists(name))) return storeBuilder(await tx.node(name), tx, env, opts.contextKey);
  } else {
    const ng = await currentStoreInstance(tx, await currentEndpointKey(env));
    return ng ? storeBuilder(ng, tx, env, opts.contextKey) : withActivity(tx, await contextBuilder(current, env));
  }
  if (name === 'default' || (await contextExists(name, { env }))) {
    const ctx = name === 'default' ? 'default' : name;
    if (!opts.skipValidation && ctx !== current && !(ctx === 'default' && current === 'default')) {
      throw new BuildxError(`use \`docker --context=${ctx} buildx\` to switch to context "${ctx}"`);
    }
    return withActivity(tx, await contextBuilder(ctx, env));
  }
  throw new BuildxError(`no builder "${name}" found`);
}

/** The name of the builder a command without `--builder` would use ('' when none resolves), as `ls` marks it. */
export async function selectedBuilderName(tx: StoreTxn, env: NodeJS.ProcessEnv): Promise<string> {
  return resolveBuilderIn(tx, { env, skipValidation: true }).then((b) => b.name, () => '');
}

/** Every docker context, `default` first, as `ls` lists them. */
export async function listContextNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dir = join(dockerConfigDir({ env }), 'contexts', 'meta');
  const names: string[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    // no contexts besides the default one
  }
  for (const e of entries) {
    try {
      const meta = JSON.parse(await readFile(join(dir, e, 'meta.json'), 'utf8')) as { Name?: string };
      if (meta.Name) names.push(meta.Name);
    } catch {
      // a broken context entry is skipped, as docker itself does
    }
  }
  return ['default', ...names.sort()];
}

export { currentEndpoint };
