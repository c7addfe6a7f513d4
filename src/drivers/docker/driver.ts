// The `docker` driver: the Docker Engine's embedded BuildKit, reached through the engine API's
// `/grpc` and `/session` protocol upgrades (protocol.md §2.4, §4.1).
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { BuildkitClient } from '../../buildkit/client.js';
import { resolveContext, type DockerEndpoint } from '../../docker/context.js';
import { EngineError, engineVersion, hijack, ping, type PingResult } from '../../docker/engine.js';
import { pushWithEngine, remoteDigestWithEngine } from '../../docker/image-push.js';
import type { Session } from '../../session/session.js';
import type { Driver, DriverConfig, DriverFactory, DriverStatus, Feature, SessionCloser } from '../driver.js';
import { BuildxError } from '../../util/errors.js';

/**
 * Engines report their own version; buildx shows the BuildKit release embedded in the older ones.
 * Only the lines for engines still met in practice are kept (20.10 and later).
 */
const EMBEDDED_BUILDKIT: [test: (v: number[]) => boolean, version: string][] = [
  [([a, b, c]) => a === 20 && b === 10 && c! <= 2, 'v0.8.1'],
  [([a, b, c]) => a === 20 && b === 10 && c === 3, 'v0.8.1+68bb095'],
  [([a, b, c]) => a === 20 && b === 10 && c! >= 4 && c! <= 6, 'v0.8.2'],
  [([a, b, c]) => a === 20 && b === 10 && c! >= 7 && c! <= 10, 'v0.8.2+244e8cde'],
  [([a, b, c]) => a === 20 && b === 10 && c! >= 11 && c! <= 18, 'v0.8.2+bc07b2b8'],
  [([a, b, c]) => a === 20 && b === 10 && c === 19, 'v0.8.2+3a1eeca5'],
  [([a, b, c]) => a === 20 && b === 10 && c === 20, 'v0.8.2+c0149372'],
  [([a, b, c]) => a === 20 && b === 10 && c! >= 21 && c! <= 23, 'v0.8.2+eeb7b65'],
  [([a, b]) => a === 20 && b === 10, 'v0.8+unknown'],
  [([a, b]) => a === 22 && b === 6, 'v0.10.3'],
  [([a, b, c]) => a === 23 && b === 0 && c === 0, 'v0.10.6'],
  [([a, b, c]) => a === 23 && b === 0 && c === 1, 'v0.10.6+4f0ee09'],
  [([a, b, c]) => a === 23 && b === 0 && c! >= 2 && c! <= 3, 'v0.10.6+70f2ad5'],
  [([a, b, c]) => a === 23 && b === 0 && c! >= 4 && c! <= 6, 'v0.10.6+d52b2d5'],
  [([a]) => a === 23, 'v0.10+unknown'],
];

const GRPC_UNIMPLEMENTED = 12;

/** Set by engines (v24 and later) on their BuildKit worker: the address of the host on the build network. */
const HOST_GATEWAY_LABEL = 'org.mobyproject.buildkit.worker.moby.host-gateway-ip';

/** Set on the BuildKit worker of engines that keep images in containerd. */
const SNAPSHOTTER_LABEL = 'org.mobyproject.buildkit.worker.snapshotter';

const CONTAINERD_STORE_FEATURES: readonly Feature[] = ['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push', 'Prefer image digest'];

export function buildkitVersionOfEngine(engineVersion: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(engineVersion);
  if (m) {
    const parts = m.slice(1, 4).map(Number);
    for (const [test, v] of EMBEDDED_BUILDKIT) if (test(parts)) return v;
  }
  return engineVersion.replace(/-moby$/, '');
}

class DockerDriver implements Driver {
  readonly name = 'docker' as const;
  readonly isMobyDriver = true;
  private endpointPromise?: Promise<DockerEndpoint>;
  private pinged?: Promise<PingResult>;
  private featureSet?: Promise<Set<Feature>>;
  private hostGateway?: Promise<string>;

  constructor(readonly config: DriverConfig) {}

  /** The node endpoint is a docker context name or a daemon URL. */
  endpoint(): Promise<DockerEndpoint> {
    const ep = this.config.endpoint;
    this.endpointPromise ??= /^[a-z]+:\/\//.test(ep) ? Promise.resolve({ contextName: ep, host: ep }) : resolveContext(ep, { env: this.config.env });
    return this.endpointPromise;
  }

  /** One ping per driver: a build asks for the status and then a client, `ls` for status and version. */
  private ping(signal?: AbortSignal): Promise<PingResult> {
    if (!this.pinged) {
      const p = (async () => ping(await this.endpoint(), signal))();
      // A failure is not remembered: the next call asks the engine again.
      p.catch(() => { if (this.pinged === p) this.pinged = undefined; });
      this.pinged = p;
    }
    return this.pinged;
  }

