// The `remote` driver: a buildkitd someone else runs, reached directly over unix:// or tcp:// (optionally
// TLS); the session travels inside the control connection (protocol.md §4.4, cli.md §3.3).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { isAbsolute } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { BuildkitClient } from '../../buildkit/client.js';
import { openTunnelSession } from '../../buildkit/session-tunnel.js';
import type { Session } from '../../session/session.js';
import type { BootstrapProgress, Driver, DriverConfig, DriverFactory, DriverStatus, Feature, SessionCloser } from '../driver.js';
import { BuildxError } from '../../util/errors.js';
import { parseGoBoolOptional } from '../../util/go-strconv.js';

export type RemoteAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number };

export interface RemoteTLS {
  /** Absolute paths to PEM files. */
  cacert: string;
  cert?: string;
  key?: string;
  /** SNI and the name the server certificate is checked against. */
  servername: string;
}

export interface RemoteOptions {
  address: RemoteAddress;
  tls?: RemoteTLS;
  defaultLoad: boolean;
}

const BOOTSTRAP_TIMEOUT_MS = 20_000;
/** For status() calls without a caller signal: a dead endpoint must not hang `ls`. */
const STATUS_TIMEOUT_MS = 10_000;

export function parseEndpoint(endpoint: string): RemoteAddress {
  if (!endpoint) throw new BuildxError('no remote endpoint provided');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(endpoint);
  const scheme = m?.[1]?.toLowerCase() ?? '';
  if (scheme === 'unix') {
    const path = endpoint.slice(m![0].length);
    if (!path) throw new BuildxError(`invalid unix endpoint ${endpoint}`);
    return { kind: 'unix', path };
  }
  if (scheme === 'tcp') {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new BuildxError(`invalid tcp endpoint ${endpoint}`);
    }
    if (!url.hostname || !url.port) throw new BuildxError(`invalid tcp endpoint ${endpoint}: host and port are required`);
    // URL keeps IPv6 literals bracketed; net.connect wants them bare.
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) };
  }
  throw new BuildxError(`unrecognized url scheme ${scheme || endpoint}`);
}

/** buildx reads boolean driver options with strconv.ParseBool and reports a bad one by key. */
function parseBool(key: string, v: string): boolean {
  const b = parseGoBoolOptional(v);
  if (b === undefined) throw new BuildxError(`invalid value ${JSON.stringify(v)} for ${key}`);
  return b;
}

/** Validates driver-opts the way buildx does, in the same order, with the same messages. */
export function parseRemoteOptions(cfg: DriverConfig): RemoteOptions {
  const address = parseEndpoint(cfg.endpoint);
  let tlsOn = false;
  const files: { cacert?: string; cert?: string; key?: string } = {};
  let servername = '';
  let defaultLoad = false;
  for (const [k, v] of Object.entries(cfg.driverOpts)) {
    switch (k) {
      case 'servername':
        servername = v;
        tlsOn = true;
        break;
      case 'cacert':
      case 'cert':
      case 'key':
        if (!isAbsolute(v)) throw new BuildxError(`non-absolute path '${v}' provided for ${k}`);
        files[k] = v;
        tlsOn = true;
        break;
      case 'default-load':
        defaultLoad = parseBool(k, v);
        break;
      default:
        throw new BuildxError(`invalid driver option ${k} for remote driver`);
    }
  }
  if (!tlsOn) return { address, defaultLoad };
  const missing: string[] = [];
  if (!files.cacert) missing.push('cacert');
  if (files.cert && !files.key) missing.push('key');
  if (files.key && !files.cert) missing.push('cert');
  if (missing.length) throw new BuildxError(`tls enabled, but missing keys ${missing.join(', ')}`);
  return {
    address,
    defaultLoad,
    tls: {
      cacert: files.cacert!,
      cert: files.cert,
      key: files.key,
      servername: servername || (address.kind === 'tcp' ? address.host : 'localhost'),
    },
  };
}

