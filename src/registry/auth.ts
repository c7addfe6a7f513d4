// Registry authorization as buildx's docker authorizer does it: a request goes out as it is until a
// host answers 401; its WWW-Authenticate challenge then decides, per host, between Basic credentials
// and Bearer tokens fetched from the realm (scopes: the request's repository scopes plus the
// challenge's own, sorted and deduplicated; one token per scope set). A static registry token from the
// docker config is sent as a Bearer header up front.
import { credentialsFor, type RegistryCredentials } from '../docker/credentials.js';
import { fetchRegistryToken } from '../session/registry-token.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses WWW-Authenticate values: `Bearer realm="…",service="…",scope="…"` and `Basic realm="…"`. */
export function parseChallenges(headers: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const h of headers) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(h);
    if (!m) continue;
    const params: Record<string, string> = {};
    const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
    let p: RegExpExecArray | null;
    while ((p = re.exec(m[2]!)) !== null) {
      if (p[0] === '') break;
      params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    }
    out.push({ scheme: m[1]!.toLowerCase(), params });
  }
  return out;
}

interface Handler {
  scheme: 'basic' | 'bearer';
  creds?: RegistryCredentials;
  realm: string;
  service: string;
  challengeScopes: string[];
  tokens: Map<string, { token: string; expires: number }>;
}

export function mergeScopes(...lists: string[][]): string[] {
  return [...new Set(lists.flat().filter(Boolean))].sort();
}

export class Authorizer {
  private readonly handlers = new Map<string, Handler>();
  private readonly creds = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(private readonly opts: { dockerConfigDir?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }) {}

  private credentials(host: string): Promise<RegistryCredentials | undefined> {
    let c = this.creds.get(host);
    if (!c) {
      c = credentialsFor(host, this.opts.dockerConfigDir, this.opts.env ?? process.env);
      this.creds.set(host, c);
    }
    return c;
  }

  /** The Authorization header for a request to `host` needing `scopes`, or undefined before any challenge. */
  async authorize(host: string, scopes: string[]): Promise<string | undefined> {
    const creds = await this.credentials(host).catch(() => undefined);
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const h = this.handlers.get(host);
    if (!h) return undefined;
    if (h.scheme === 'basic') {
      if (!h.creds?.username || !h.creds.secret) throw new Error('failed to handle basic auth because missing username or secret');
      return `Basic ${Buffer.from(`${h.creds.username}:${h.creds.secret}`).toString('base64')}`;
    }
    const all = mergeScopes(scopes, h.challengeScopes);
    const key = all.join(' ');
    const cached = h.tokens.get(key);
    if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    const t = await fetchRegistryToken({ realm: h.realm, service: h.service, scopes: all }, h.creds, this.opts.signal);
    h.tokens.set(key, { token: t.token, expires: Date.now() + t.expiresIn * 1000 });
    return `Bearer ${t.token}`;
  }

  /**
   * Takes a 401's challenges; returns whether the request is worth retrying. `again` says the same
   * request was already refused with a token: a Bearer `error=` then means the credentials are wrong.
   */
  async challenged(host: string, wwwAuthenticate: string[], again: boolean): Promise<boolean> {
    for (const c of parseChallenges(wwwAuthenticate)) {
      if (c.scheme === 'bearer') {
        const err = c.params.error;
        if (err && again) throw new Error(`authorization failed: server message: ${err}`);
        // Another request may have set the host up meanwhile: a first refusal retries with it.
        if (this.handlers.get(host)?.scheme === 'bearer' && !err) return !again;
        const creds = await this.credentials(host);
        this.handlers.set(host, {
          scheme: 'bearer', creds, realm: c.params.realm ?? '', service: c.params.service ?? '',
          challengeScopes: (c.params.scope ?? '').split(' ').filter(Boolean), tokens: new Map(),
        });
        return true;
      }
      if (c.scheme === 'basic') {
        const creds = await this.credentials(host);
        // Without credentials buildx keeps no handler and the request fails with the 401 itself.
        if (!creds?.username || !creds.secret) return false;
        if (this.handlers.get(host)?.scheme === 'basic') return !again;
        this.handlers.set(host, { scheme: 'basic', creds, realm: '', service: '', challengeScopes: [], tokens: new Map() });
        return true;
      }
    }
    return false;
  }
}