  async bootstrap(): Promise<void> {
    // Nothing to start: the engine is the daemon.
  }

  async status(opts: { signal?: AbortSignal } = {}): Promise<DriverStatus> {
    await this.ping(opts.signal);
    return 'running';
  }

  async version(opts: { signal?: AbortSignal } = {}): Promise<string> {
    // Engines whose BuildKit answers Info (v0.11 and later: dockerd 23+) name the release they embed;
    // older ones only tell their own version, which buildx maps to the BuildKit it shipped with.
    const c = await this.client(opts);
    try {
      return (await c.info({ signal: opts.signal }))?.version ?? '';
    } catch (err) {
      if ((err as { code?: unknown }).code !== GRPC_UNIMPLEMENTED) throw err;
    } finally {
      c.close();
    }
    const ep = await this.endpoint();
    const { apiVersion } = await this.ping(opts.signal);
    const v = await engineVersion(ep, apiVersion, opts.signal).catch((err: unknown) => {
      // Shown as the daemon words it, without the Go client's prefix, as this driver always has.
      throw err instanceof EngineError ? new BuildxError(err.daemonMessage) : err;
    });
    return buildkitVersionOfEngine(v.Version ?? '');
  }

  /**
   * Asked once per driver: an engine on the containerd image store (its BuildKit worker carries the
   * snapshotter label) can export OCI and docker archives, export caches, build several platforms and
   * push by itself; the classic store can only load one single-platform image.
   */
  features(opts: { signal?: AbortSignal } = {}): Promise<Set<Feature>> {
    this.featureSet ??= (async () => {
      let containerdStore = false;
      try {
        const c = await this.client(opts);
        try {
          containerdStore = (await c.listWorkers({ signal: opts.signal })).some((w) => SNAPSHOTTER_LABEL in w.labels);
        } finally {
          c.close();
        }
      } catch {
        // An engine that cannot be asked has none of them, as with buildx.
      }
      const f = new Set<Feature>(['Default load']);
      if (containerdStore) for (const x of CONTAINERD_STORE_FEATURES) f.add(x);
      return f;
    })();
    return this.featureSet;
  }

  /** Asked once per driver, as buildx does: the first worker that carries the engine's label. */
  hostGatewayIP(opts: { signal?: AbortSignal } = {}): Promise<string> {
    this.hostGateway ??= (async () => {
      const c = await this.client(opts);
      let workers;
      try {
        workers = await c.listWorkers({ signal: opts.signal });
      } catch (err) {
        throw new BuildxError(`listing workers: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        c.close();
      }
      for (const w of workers) {
        const v = w.labels[HOST_GATEWAY_LABEL];
        if (!v) continue;
        if (isIP(v) === 0) throw new BuildxError(`failed to parse host-gateway IP: ${v}`);
        return v;
      }
      throw new BuildxError('host-gateway IP not found');
    })();
    return this.hostGateway;
  }

  async pushImage(name: string, auth: Record<string, string>, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { apiVersion } = await this.ping(opts.signal);
    await pushWithEngine(await this.endpoint(), apiVersion, name, auth, opts);
  }

  async remoteDigest(name: string, auth: Record<string, string>, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const { apiVersion } = await this.ping(opts.signal);
    return remoteDigestWithEngine(await this.endpoint(), apiVersion, name, auth);
  }

  async stop(): Promise<void> {}

  async rm(): Promise<void> {}

  async dial(opts: { signal?: AbortSignal } = {}): Promise<Duplex> {
    return (await hijack(await this.endpoint(), '/grpc', 'h2c', [], opts.signal)).socket;
  }

  async client(opts: { signal?: AbortSignal } = {}): Promise<BuildkitClient> {
    await this.ping(opts.signal);
    return BuildkitClient.connect((signal) => this.dial({ signal }));
  }

  async openSession(_client: BuildkitClient, session: Session, opts: { signal?: AbortSignal } = {}): Promise<SessionCloser> {
    const ep = await this.endpoint();
    const { socket } = await hijack(ep, '/session', 'h2c', session.headers(), opts.signal);
    session.serve(socket);
    return async () => {
      socket.end();
      socket.destroy();
    };
  }
}

export const dockerFactory: DriverFactory = {
  name: 'docker',
  usage: 'docker',
  allowsInstances: false,
  async priority(endpoint: string): Promise<number> {
    try {
      // Usable iff the engine answers the /grpc upgrade (protocol.md §2.4).
      const c = await new DockerDriver({ name: endpoint, endpoint, driverOpts: {} }).client();
      c.close();
      return 10;
    } catch {
      return 99;
    }
  },
  async create(cfg: DriverConfig): Promise<Driver> {
    for (const k of Object.keys(cfg.driverOpts)) {
      if (k !== 'default-load') throw new BuildxError(`invalid driver option ${k} for docker driver`);
    }
    return new DockerDriver(cfg);
  },
};
