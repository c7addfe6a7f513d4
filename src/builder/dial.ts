// `dial-stdio`: one raw connection to a builder's control API, chosen by platform, proxied to a pair of
// streams. Other tools speak BuildKit's gRPC over it as if they had dialed the daemon themselves.
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Driver } from '../drivers/driver.js';
import { normalizePlatform, parsePlatform, type Platform } from '../flags/platform.js';
import { withVertex } from '../progress/vertex.js';
import type { ProgressWriter } from '../progress/writer.js';
import { BuildxError } from '../util/errors.js';
import { bootDriver } from './boot.js';
import type { Builder, BuilderNode } from './builder.js';

export interface DialStdioOptions {
  /** Selects the node that can build for it (`--platform`); the first usable node otherwise. */
  platform?: string;
  stdin: Readable;
  stdout: Writable;
  progress: ProgressWriter;
  signal?: AbortSignal;
}

/** `--platform` as buildx reads it: a bad value is refused before anything is dialed. */
export function parseDialPlatform(value: string | undefined): Platform | undefined {
  if (!value) return undefined;
  try {
    return parsePlatform(value);
  } catch (err) {
    throw new BuildxError(`invalid platform "${value}": ${(err as Error).message}`, 1, { cause: err });
  }
}

function samePlatform(want: Platform, have: Platform): boolean {
  const a = normalizePlatform(want);
  const b = normalizePlatform(have);
  return a.os === b.os && a.architecture === b.architecture && (!a.variant || !b.variant || a.variant === b.variant);
}

/** What a node builds for: the platforms it was created with, else what its workers report. */
async function nodePlatforms(node: BuilderNode, signal?: AbortSignal): Promise<Platform[]> {
  const fixed = (node.platforms ?? []).map((p) => ({ os: p.os, architecture: p.architecture, variant: p.variant }));
  if (fixed.length > 0) return fixed;
  const client = await node.driver.client({ signal });
  try {
    return (await client.listWorkers({ signal })).flatMap((w) => w.platforms);
  } finally {
    client.close();
  }
}

async function pickDriver(builder: Builder, platform: Platform | undefined, progress: ProgressWriter, signal?: AbortSignal): Promise<Driver> {
  if (builder.nodes.length === 0) throw new BuildxError('no nodes available');
  let lastError: unknown;
  for (const node of builder.nodes) {
    try {
      await bootDriver(node.driver, progress, signal);
      if (platform && !(await nodePlatforms(node, signal)).some((p) => samePlatform(platform, p))) continue;
      return node.driver;
    } catch (err) {
      if (signal?.aborted) throw err;
      lastError = err;
    }
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new BuildxError(`no nodes available${why}`, 1, { cause: lastError });
}

/** Copies both ways until the daemon side ends; the client closing its side only half-closes ours. */
function proxy(conn: Duplex, stdin: Readable, stdout: Writable, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => { conn.destroy(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: Error | null): void => {
      signal?.removeEventListener('abort', onAbort);
      stdin.unpipe(conn);
      conn.destroy();
      if (signal?.aborted) reject(signal.reason as Error);
      else if (err && (err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
      else resolve();
    };
    stdin.pipe(conn, { end: true });
    conn.pipe(stdout, { end: false });
    conn.once('end', () => finish());
    conn.once('close', () => finish());
    conn.once('error', finish);
    stdout.once('error', finish);
  });
}

/**
 * Proxies `stdin`/`stdout` to the builder until the daemon closes the connection, shown as buildx shows
 * it: a `Proxying to builder` step with `Dialing builder` under it.
 */
export async function dialStdio(builder: Builder, opts: DialStdioOptions): Promise<void> {
  const platform = parseDialPlatform(opts.platform);
  const { progress, signal } = opts;
  const driver = await pickDriver(builder, platform, progress, signal);
  await withVertex(progress, 'Proxying to builder', async (sub) => {
    const conn = await sub.wrap('Dialing builder', () => driver.dial({ signal }));
    await proxy(conn, opts.stdin, opts.stdout, signal);
  }, { signal });
}
