// One build on one node: local inputs → session → Control.Solve with the Dockerfile frontend, with the
// status stream fed to the progress writer and exporter outputs delivered through the session.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { BuildkitClient } from '../buildkit/client.js';
import type { Driver } from '../drivers/driver.js';
import { BuildxError, CanceledError, toBuildxError } from '../util/errors.js';
import type { ProgressWriter } from '../progress/writer.js';
import { prepareOutput, type OutputTarget, type PreparedOutput } from './outputs.js';
import { Session } from '../session/session.js';
import { randomId } from '../util/random-id.js';
import type { ExportSink, SecretSource, TransferRecord } from '../session/services.js';
import { contentService } from '../session/content-service.js';
import { prepareLocalCaches } from './cache-local.js';
import { isDirectory, pathExists } from '../util/fs-stat.js';
import { formatSource, sourceLocations, type SourceLocation } from './source-locations.js';

export type ContextInput =
  | { kind: 'dir'; path: string }
  /** A tar (optionally compressed) build context streamed from stdin. */
  | { kind: 'tar-stream'; stream: AsyncIterable<Buffer> }
  /** No files: the Dockerfile came on stdin as plain text. */
  | { kind: 'empty' }
  | { kind: 'url'; url: string };

export type DockerfileInput =
  | { kind: 'file'; path: string }
  | { kind: 'content'; data: Buffer };

export interface ExportRequest {
  /** Exporter type as sent to BuildKit (`moby`, `image`, `local`, `tar`, `oci`, `docker`, …). */
  type: string;
  attrs: Record<string, string>;
  /** Where the client receives the output, for exporters that send it back. */
  output?: OutputTarget;
}

export interface CacheEntry {
  type: string;
  attrs: Record<string, string>;
}

export interface BuildOptions {
  context: ContextInput;
  /** Defaults to `Dockerfile` in the context directory. */
  dockerfile?: DockerfileInput;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
  noCacheFilter?: string[];
  pull?: boolean;
  /** Normalized `os/arch[/variant]` strings. */
  platforms?: string[];
  exports?: ExportRequest[];
  cacheFrom?: CacheEntry[];
  cacheTo?: CacheEntry[];
  entitlements?: string[];
  networkMode?: string;
  extraHosts?: string[];
  shmSize?: number;
  ulimits?: string[];
  cgroupParent?: string;
  secrets?: ReadonlyMap<string, SecretSource>;
  /** Extra frontend attributes, passed through. */
  frontendAttrs?: Record<string, string>;
}

export interface BuildTarget {
  driver: Driver;
  builderName: string;
  nodeName: string;
  /** Per-machine id used in the context's shared key. */
  nodeId: string;
  dockerConfigDir?: string;
}

export interface BuildResult {
  ref: string;
  exporterResponse: Record<string, string>;
  /** `containerimage.config.digest`, else `containerimage.digest`. */
  imageId?: string;
  transfers: TransferRecord[];
}

/** A build failure with what buildx prints above `ERROR:` (failing Dockerfile lines). */
export class BuildFailedError extends BuildxError {
  constructor(message: string, readonly sources: SourceLocation[], exitCode: number, cause?: unknown) {
    super(message, exitCode, { cause });
  }

  /** The Dockerfile excerpts printed before `ERROR:`. */
  preamble(): string {
    return this.sources.map(formatSource).join('');
  }
}

export interface RunOptions {
  progress: ProgressWriter;
  signal?: AbortSignal;
  /** Called as each local directory upload finishes (also when the build later fails). */
  onTransfer?: (r: TransferRecord) => void;
  /** Client-side warnings buildx logs (`WARNING: <text>`), e.g. a local cache import that was skipped. */
  onWarning?: (text: string) => void;
  /** The build's ref (status stream, history, local state); a random one when not given. */
  ref?: string;
}

interface LocalInputs {
  dirs: Map<string, string>;
  attrs: Record<string, string>;
  uploads: Map<string, () => AsyncIterable<Buffer>>;
  sharedKeyBase: string;
  cleanup: () => Promise<void>;
}

