// `inspect [NAME]`: resolve the builder, optionally boot it, and load every node's live state.
import { bootBuilderShown } from './boot.js';
import { openStore, resolveBuilderIn, selectedBuilderName } from './builder.js';
import { builderLoadError, loadNodeInfo, type BuilderInfo } from './list.js';
import type { ProgressWriter } from '../progress/writer.js';

export interface InspectOptions {
  env?: NodeJS.ProcessEnv;
  /** For booting and loading the nodes together; default 20 s. */
  timeoutMs?: number;
  /** Boot the nodes first (--bootstrap), showing the boot here; the writer is closed afterwards. */
  bootstrap?: ProgressWriter;
  /** Also list driver features (`--debug`); defaults to whether DEBUG is set. */
  debug?: boolean;
}

export async function inspectBuilder(name: string | undefined, opts: InspectOptions = {}): Promise<BuilderInfo> {
  const env = opts.env ?? process.env;
  // One store transaction for the builder and the current selection (each takes the store's lock).
  const store = await openStore(env);
  const [b, selected] = await store.txn(async (tx) => {
    const builder = await resolveBuilderIn(tx, { name, env, skipValidation: true });
    return [builder, name ? await selectedBuilderName(tx, env) : builder.name] as const;
  });
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  if (opts.bootstrap) await bootBuilderShown(b, opts.bootstrap, signal);
  // docker's debug switch is the DEBUG variable (what -D sets), so it reaches plugins too.
  const debug = opts.debug ?? Boolean(env.DEBUG);
  const info = { name: b.name, driver: b.driverName, current: b.name === selected, dynamic: b.dynamic ?? false, lastActivity: b.lastActivity };
  return { ...info, ...(builderLoadError(b) ?? await loadNodeInfo(b, signal, { features: debug })) };
}