/** Resolves once `sock` is connected (event `ready`), rejecting on error or abort. */
function whenConnected<T extends net.Socket>(sock: T, readyEvent: 'connect' | 'secureConnect', signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      sock.off(readyEvent, onReady);
      sock.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => { cleanup(); resolve(sock); };
    const onError = (err: Error): void => { cleanup(); sock.destroy(); reject(err); };
    const onAbort = (): void => onError(new Error('dial aborted'));
    if (signal?.aborted) return onAbort();
    sock.once(readyEvent, onReady);
    sock.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One fresh connection to the daemon per call (the bridge dials once per grpc-js connection). */
export function remoteDialer(opts: RemoteOptions): (signal?: AbortSignal) => Promise<Duplex> {
  // Read the PEM files once, lazily: a missing file surfaces as a dial error, like in buildx.
  let secure: tls.ConnectionOptions | undefined;
  return async (signal) => {
    const a = opts.address;
    if (a.kind === 'unix') return whenConnected(net.connect({ path: a.path }), 'connect', signal);
    if (!opts.tls) return whenConnected(net.connect({ host: a.host, port: a.port }), 'connect', signal);
    const name = opts.tls.servername;
    secure ??= {
      ca: readFileSync(opts.tls.cacert),
      cert: opts.tls.cert ? readFileSync(opts.tls.cert) : undefined,
      key: opts.tls.key ? readFileSync(opts.tls.key) : undefined,
      // SNI may not carry an IP address (RFC 6066), but the certificate is still checked against it.
      servername: net.isIP(name) ? undefined : name,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
      ALPNProtocols: ['h2'],
    };
    return whenConnected(tls.connect({ ...secure, host: a.host, port: a.port }), 'secureConnect', signal);
  };
}

function withTimeout(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, t]) : t;
}

class RemoteDriver implements Driver {
  readonly name = 'remote' as const;
  readonly isMobyDriver = false;

  constructor(readonly config: DriverConfig, private readonly opts: RemoteOptions) {}

  /** Runs `fn` with a short-lived client, always closing it. */
  private async withClient<T>(fn: (c: BuildkitClient) => Promise<T>): Promise<T> {
    const c = await this.client();
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  }

  async bootstrap(_log: BootstrapProgress, opts: { signal?: AbortSignal } = {}): Promise<void> {
    // Nothing to start: wait for the daemon someone else runs to answer.
    const deadline = Date.now() + BOOTSTRAP_TIMEOUT_MS;
    let last: unknown;
    const c = await this.client();
    try {
      while (Date.now() < deadline) {
        if (opts.signal?.aborted) throw new BuildxError('bootstrap canceled', 1, { cause: opts.signal.reason });
        try {
          await c.info({ signal: withTimeout(Math.max(1, deadline - Date.now()), opts.signal) });
          return;
        } catch (err) {
          last = c.lastDialError ?? err;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      c.close();
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new BuildxError(`failed to bootstrap remote builder ${this.config.name}: ${why}`, 1, { cause: last });
  }

  async status(opts: { signal?: AbortSignal } = {}): Promise<DriverStatus> {
    const signal = opts.signal ?? AbortSignal.timeout(STATUS_TIMEOUT_MS);
    try {
      await this.withClient((c) => c.listWorkers({ signal }));
      return 'running';
    } catch {
      return 'inactive';
    }
  }

  async version(opts: { signal?: AbortSignal } = {}): Promise<string> {
    return this.withClient(async (c) => (await c.info({ signal: opts.signal }))?.version ?? '');
  }

  async features(): Promise<Set<Feature>> {
    const f = new Set<Feature>(['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push']);
    if (this.opts.defaultLoad) f.add('Default load');
    return f;
  }

  // The daemon is not ours: stopping or removing the builder leaves it running.
  async stop(): Promise<void> {}

  async rm(): Promise<void> {}

  async dial(opts: { signal?: AbortSignal } = {}): Promise<Duplex> {
    return remoteDialer(this.opts)(opts.signal);
  }

  async client(): Promise<BuildkitClient> {
    return BuildkitClient.connect(remoteDialer(this.opts));
  }

  async openSession(client: BuildkitClient, session: Session, opts: { signal?: AbortSignal } = {}): Promise<SessionCloser> {
    return openTunnelSession(client, session, opts);
  }
}

export const remoteFactory: DriverFactory = {
  name: 'remote',
  usage: 'remote',
  allowsInstances: true,
  // Never chosen automatically: it needs an endpoint someone gives it.
  async priority(): Promise<number> {
    return 100;
  },
  async create(cfg: DriverConfig): Promise<Driver> {
    return new RemoteDriver(cfg, parseRemoteOptions(cfg));
  },
};