async function prepareInputs(opts: BuildOptions, sessionUrlHost: string): Promise<LocalInputs> {
  const dirs = new Map<string, string>();
  const attrs: Record<string, string> = {};
  const uploads = new Map<string, () => AsyncIterable<Buffer>>();
  const temps: string[] = [];
  let sharedKeyBase = '';
  const ctx = opts.context;
  if (ctx.kind === 'dir') {
    const abs = resolve(ctx.path);
    if (!(await isDirectory(abs))) throw new BuildxError(`unable to prepare context: path "${ctx.path}" not found`);
    dirs.set('context', abs);
    sharedKeyBase = basename(abs);
  } else if (ctx.kind === 'empty') {
    const empty = await mkdtemp(join(tmpdir(), 'tsbuildx-ctx-'));
    temps.push(empty);
    dirs.set('context', empty);
    sharedKeyBase = basename(empty);
  } else if (ctx.kind === 'tar-stream') {
    const id = randomId();
    uploads.set(id, () => ctx.stream);
    attrs.context = `http://${sessionUrlHost}/${id}`;
  } else {
    attrs.context = ctx.url;
  }

  const df = opts.dockerfile;
  if (df?.kind === 'content') {
    const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-df-'));
    temps.push(dir);
    await writeFile(join(dir, 'Dockerfile'), df.data);
    dirs.set('dockerfile', dir);
    attrs.filename = 'Dockerfile';
    attrs.dockerfilekey = 'dockerfile';
  } else if (df?.kind === 'file' && (ctx.kind === 'tar-stream' || ctx.kind === 'url') && !isAbsolute(df.path)) {
    // A relative -f names a file inside a context that is not local: the frontend reads it from there.
    attrs.filename = df.path;
  } else if (df?.kind === 'file') {
    const abs = resolve(df.path);
    dirs.set('dockerfile', dirname(abs));
    attrs.filename = basename(abs);
    if (ctx.kind !== 'dir' && ctx.kind !== 'empty') attrs.dockerfilekey = 'dockerfile';
  } else if (ctx.kind === 'dir' || ctx.kind === 'empty') {
    const root = dirs.get('context')!;
    // Go buildx falls back to a lower-case `dockerfile` when only that exists.
    const name = !(await pathExists(join(root, 'Dockerfile'))) && (await pathExists(join(root, 'dockerfile'))) ? 'dockerfile' : 'Dockerfile';
    dirs.set('dockerfile', root);
    attrs.filename = name;
  }
  return {
    dirs, attrs, uploads, sharedKeyBase,
    cleanup: async () => { await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))); },
  };
}

function frontendAttrs(opts: BuildOptions, driver: Driver, local: Record<string, string>): Record<string, string> {
  const a: Record<string, string> = { ...local };
  if (opts.target) a.target = opts.target;
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) a[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(opts.labels ?? {})) a[`label:${k}`] = v;
  if (opts.noCache) a['no-cache'] = '';
  else if (opts.noCacheFilter?.length) a['no-cache'] = opts.noCacheFilter.join(',');
  if (opts.pull) a['image-resolve-mode'] = 'pull';
  else if (driver.isMobyDriver) a['image-resolve-mode'] = 'local';
  if (opts.platforms?.length) a.platform = opts.platforms.join(',');
  if (opts.networkMode === 'host' || opts.networkMode === 'none') a['force-network-mode'] = opts.networkMode;
  if (opts.extraHosts?.length) a['add-hosts'] = opts.extraHosts.join(',');
  if (opts.shmSize) a['shm-size'] = String(opts.shmSize);
  if (opts.ulimits?.length) a.ulimit = opts.ulimits.join(',');
  if (opts.cgroupParent) a['cgroup-parent'] = opts.cgroupParent;
  if (opts.cacheFrom?.length) {
    a['cache-imports'] = JSON.stringify(opts.cacheFrom.map((c) => (Object.keys(c.attrs).length ? { Type: c.type, Attrs: c.attrs } : { Type: c.type })));
  }
  return { ...a, ...(opts.frontendAttrs ?? {}) };
}

/** After Solve returns, the daemon may still be flushing status; stop waiting after this much quiet. */
const STATUS_DRAIN_IDLE_MS = 5000;

