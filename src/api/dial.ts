// `dial-stdio` for programs: a builder's control API over a pair of streams.
import type { Readable, Writable } from 'node:stream';
import { openStore, resolveBuilder, type Builder } from '../builder/builder.js';
import { dialStdio as proxyToBuilder } from '../builder/dial.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';

export interface DialOptions {
  /** A builder name, a resolved builder, or the current one. */
  builder?: string | Builder;
  /** Picks the node that builds for it. */
  platform?: string;
  stdin?: Readable;
  stdout?: Writable;
  /** Where `Proxying to builder` is shown; closed when the proxy ends, with its error. */
  progress?: ProgressWriter;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Proxies the streams (default: this process's stdio) to the builder until the daemon side closes. */
export async function dialStdio(opts: DialOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const progress = opts.progress ?? discardProgress;
  let failure: unknown;
  try {
    const builder = typeof opts.builder === 'object' ? opts.builder : await resolveBuilder({ name: opts.builder, env, contextKey: process.cwd() });
    await (await openStore(env)).txn((tx) => tx.touchActivity(builder.name));
    await proxyToBuilder(builder, {
      platform: opts.platform,
      stdin: opts.stdin ?? process.stdin,
      stdout: opts.stdout ?? process.stdout,
      progress,
      signal: opts.signal,
    });
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    await progress.close(failure);
  }
}
