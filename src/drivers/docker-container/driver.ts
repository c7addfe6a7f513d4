// The `docker-container` driver: buildkitd in a container that the driver creates on a docker engine,
// reached through `docker exec <container> buildctl dial-stdio`; the session travels inside that
// control connection (protocol.md §4.2, cli.md §3.1).
import { BuildkitClient } from '../../buildkit/client.js';
import type { Duplex } from 'node:stream';
import { openTunnelSession } from '../../buildkit/session-tunnel.js';
import { resolveContext, type DockerEndpoint } from '../../docker/context.js';
import { ping } from '../../docker/engine.js';
import { execRun, execStream, type ExecTarget } from '../../docker/exec.js';
import { BuildxError } from '../../util/errors.js';
import type { Session } from '../../session/session.js';
import type { BootstrapProgress, Driver, DriverConfig, DriverFactory, DriverStatus, Feature, SessionCloser } from '../driver.js';
import { ContainerEngine } from './engine.js';
import { bootContainer } from './boot.js';
import { parseContainerOptions, type ContainerOptions } from './options.js';
import { containerName, stateVolumeName } from './spec.js';

/** The engine connection is shared by every call of a driver, so it must not die with one caller's signal. */
const PING_TIMEOUT_MS = 20_000;

/** A node's endpoint is a docker context name or a daemon URL. */
function resolveEndpoint(endpoint: string, env?: NodeJS.ProcessEnv): Promise<DockerEndpoint> {
  return /^[a-z]+:\/\//.test(endpoint) ? Promise.resolve({ contextName: endpoint, host: endpoint }) : resolveContext(endpoint, { env });
}

/** `buildkitd github.com/moby/buildkit v0.32.2 <commit>` → `v0.32.2`; locally built daemons omit the commit. */
export function parseBuildkitdVersion(out: string): string {
  const f = out.trim().split(/\s+/);
  if (f.length !== 4 && f.length !== 3) throw new BuildxError(`unexpected version format: ${out}`);
  return f[2]!;
}

class ContainerDriver implements Driver {
  readonly name = 'docker-container' as const;
  readonly isMobyDriver = false;
  readonly container: string;
  private enginePromise?: Promise<ContainerEngine>;
  private booting?: Promise<void>;

  constructor(readonly config: DriverConfig, private readonly opts: ContainerOptions) {
    this.container = containerName(config.name);
  }

  private engine(): Promise<ContainerEngine> {
    if (!this.enginePromise) {
      const p = (async () => {
        const ep = await resolveEndpoint(this.config.endpoint, this.config.env);
        const { apiVersion } = await ping(ep, AbortSignal.timeout(PING_TIMEOUT_MS));
        return new ContainerEngine(ep, apiVersion);
      })();
      // A failed connection is not remembered: the next call tries again.
      p.catch(() => { if (this.enginePromise === p) this.enginePromise = undefined; });
      this.enginePromise = p;
    }
    return this.enginePromise;
  }

  private target(e: ContainerEngine): ExecTarget {
    return { ep: e.ep, apiVersion: e.apiVersion, container: this.container };
  }

  /** Concurrent boots in one process share one attempt. */
  bootstrap(progress: BootstrapProgress, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.booting ??= (async () => {
      const engine = await this.engine();
      const target = this.target(engine);
      await bootContainer({
        cfg: this.config, opts: this.opts, engine, container: this.container, progress, signal: opts.signal,
        run: (cmd, signal) => execRun(target, cmd, { signal }),
      });
    })().finally(() => { this.booting = undefined; });
    return this.booting;
  }

  async status(opts: { signal?: AbortSignal } = {}): Promise<DriverStatus> {
    const s = await (await this.engine()).inspect(this.container, opts.signal);
    if (!s) return 'inactive';
    return s.running ? 'running' : 'stopped';
  }

  async version(opts: { signal?: AbortSignal } = {}): Promise<string> {
    // The control API knows its version; daemons too old to answer Info are asked on the command line.
    const c = await this.client();
    try {
      const v = (await c.info({ signal: opts.signal }))?.version;
      if (v) return v;
    } catch (err) {
      if (opts.signal?.aborted) throw err;
    } finally {
      c.close();
    }
    const r = await execRun(this.target(await this.engine()), ['buildkitd', '--version'], { signal: opts.signal });
    if (r.exitCode !== 0) throw new BuildxError(`${r.stderr.trim() ? `${r.stderr.trim()}: ` : ''}exit code ${r.exitCode}`);
    return parseBuildkitdVersion(r.stdout);
  }

  async features(): Promise<Set<Feature>> {
    const f = new Set<Feature>(['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push']);
    if (this.opts.defaultLoad) f.add('Default load');
    return f;
  }

  async stop(_force: boolean, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const e = await this.engine();
    const s = await e.inspect(this.container, opts.signal);
    if (s?.running) await e.stop(this.container, opts.signal);
  }

  async rm(opts: { force: boolean; keepState: boolean; keepDaemon: boolean; signal?: AbortSignal }): Promise<void> {
    if (opts.keepDaemon) return;
    const e = await this.engine();
    const s = await e.inspect(this.container, opts.signal);
    // Without a container there is no state of ours to remove: a volume left by `rm --keep-state` is
    // kept on purpose, for a later builder of the same name.
    if (!s) return;
    await e.remove(this.container, opts.force, opts.signal);
    const volume = stateVolumeName(this.config.name);
    if (!opts.keepState && s.volumes.includes(volume)) await e.removeVolume(volume, opts.signal);
  }

  async dial(opts: { signal?: AbortSignal } = {}): Promise<Duplex> {
    // buildctl dial-stdio writes to stderr only when it cannot reach buildkitd, which the client then
    // reports as an unavailable daemon; its stderr is dropped rather than printed.
    return execStream(this.target(await this.engine()), ['buildctl', 'dial-stdio'], { signal: opts.signal });
  }

  async client(): Promise<BuildkitClient> {
    return BuildkitClient.connect((signal) => this.dial({ signal }));
  }

  async openSession(client: BuildkitClient, session: Session, opts: { signal?: AbortSignal } = {}): Promise<SessionCloser> {
    return openTunnelSession(client, session, opts);
  }
}

export const containerFactory: DriverFactory = {
  name: 'docker-container',
  usage: 'docker-container',
  allowsInstances: true,
  async priority(endpoint: string): Promise<number> {
    try {
      await resolveEndpoint(endpoint);
      return 30;
    } catch {
      return 70;
    }
  },
  async create(cfg: DriverConfig): Promise<Driver> {
    return new ContainerDriver(cfg, parseContainerOptions(cfg.driverOpts));
  },
};