async function pumpStatus(client: BuildkitClient, ref: string, progress: ProgressWriter, solveDone: Promise<unknown>, signal: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  let ended = false;
  const arm = () => {
    clearTimeout(idle);
    // The stream may end before Solve returns: then there is nothing left to wait for.
    if (!ended) idle = setTimeout(() => ac.abort(), STATUS_DRAIN_IDLE_MS);
  };
  let finished = false;
  // The rejection itself is handled by the caller; this derived promise must not go unhandled.
  solveDone.finally(() => { finished = true; arm(); }).catch(() => {});
  try {
    for await (const s of client.status(ref, { signal: ac.signal })) {
      progress.write(s);
      // A slow terminal slows the stream instead of growing a backlog in memory.
      await progress.ready?.();
      if (finished) arm();
    }
  } catch (err) {
    // The status stream ends with CANCELLED when we stop draining it; only report other failures
    // while the build itself is still running.
    if (!ac.signal.aborted && !finished) throw err;
  } finally {
    ended = true;
    clearTimeout(idle);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Runs one build on one node and returns the exporter response. */
export async function runBuild(target: BuildTarget, opts: BuildOptions, run: RunOptions): Promise<BuildResult> {
  const signal = run.signal ?? new AbortController().signal;
  if (signal.aborted) throw new CanceledError();
  const local = await prepareInputs(opts, 'buildkit-session');
  const prepared: PreparedOutput[] = [];
  const transfers: TransferRecord[] = [];
  let client: BuildkitClient | undefined;
  let closeSession: (() => Promise<void>) | undefined;
  let session: Session | undefined;
  let ok = false;
  try {
    const exports = opts.exports ?? [];
    const caches = await prepareLocalCaches(opts.cacheFrom ?? [], opts.cacheTo ?? []);
    for (const w of caches.warnings) run.onWarning?.(w);
    const sinks: ExportSink[] = [];
    for (const e of exports) {
      if (!e.output) {
        // Keep indices aligned with SolveRequest.Exporters: the daemon names its target by index.
        sinks.push({ kind: 'stream', open: async () => { throw new BuildxError(`exporter ${e.type} has no client output`); } });
        continue;
      }
      const p = await prepareOutput(e.output, { progress: run.progress, signal });
      prepared.push(p);
      sinks.push(p.sink);
    }
    session = new Session({
      sharedKey: `${local.sharedKeyBase}:${target.nodeId}`,
      dirs: local.dirs,
      exports: exports.some((e) => e.output) ? sinks : [],
      uploads: local.uploads,
      secrets: opts.secrets,
      dockerConfigDir: target.dockerConfigDir,
      methods: caches.stores.size ? contentService(caches.stores) : [],
      onTransfer: (r) => {
        transfers.push(r);
        run.onTransfer?.(r);
      },
    });
    client = await target.driver.client({ signal });
    closeSession = await target.driver.openSession(client, session, { signal });

    const ref = run.ref ?? randomId();
    const exporters = exports.map((e) => ({ Type: e.type, Attrs: e.attrs }));
    const solve = client.solve({
      Ref: ref,
      Session: session.id,
      Frontend: 'dockerfile.v0',
      FrontendAttrs: frontendAttrs({ ...opts, cacheFrom: caches.cacheFrom }, target.driver, local.attrs),
      // Engines with BuildKit < v0.13 only read the single deprecated exporter fields.
      ExporterDeprecated: exporters[0]?.Type ?? '',
      ExporterAttrsDeprecated: exporters[0]?.Attrs ?? {},
      Exporters: exporters,
      Cache: {
        Imports: caches.cacheFrom.map((c) => ({ Type: c.type, Attrs: c.attrs })),
        Exports: caches.cacheTo.map((c) => ({ Type: c.type, Attrs: c.attrs })),
      },
      Entitlements: opts.entitlements ?? [],
    }, { signal });
    const status = pumpStatus(client, ref, run.progress, solve, signal);
    let response: Record<string, string>;
    try {
      response = await solve;
    } catch (err) {
      await status.catch(() => {});
      if (signal.aborted) throw new CanceledError(err);
      const e = toBuildxError(err);
      throw new BuildFailedError(`failed to solve: ${e.message}`, sourceLocations(err), e.exitCode, err);
    }
    await status;
    await caches.finish(response);
    for (const p of prepared) await p.commit();
    ok = true;
    return {
      ref,
      exporterResponse: response,
      imageId: response['containerimage.config.digest'] ?? response['containerimage.digest'],
      transfers,
    };
  } finally {
    if (!ok) await Promise.all(prepared.map((p) => p.discard().catch(() => {})));
    await closeSession?.().catch(() => {});
    session?.close();
    client?.close();
    await local.cleanup();
  }
}

export type { Readable };
