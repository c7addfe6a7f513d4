// One build on one node: local inputs → session → Control.Solve with the Dockerfile frontend, with the
// status stream fed to the progress writer and exporter outputs delivered through the session.
import type { BuildkitClient } from '../buildkit/client.js';
import type { Driver } from '../drivers/driver.js';
import type { CacheEntry } from '../flags/index.js';
import type { ProgressWriter } from '../progress/writer.js';
import { contentService } from '../session/content-service.js';
import type { ExportSink } from '../session/filesend.js';
import type { TransferRecord } from '../session/filesync.js';
import type { SecretSource } from '../session/secrets.js';
import type { AgentSource } from '../session/ssh-agent.js';
import { Session } from '../session/session.js';
import { BuildxError, CanceledError, toBuildxError } from '../util/errors.js';
import { randomId } from '../util/random-id.js';
import { prepareLocalCaches } from './cache-local.js';
import { pushWithMoby } from './moby-push.js';
import { frontendAttrs, type FrontendOptions } from './frontend-attrs.js';
import { prepareLocalInputs, type BuildInputs } from './inputs.js';
import { prepareOutput, type OutputTarget, type PreparedOutput } from './outputs.js';
import { formatSource, sourceLocations, type SourceLocation } from './source-locations.js';
import { pumpStatus } from './status.js';

export interface ExportRequest {
  /** Exporter type as sent to BuildKit (`moby`, `image`, `local`, `tar`, `oci`, `docker`, …). */
  type: string;
  attrs: Record<string, string>;
  /** Where the client receives the output, for exporters that send it back. */
  output?: OutputTarget;
}

/** One solve: what is read locally, how the frontend builds it, and where the results go. */
export interface SolveOptions extends FrontendOptions, BuildInputs {
  exports?: ExportRequest[];
  cacheTo?: CacheEntry[];
  entitlements?: string[];
  secrets?: ReadonlyMap<string, SecretSource>;
  ssh?: ReadonlyMap<string, AgentSource>;
}

export interface SolveTarget {
  driver: Driver;
  builderName: string;
  nodeName: string;
  /** Per-machine id used in the context's shared key. */
  nodeId: string;
  dockerConfigDir?: string;
  /** The caller's environment (credential helpers, BUILDKIT_NO_CLIENT_TOKEN). */
  env?: NodeJS.ProcessEnv;
}

export interface SolveResult {
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

export interface SolveRunOptions {
  progress: ProgressWriter;
  signal?: AbortSignal;
  /** Called as each local directory upload finishes (also when the build later fails). */
  onTransfer?: (r: TransferRecord) => void;
  /** Client-side warnings buildx logs (`WARNING: <text>`), e.g. a local cache import that was skipped. */
  onWarning?: (text: string) => void;
  /** The build's ref (status stream, history, local state); a random one when not given. */
  ref?: string;
}

/** Runs one build on one node and returns the exporter response. */
export async function runBuild(target: SolveTarget, opts: SolveOptions, run: SolveRunOptions): Promise<SolveResult> {
  const signal = run.signal ?? new AbortController().signal;
  if (signal.aborted) throw new CanceledError();
  const local = await prepareLocalInputs(opts, 'buildkit-session');
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
      ssh: opts.ssh,
      dockerConfigDir: target.dockerConfigDir,
      env: target.env,
      progress: run.progress,
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
      FrontendAttrs: frontendAttrs({ ...opts, cacheFrom: caches.cacheFrom }, target.driver.isMobyDriver, local.attrs),
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
    // An engine that names images by manifest digest gets that digest as the image id, as buildx gives it.
    if (exports.some((e) => e.attrs['prefer-image-digest'] === 'true')) delete response['containerimage.config.digest'];
    const pushed = await pushWithMoby(target.driver, exports, { progress: run.progress, signal, dockerConfigDir: target.dockerConfigDir, env: target.env });
    if (pushed) {
      // The engine's BuildKit reported the image it stored; the digest is the one the registry now has.
      if (response['containerimage.digest'] !== undefined) response['containerimage.config.digest'] ??= response['containerimage.digest'];
      response['containerimage.digest'] = pushed;
    }
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

