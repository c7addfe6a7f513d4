// One HTTP exchange with a registry endpoint over Node's fetch, with buildx's authorization retries:
// a 401 hands its challenge to the Authorizer and the request goes out again (at most a few times, as
// containerd bounds it). Endpoints are tried in order; a connection failure moves to the next one.
import { Readable } from 'node:stream';
import type { Authorizer } from './auth.js';
import { requestFailed } from './errors.js';
import type { RegistryEndpoint } from './hosts.js';

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH';
  /** Below the endpoint, e.g. `/v2/library/alpine/manifests/latest`; or an absolute upload Location. */
  path: string;
  scopes: string[];
  headers?: Record<string, string>;
  /** Bytes, or a stream factory (sent chunk by chunk, never buffered; called again on a retry). */
  body?: Buffer | (() => Readable);
  signal?: AbortSignal;
}

export interface RegistryResponse {
  res: Response;
  url: string;
  endpoint: RegistryEndpoint;
}

const MAX_AUTH_ROUNDS = 5;

type Dispatcher = NonNullable<RequestInit['dispatcher']>;
let insecureDispatcher: Dispatcher | undefined;
/**
 * A dispatcher for `insecure = true` hosts: fetch's own Agent class (reached through the global
 * dispatcher, since undici is not a dependency) with certificate verification off.
 */
function insecure(): Dispatcher | undefined {
  if (insecureDispatcher) return insecureDispatcher;
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')];
  if (typeof global !== 'object' || global === null) return undefined;
  const Agent = (Object.getPrototypeOf(global) as { constructor: new (o: object) => Dispatcher }).constructor;
  insecureDispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  return insecureDispatcher;
}

export function endpointURL(ep: RegistryEndpoint, path: string): string {
  return /^https?:\/\//.test(path) ? path : `${ep.scheme}://${ep.host}${path}`;
}

async function once(ep: RegistryEndpoint, url: string, req: RegistryRequest, auth: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'user-agent': 'buildx/v0.36.1', ...req.headers };
  if (auth) headers.authorization = auth;
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, signal: req.signal, redirect: 'follow' };
  if (Buffer.isBuffer(req.body)) init.body = req.body;
  else if (typeof req.body === 'function') {
    init.body = Readable.toWeb(req.body()) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  if (ep.insecure && ep.scheme === 'https') init.dispatcher = insecure();
  try {
    return await fetch(url, init);
  } catch (err) {
    if (req.signal?.aborted) throw err;
    throw requestFailed(req.method, url, err);
  }
}

/** Sends `req` to the first endpoint that answers; 401s go through the authorizer. */
export async function send(endpoints: RegistryEndpoint[], authz: Authorizer, req: RegistryRequest): Promise<RegistryResponse> {
  let lastErr: unknown;
  for (const ep of endpoints) {
    const url = endpointURL(ep, req.path);
    try {
      let res = await once(ep, url, req, await authz.authorize(ep.host, req.scopes));
      for (let round = 0; res.status === 401 && round < MAX_AUTH_ROUNDS; round++) {
        const retry = await authz.challenged(ep.host, res.headers.get('www-authenticate')?.split(/,\s*(?=[A-Za-z]+\s+[a-z]+=)/) ?? [], round > 0);
        // A streamed body is made again by its factory, so every retry sends it whole.
        if (!retry) break;
        await res.body?.cancel();
        res = await once(ep, url, req, await authz.authorize(ep.host, req.scopes));
      }
      return { res, url, endpoint: ep };
    } catch (err) {
      lastErr = err;
      if (req.signal?.aborted) throw err;
    }
  }
  throw lastErr ?? new Error('no registry endpoints');
}
