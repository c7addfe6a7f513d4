// The one interface every driver implements (docker, docker-container, kubernetes, remote).
// A driver's only product is a connected BuildKit client; drivers never print.
import type { Duplex } from 'node:stream';
import type { BuildkitClient } from '../buildkit/client.js';
import type { Session } from '../session/session.js';

export type DriverName = 'docker' | 'docker-container' | 'kubernetes' | 'remote';

export type DriverStatus = 'inactive' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Capabilities, named exactly as buildx names them (driver/features.go). */
export type Feature =
  | 'OCI exporter'
  | 'Docker exporter'
  | 'Cache export'
  | 'Direct push'
  | 'Multi-platform build'
  | 'Default load'
  /** The engine names images by manifest digest (containerd image store); only the docker driver has it. */
  | 'Prefer image digest';

/**
 * Where a driver reports bootstrap sub-steps (`creating container …`) and log lines (the daemon's last
 * logs on failure); the caller shows them under an `[internal] booting buildkit` vertex.
 */
export interface BootstrapProgress {
  wrap<T>(name: string, fn: () => Promise<T>): Promise<T>;
  log(stream: number, data: Buffer | string): void;
}

/** For callers that show nothing while booting. */
export const silentBootstrap: BootstrapProgress = {
  wrap: (_name, fn) => fn(),
  log: () => {},
};

export interface DriverConfig {
  name: string;
  endpoint: string;
  driverOpts: Record<string, string>;
  /** The node's stored buildkitd flags (drivers that start the daemon pass them on). */
  flags?: string[];
  /** The node's stored config files, base64: `buildkitd.toml`, `certs/<host>/<file>`. */
  files?: Record<string, string>;
  /** The environment docker context names resolve in (DOCKER_HOST, DOCKER_CONFIG); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The node's stored platforms (kubernetes records them on its pods). */
  platforms?: DriverPlatform[];
  /**
   * What `loadbalance=sticky` hashes to pick a kubernetes pod: the build context's absolute path,
   * '' for commands without a context (as buildx).
   */
  contextKey?: string;
}

export interface DriverPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A node that exists only at run time: each running pod of a kubernetes builder. */
export interface DynamicNode {
  name: string;
  /** From the pod's platform annotation, formatted (`linux/arm64`). */
  platforms: string[];
}

/** How a session reaches the daemon; returns a function that closes it. */
export type SessionCloser = () => Promise<void>;

export interface Driver {
  readonly name: DriverName;
  readonly config: DriverConfig;
  /** True for the docker driver, whose results go straight into the engine. */
  readonly isMobyDriver: boolean;
  /** Starts the daemon if needed and waits until it answers; safe to call when it already runs. */
  bootstrap(progress: BootstrapProgress, opts?: { signal?: AbortSignal }): Promise<void>;
  status(opts?: { signal?: AbortSignal }): Promise<DriverStatus>;
  /** BuildKit version as buildx shows it in `ls`/`inspect`. */
  version(opts?: { signal?: AbortSignal }): Promise<string>;
  features(opts?: { signal?: AbortSignal }): Promise<Set<Feature>>;
  stop(force: boolean, opts?: { signal?: AbortSignal }): Promise<void>;
  rm(opts: { force: boolean; keepState: boolean; keepDaemon: boolean; signal?: AbortSignal }): Promise<void>;
  /** One raw connection to the daemon's gRPC API (what `dial-stdio` proxies); callers destroy it. */
  dial(opts?: { signal?: AbortSignal }): Promise<Duplex>;
  /** A new client on a new connection; callers close it. */
  client(opts?: { signal?: AbortSignal }): Promise<BuildkitClient>;
  /** Attaches a session so the daemon can call its services during builds. */
  openSession(client: BuildkitClient, session: Session, opts?: { signal?: AbortSignal }): Promise<SessionCloser>;
  /**
   * Engines whose BuildKit cannot push (docker driver without 'Direct push'): pushes an image of the
   * engine's store with the engine's AuthConfig.
   */
  pushImage?(name: string, auth: Record<string, string>, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Kubernetes: the running pods, which `ls`/`inspect` show as the builder's nodes. */
  dynamicNodes?(opts?: { signal?: AbortSignal }): Promise<DynamicNode[]>;
  /**
   * Brings existing daemon objects to the node's current settings (kubernetes Deployments and
   * ConfigMaps after `create --append/--node`); returns one line per change, nothing when none.
   */
  applySettings?(opts?: { signal?: AbortSignal }): Promise<string[]>;
  /** The address `--add-host NAME=host-gateway` maps to; drivers without one leave it out. */
  hostGatewayIP?(opts?: { signal?: AbortSignal }): Promise<string>;
  /** After pushImage: the manifest digest the registry holds for `name` ('' when the engine has none). */
  remoteDigest?(name: string, auth: Record<string, string>, opts?: { signal?: AbortSignal }): Promise<string>;
}

export interface DriverFactory {
  readonly name: DriverName;
  readonly usage: string;
  /** Lower wins when choosing a driver automatically. */
  priority(endpoint: string): Promise<number>;
  readonly allowsInstances: boolean;
  create(cfg: DriverConfig): Promise<Driver>;
}
