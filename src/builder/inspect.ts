// `inspect [NAME]`: resolve the builder, optionally boot it, load every node's live state, render.
import { bootWithDisplay } from './boot.js';
import { resolveBuilder } from './builder.js';
import { formatInspect } from './format-inspect.js';
import { builderLoadError, loadNodeInfo } from './list.js';

export interface InspectOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Boot the nodes first (--bootstrap). */
  bootstrap?: boolean;
  /** Also list driver features (`--debug`); defaults to whether DEBUG is set. */
  debug?: boolean;
}

export async function inspectBuilder(name: string | undefined, opts: InspectOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const b = await resolveBuilder({ name, env, skipValidation: true });
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  if (opts.bootstrap) {
    await bootWithDisplay(b, { signal, env: opts.env });
  }
  // docker's debug switch is the DEBUG variable (what -D sets), so it reaches plugins too.
  const debug = opts.debug ?? Boolean(env.DEBUG);
  const view = { name: b.name, driver: b.driverName, lastActivity: b.lastActivity };
  const failed = builderLoadError(b);
  if (failed) return formatInspect({ ...view, ...failed });
  return formatInspect({ ...view, nodes: await loadNodeInfo(b, signal, { features: debug }) });
}
