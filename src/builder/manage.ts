// `use`, `rm` and `stop` (cli.md §4.3, §4.6, §4.7): selection and removal of store instances.
import { contextExists, currentContextName } from '../docker/context.js';
import { BuildxError, toBuildxError } from '../util/errors.js';
import { openStore, resolveBuilder, resolveBuilderIn, storeBuilder, type Builder } from './builder.js';
import { currentEndpointKey } from './endpoint.js';
import type { StoreTxn } from './store.js';

export interface UseOptions {
  default?: boolean;
  global?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function useBuilder(name: string, opts: UseOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const store = await openStore(env);
  await store.txn(async (tx) => {
    const key = await currentEndpointKey(env);
    try {
      await tx.node(name);
    } catch (err) {
      if ((err as { cause?: NodeJS.ErrnoException }).cause?.code !== 'ENOENT') throw new BuildxError(`failed to find instance "${name}": ${(err as Error).message}`);
      const ctx = await currentContextName({ env });
      if (name === 'default' && ctx !== 'default') throw new BuildxError('run `docker context use default` to switch to default context');
      if (name === 'default' || name === ctx) {
        await tx.setCurrent({ Key: key, Name: '', Global: false });
        await tx.setDefault(key, undefined);
        return;
      }
      if (await contextExists(name, { env })) throw new BuildxError(`run \`docker context use ${name}\` to switch to context ${name}`);
      throw err;
    }
    await tx.setCurrent({ Key: key, Name: name, Global: opts.global ?? false });
    await tx.setDefault(key, opts.default ? name : undefined);
  });
}

export interface RemoveOptions {
  keepState?: boolean;
  keepDaemon?: boolean;
  force?: boolean;
  /** The `--builder` flag, used when no names are given. */
  builder?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Receives `<name> removed` / `failed to remove <name>: <err>` lines (stderr in the CLI). */
  log?: (line: string) => void;
}

async function removeOne(tx: StoreTxn, name: string, opts: RemoveOptions): Promise<string> {
  const b: Builder = await resolveBuilderIn(tx, { name, env: opts.env, skipValidation: true });
  if (b.dockerContext) throw new BuildxError(`context builder cannot be removed, run \`docker context rm ${b.name}\` to remove this context`);
  let nodeErr: unknown;
  if (!opts.keepDaemon) {
    for (const n of b.nodes) {
      try {
        await n.driver.rm({ force: true, keepState: opts.keepState ?? false, keepDaemon: false, signal: opts.signal });
      } catch (err) {
        nodeErr = err;
      }
    }
  }
  // The store entry goes even when the daemon could not be removed, as in buildx.
  await tx.remove(b.name);
  if (nodeErr) throw nodeErr;
  return b.name;
}

/** Removes each builder; throws `failed to remove one or more builders` if any failed. */
export async function removeBuilders(names: string[], opts: RemoveOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const targets = names.length ? names : [opts.builder ?? ''];
  const store = await openStore(env);
  let failed = false;
  await store.txn(async (tx) => {
    for (const name of targets) {
      // Without a name the current builder is meant; its name is what buildx reports.
      const shown = name || (await resolveBuilderIn(tx, { env, skipValidation: true }).then((b) => b.name, () => ''));
      try {
        const removed = await removeOne(tx, name, { ...opts, env });
        log(`${name || removed} removed`);
      } catch (err) {
        failed = true;
        log(`failed to remove ${shown}: ${toBuildxError(err).message}`);
      }
    }
  });
  if (failed) throw new BuildxError('failed to remove one or more builders');
}

/** `stop`: stops every node's daemon; nodes without a driver implementation have nothing to stop. */
export async function stopBuilder(name: string | undefined, opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<void> {
  const b = await resolveBuilder({ name, env: opts.env, skipValidation: true });
  let last: unknown;
  for (const n of b.nodes) {
    try {
      await n.driver.stop(true, { signal: opts.signal });
    } catch (err) {
      last = err;
    }
  }
  if (last) throw last;
}


/** `rm --all-inactive`: every non-dynamic store instance none of whose nodes is running. */
export async function removeInactiveBuilders(opts: RemoveOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const store = await openStore(env);
  let failed = false;
  await store.txn(async (tx) => {
    const { groups } = await tx.list();
    for (const g of groups) {
      if (g.Dynamic) continue;
      const b = await storeBuilder(g, tx, env);
      const statuses = await Promise.all(b.nodes.map((n) => n.driver.status({ signal: opts.signal }).catch(() => 'inactive')));
      if (statuses.includes('running')) continue;
      try {
        await removeOne(tx, g.Name, { ...opts, env });
        log(`${g.Name} removed`);
      } catch (err) {
        failed = true;
        log(`failed to remove ${g.Name}: ${toBuildxError(err).message}`);
      }
    }
  });
  if (failed) throw new BuildxError('failed to remove one or more builders');
}
