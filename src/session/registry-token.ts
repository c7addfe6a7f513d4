// Fetching a registry bearer token on the daemon's behalf (Auth.FetchToken), the way buildx's provider
// does: with a secret, the OAuth2 POST (password or refresh_token grant) first, falling back to the GET
// token endpoint with basic auth when the server does not take POSTs; without one, an anonymous GET.
import type { RegistryCredentials } from '../docker/credentials.js';

export interface TokenRequest {
  realm: string;
  service: string;
  scopes: readonly string[];
}

export interface RegistryToken {
  token: string;
  /** Seconds; 60 when the server gives none. */
  expiresIn: number;
  /** Unix seconds, 0 when the server gives none. */
  issuedAt: number;
}

const CLIENT_ID = 'buildkit-client';
const DEFAULT_EXPIRATION = 60;

class UnexpectedStatus extends Error {
  constructor(readonly status: number, method: string, url: string, statusText: string) {
    super(`unexpected status from ${method} request to ${url}: ${status} ${statusText}`);
  }
}

interface TokenBody {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
}

async function decode(res: Response, method: string, url: string): Promise<RegistryToken> {
  if (res.status < 200 || res.status >= 400) {
    await res.body?.cancel();
    throw new UnexpectedStatus(res.status, method, url, res.statusText);
  }
  let body: TokenBody;
  try {
    body = (await res.json()) as TokenBody;
  } catch (err) {
    throw new Error(`unable to decode token response: ${(err as Error).message}`);
  }
  const token = body.access_token || body.token;
  if (!token) throw new Error('authorization server did not include a token in the response');
  const issued = body.issued_at ? Date.parse(body.issued_at) : NaN;
  return { token, expiresIn: body.expires_in || DEFAULT_EXPIRATION, issuedAt: Number.isNaN(issued) ? 0 : Math.floor(issued / 1000) };
}

async function fetchGet(req: TokenRequest, creds: RegistryCredentials | undefined, signal?: AbortSignal): Promise<RegistryToken> {
  const url = new URL(req.realm);
  if (req.service) url.searchParams.append('service', req.service);
  for (const s of req.scopes) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (creds?.secret) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}`;
  const res = await fetch(url, { headers, signal });
  return decode(res, 'GET', req.realm);
}

async function fetchOAuth(req: TokenRequest, creds: RegistryCredentials, signal?: AbortSignal): Promise<RegistryToken> {
  const form = new URLSearchParams();
  if (req.scopes.length) form.set('scope', req.scopes.join(' '));
  form.set('service', req.service);
  form.set('client_id', CLIENT_ID);
  if (creds.username) {
    form.set('grant_type', 'password');
    form.set('username', creds.username);
    form.set('password', creds.secret);
  } else {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', creds.secret);
  }
  const res = await fetch(req.realm, {
    method: 'POST', body: form.toString(), signal,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
  return decode(res, 'POST', req.realm);
}

/** A token for `req`, fetched with `creds` (or anonymously); errors are worded as buildx's. */
export async function fetchRegistryToken(req: TokenRequest, creds: RegistryCredentials | undefined, signal?: AbortSignal): Promise<RegistryToken> {
  if (creds?.registryToken) return { token: creds.registryToken, expiresIn: DEFAULT_EXPIRATION, issuedAt: 0 };
  if (!creds?.secret) {
    try {
      return await fetchGet(req, undefined, signal);
    } catch (err) {
      throw new Error(`failed to fetch anonymous token: ${(err as Error).message}`);
    }
  }
  try {
    try {
      return await fetchOAuth(req, creds, signal);
    } catch (err) {
      // Registries without the POST endpoint answer 404 (GCR), 401 (Artifactory) or 405.
      if (err instanceof UnexpectedStatus && (err.status === 404 || err.status === 401 || (err.status === 405 && creds.username))) {
        return await fetchGet(req, creds, signal);
      }
      throw err;
    }
  } catch (err) {
    throw new Error(`failed to fetch oauth token: ${(err as Error).message}`);
  }
}
