// Minimal Docker Engine API access over HTTP/1.1: requests, streamed bodies and protocol upgrades
// (hijacks). Kept dependency-free so that commands which only need a ping or a hijack start fast.
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { BuildxError } from '../util/errors.js';
import { errnoCode, goStrerror } from '../util/go-errno.js';
import type { DockerEndpoint } from './context.js';

/** The connect failures the docker client words with Go's dial error. */
const CONNECT_ERRNO = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK']);

/** Highest API version we speak; negotiated down to the daemon's. */
const CLIENT_API_VERSION = '1.47';

export interface EngineResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

interface Target {
  module: typeof http | typeof https;
  options: http.RequestOptions & https.RequestOptions;
}

function target(ep: DockerEndpoint): Target {
  const url = ep.host;
  if (url.startsWith('unix://')) {
    return { module: http, options: { socketPath: url.slice('unix://'.length), host: 'localhost' } };
  }
  if (url.startsWith('tcp://') || url.startsWith('http://') || url.startsWith('https://')) {
    const u = new URL(url.replace(/^tcp:/, ep.tls ? 'https:' : 'http:'));
    const secure = u.protocol === 'https:';
    const options: Target['options'] = { host: u.hostname, port: u.port || (secure ? 2376 : 2375) };
    if (secure && ep.tls) {
      Object.assign(options, { ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, rejectUnauthorized: !ep.tls.skipVerify });
    }
    return { module: secure ? https : http, options };
  }
  throw new BuildxError(`unsupported docker host ${url}`);
}

/** The docker client's wording: unix sockets get the newer message with Go's dial error, TCP the classic one. */
export function unreachable(ep: DockerEndpoint, cause: unknown): BuildxError {
  const text = CONNECT_ERRNO.has(errnoCode(cause)) ? goStrerror(errnoCode(cause)) : undefined;
  if (ep.host.startsWith('unix://') && text) {
    const path = ep.host.slice('unix://'.length);
    return new BuildxError(`failed to connect to the docker API at ${ep.host}; check if the path is correct and if the daemon is running: dial unix ${path}: connect: ${text}`, 1, { cause });
  }
  return new BuildxError(`Cannot connect to the Docker daemon at ${ep.host}. Is the docker daemon running?`, 1, { cause });
}

function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  signal?: AbortSignal;
}

/** One HTTP request to the engine; the body is returned unread as a stream. */
export function engineRequest(ep: DockerEndpoint, path: string, opts: RequestOptions = {}): Promise<EngineResponse> {
  const t = target(ep);
  return new Promise((resolve, reject) => {
    const req = t.module.request({ ...t.options, path, method: opts.method ?? 'GET', headers: opts.headers, signal: opts.signal }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    req.on('error', (err) => reject(isConnectError(err) ? unreachable(ep, err) : err));
    const body = opts.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
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

export async function engineJSON<T>(ep: DockerEndpoint, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await engineRequest(ep, path, opts);
  const body = await readAll(res.body);
  if (res.status < 200 || res.status >= 300) throw new BuildxError(errorMessage(res.status, body));
  return (body.length ? JSON.parse(body.toString('utf8')) : undefined) as T;
}

export interface Hijacked {
  socket: Duplex;
}

/**
 * POSTs to `path` asking to switch protocols, and returns the raw socket. Bytes the daemon sent right
 * after the 101 (the session preface may come in the same read) are pushed back onto the socket.
 */
export function hijack(ep: DockerEndpoint, path: string, upgrade: string, headers: [string, string][] = [], body?: string, signal?: AbortSignal): Promise<Hijacked> {
  const t = target(ep);
  // A raw header array keeps repeated headers (one per served gRPC method) as separate lines.
  const raw: string[] = ['Host', 'localhost', 'Connection', 'Upgrade', 'Upgrade', upgrade];
  for (const [k, v] of headers) raw.push(k, v);
  if (body !== undefined) raw.push('Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body)));
  else raw.push('Content-Length', '0');
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
    req.end(body);
  });
}

export interface PingResult {
  apiVersion: string;
  osType?: string;
  builderVersion?: string;
}

/** GET /_ping: proves the daemon is reachable and negotiates the API version. */
export async function ping(ep: DockerEndpoint, signal?: AbortSignal): Promise<PingResult> {
  const res = await engineRequest(ep, '/_ping', { signal });
  await readAll(res.body);
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
