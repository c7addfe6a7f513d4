// Docker Engine API access: a dockerode client per endpoint (loaded at the first call that needs it), the
// ping that negotiates the API version, daemon errors worded as the docker CLI words them, and the two
// protocol upgrades dockerode lacks (`POST /grpc`, `POST /session`), written by hand over HTTP/1.1.
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { BuildxError } from '../util/errors.js';
import { errnoCode, goStrerror } from '../util/go-errno.js';
import type { DockerEndpoint } from './context.js';

/** The connect failures the docker client words with Go's dial error. */
const CONNECT_ERRNO = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK']);

/** Highest API version we speak; negotiated down to the daemon's. */
const CLIENT_API_VERSION = '1.47';

type DialOptions = Parameters<Dockerode['modem']['dial']>[0];

/** The docker CLI's wording: unix sockets get the newer message with Go's dial error, TCP the classic one. */
export function unreachable(ep: DockerEndpoint, cause: unknown): BuildxError {
  const text = CONNECT_ERRNO.has(errnoCode(cause)) ? goStrerror(errnoCode(cause)) : undefined;
  if (ep.host.startsWith('unix://') && text) {
    const path = ep.host.slice('unix://'.length);
    return new BuildxError(`failed to connect to the docker API at ${ep.host}; check if the path is correct and if the daemon is running: dial unix ${path}: connect: ${text}`, 1, { cause });
  }
  return new BuildxError(`Cannot connect to the Docker daemon at ${ep.host}. Is the docker daemon running?`, 1, { cause });
}

function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
}

/** An engine answer outside 2xx; `status` lets callers tolerate 304/404/409. */
export class EngineError extends BuildxError {
  /** `daemonMessage` is the daemon's text alone. */
  constructor(readonly status: number, readonly daemonMessage: string) {
    // The Go client prefixes daemon errors this way, and buildx shows them as they come.
    super(`Error response from daemon: ${daemonMessage}`);
  }
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Extracts the daemon's `{"message": …}` error text, or the raw body. */
export function errorMessage(status: number, body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: use the text as is
  }
  return text || `HTTP ${status}`;
}

/** What docker-modem puts on the error for an answer outside a call's expected statuses. */
interface ModemError extends Error {
  statusCode?: number;
  /** The parsed body (a Buffer when it was no JSON); null for streamed calls. */
  json?: unknown;
}

/** The daemon's status and message behind a failed dockerode call, or undefined when no answer came. */
export function daemonError(err: unknown): { status: number; message: string } | undefined {
  const e = err as ModemError | undefined;
  if (!(e instanceof Error) || typeof e.statusCode !== 'number') return undefined;
  const status = e.statusCode;
  if (e.json !== null && e.json !== undefined) {
    return { status, message: errorMessage(status, Buffer.isBuffer(e.json) ? e.json : Buffer.from(JSON.stringify(e.json))) };
  }
  // Streamed calls keep the body's message only inside docker-modem's own text.
  const m = /^\(HTTP code \d+\) .*? - ([^]*) $/.exec(e.message);
  return { status, message: errorMessage(status, Buffer.from(m ? m[1]! : e.message)) };
}

/** A failed dockerode call as the docker CLI reports it: the unreachable engine, an EngineError, else as is. */
export function engineFailure(ep: DockerEndpoint, err: unknown): unknown {
  if (isConnectError(err)) return unreachable(ep, err);
  const d = daemonError(err);
  return d ? new EngineError(d.status, d.message) : err;
}

let dockerodeModule: Promise<typeof Dockerode> | undefined;

/** dockerode costs ~5 ms to load from the CLI bundle, ~170 ms from node_modules: only engine calls pay for it. */
function loadDockerode(): Promise<typeof Dockerode> {
  return (dockerodeModule ??= import('dockerode').then((m) => m.default));
}

/** Where an endpoint's daemon listens; ssh:// and npipe:// hosts stop here, before anything dials them. */
type Address = { socketPath: string } | { host: string; port: string | number; secure: boolean };

function address(ep: DockerEndpoint): Address {
  const url = ep.host;
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('tcp://') || url.startsWith('http://') || url.startsWith('https://')) {
    const u = new URL(url.replace(/^tcp:/, ep.tls ? 'https:' : 'http:'));
    const secure = u.protocol === 'https:';
    return { host: u.hostname, port: u.port || (secure ? 2376 : 2375), secure };
  }
  throw new BuildxError(`unsupported docker host ${url}`);
}

type ClientOptions = Dockerode.DockerOptions & { agent?: https.Agent };

function dockerodeOptions(ep: DockerEndpoint, apiVersion: string | undefined): ClientOptions {
  // Every field is given, undefined included: docker-modem fills missing ones from DOCKER_HOST,
  // DOCKER_CERT_PATH and DOCKER_CLIENT_TIMEOUT, which the endpoint was already resolved from.
  const opts: ClientOptions = {
    socketPath: undefined, host: undefined, port: undefined, protocol: undefined,
    ca: undefined, cert: undefined, key: undefined, timeout: undefined,
    version: apiVersion === undefined ? undefined : `v${apiVersion}`,
  };
  const a = address(ep);
  if ('socketPath' in a) return { ...opts, socketPath: a.socketPath };
  Object.assign(opts, { host: a.host, port: a.port, protocol: a.secure ? 'https' : 'http' });
  if (a.secure && ep.tls) {
    Object.assign(opts, { ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key });
    // docker-modem has no switch for an unverified server; an agent's options override the request's.
    if (ep.tls.skipVerify) opts.agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  }
  return opts;
}

/** One client per endpoint and API version, so repeated calls of a command share its set-up. */
const clients = new WeakMap<DockerEndpoint, Map<string, Dockerode>>();

/** dockerode for `ep`; with `apiVersion` its paths go under `/v<apiVersion>`, without it they are unversioned. */
export async function engineClient(ep: DockerEndpoint, apiVersion?: string): Promise<Dockerode> {
  const Docker = await loadDockerode();
  let byVersion = clients.get(ep);
  if (!byVersion) clients.set(ep, (byVersion = new Map()));
  let docker = byVersion.get(apiVersion ?? '');
  if (!docker) byVersion.set(apiVersion ?? '', (docker = new Docker(dockerodeOptions(ep, apiVersion))));
  return docker;
}

/** Runs `call` on the endpoint's client, its failures mapped by engineFailure. */
export async function withEngine<T>(ep: DockerEndpoint, apiVersion: string | undefined, call: (docker: Dockerode) => Promise<T>): Promise<T> {
  const docker = await engineClient(ep, apiVersion);
  try {
    return await call(docker);
  } catch (err) {
    throw engineFailure(ep, err);
  }
}

/**
 * dockerode's abort option, only when there is a signal: docker-modem drops a set `abortSignal` from the
 * query string, but an undefined one would be sent as `abortSignal=`.
 */
export function signalOption(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

/** Every status counts as an answer, for callers that read the status and the body themselves. */
export const ANY_STATUS: Record<number, true> = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [i + 100, true]));

/**
 * One request through dockerode's transport, for what its wrappers cannot express: response headers,
 * an abort signal where the wrapper drops it, a Content-Type of our own, a URL without a query.
 */
export function dial(docker: Dockerode, opts: DialOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A streamed answer of any status, from `dial` with `isStream` and ANY_STATUS. */
export function asResponse(result: unknown): http.IncomingMessage {
  if (!(result instanceof http.IncomingMessage)) throw new BuildxError('unexpected answer from docker engine');
  return result;
}

/** dockerode's `info` and `version` take an abort signal at run time; @types/dockerode does not say so. */
interface SignalledSystemCalls {
  info(opts: { abortSignal?: AbortSignal }): Promise<unknown>;
  version(opts: { abortSignal?: AbortSignal }): Promise<Dockerode.DockerVersion>;
}

export function engineInfo<T>(ep: DockerEndpoint, apiVersion: string, signal?: AbortSignal): Promise<T> {
  return withEngine(ep, apiVersion, (d) => (d as unknown as SignalledSystemCalls).info({ abortSignal: signal }) as Promise<T>);
}

export function engineVersion(ep: DockerEndpoint, apiVersion: string, signal?: AbortSignal): Promise<Dockerode.DockerVersion> {
  return withEngine(ep, apiVersion, (d) => (d as unknown as SignalledSystemCalls).version({ abortSignal: signal }));
}

export interface PingResult {
  apiVersion: string;
  osType?: string;
  builderVersion?: string;
}

/**
 * GET /_ping: proves the daemon is reachable and negotiates the API version, read from its headers
 * (through dockerode's transport: its ping() gives the body only). Any status is an answer.
 */
export async function ping(ep: DockerEndpoint, signal?: AbortSignal): Promise<PingResult> {
  const res = await withEngine(ep, undefined, async (d) => {
    const r = asResponse(await dial(d, { path: '/_ping', method: 'GET', isStream: true, statusCodes: ANY_STATUS, abortSignal: signal }));
    await readAll(r);
    return r;
  });
  const server = String(res.headers['api-version'] ?? '1.24');
  return {
    apiVersion: compareVersions(server, CLIENT_API_VERSION) < 0 ? server : CLIENT_API_VERSION,
    osType: res.headers['ostype'] as string | undefined,
    builderVersion: res.headers['builder-version'] as string | undefined,
  };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

interface Target {
  module: typeof http | typeof https;
  options: http.RequestOptions & https.RequestOptions;
}

function target(ep: DockerEndpoint): Target {
  const a = address(ep);
  if ('socketPath' in a) return { module: http, options: { socketPath: a.socketPath, host: 'localhost' } };
  const options: Target['options'] = { host: a.host, port: a.port };
  if (a.secure && ep.tls) {
    Object.assign(options, { ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, rejectUnauthorized: !ep.tls.skipVerify });
  }
  return { module: a.secure ? https : http, options };
}

export interface Hijacked {
  socket: Duplex;
}

/**
 * POSTs to `path` asking to switch protocols, and returns the raw socket. Bytes the daemon sent right
 * after the 101 (the session preface may come in the same read) are pushed back onto the socket.
 * Written by hand: dockerode has no `/grpc` call, and its session upgrade is its own build session,
 * which cannot send one header line per served gRPC method.
 */
export function hijack(ep: DockerEndpoint, path: string, upgrade: string, headers: [string, string][] = [], signal?: AbortSignal): Promise<Hijacked> {
  const t = target(ep);
  // A raw header array keeps repeated headers (one per served gRPC method) as separate lines.
  const raw: string[] = ['Host', 'localhost', 'Connection', 'Upgrade', 'Upgrade', upgrade];
  for (const [k, v] of headers) raw.push(k, v);
  raw.push('Content-Length', '0');
  return new Promise((resolve, reject) => {
    const req = t.module.request({ ...t.options, path, method: 'POST', headers: raw, signal, agent: false });
    req.on('upgrade', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      socket.setNoDelay?.(true);
      resolve({ socket });
    });
    req.on('response', (res) => {
      void readAll(res).then((b) => {
        const msg = res.statusCode === 101 ? 'unexpected response' : errorMessage(res.statusCode ?? 0, b);
        reject(new BuildxError(`unable to upgrade to ${upgrade}, received ${res.statusCode}: ${msg}`));
      }, reject);
    });
    req.on('error', (err) => reject(isConnectError(err) ? unreachable(ep, err) : err));
    req.end();
  });
}
