// Registries with auth for the e2e suites, on 127.0.0.1 ports of their own: distribution's htpasswd auth,
// and its token auth with a token server in this process that issues ES256 JWTs; plus credential helpers
// on a PATH of their own.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort } from './buildkitd-daemon.js';
import { randomName, type E2E } from './helpers.js';

export interface Registry {
  host: string;
  proc: ChildProcess;
}

export const USER = 'e2e-user';
export const PASSWORD = `pw-${randomName()}`;

export async function startAuthRegistry(ctx: E2E): Promise<Registry> {
  const dir = await ctx.tmp('registry');
  // distribution reads bcrypt entries only (apache2-utils' htpasswd -B; provision.sh test-tools).
  const line = execFileSync('htpasswd', ['-nbB', USER, PASSWORD], { encoding: 'utf8' }).trim();
  assert.match(line, new RegExp(`^${USER}:\\$2y\\$`), 'a bcrypt entry');
  await writeFile(join(dir, 'htpasswd'), `${line}\n`);
  return serveRegistry(dir, ['  htpasswd:', '    realm: tsbuildx-e2e', `    path: ${dir}/htpasswd`]);
}

export async function tagsOf(reg: Registry, repo: string): Promise<string[]> {
  const res = await fetch(`http://${reg.host}/v2/${repo}/tags/list`, {
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
  });
  if (res.status === 404) return [];
  return ((await res.json()) as { tags?: string[] }).tags ?? [];
}

/** A `docker-credential-<name>` on a PATH of its own: `ok` answers with the registry's user, `broken` fails. */
export async function credentialHelper(ctx: E2E, name: string, kind: 'ok' | 'broken'): Promise<string> {
  const bin = await ctx.tmp('helper-bin');
  const script = kind === 'ok'
    ? `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\n`
    : '#!/bin/sh\necho "helper cannot reach its store"\nexit 3\n';
  await writeFile(join(bin, `docker-credential-${name}`), script);
  await chmod(join(bin, `docker-credential-${name}`), 0o755);
  return bin;
}

export interface TokenRequestSeen {
  method: string;
  grantType?: string;
  clientId?: string;
  username?: string;
}

export interface TokenRegistry extends Registry {
  server: Server;
  /** Token requests in arrival order. */
  seen: TokenRequestSeen[];
}

const b64u = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/**
 * A registry with bearer-token auth (distribution's `auth: token`) and its token server, in this process:
 * POST (OAuth2 password grant) and GET (basic auth) both issue an ES256 JWT that the registry trusts
 * through the certificate in its x5c header. Who asks, and how, is recorded.
 */
export async function startTokenRegistry(ctx: E2E): Promise<TokenRegistry> {
  const dir = await ctx.tmp('token-registry');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=tsbuildx-e2e-token', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const key = createPrivateKey(await readFile(join(dir, 'key.pem')));
  const certDer = new X509Certificate(await readFile(join(dir, 'cert.pem'))).raw.toString('base64');
  const seen: TokenRequestSeen[] = [];
  const issue = (scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((sc) => sc.split(' ')).map((sc) => {
      const [type, name, actions] = sc.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const head = b64u(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer] }));
    const body = b64u(JSON.stringify({ iss: 'tsbuildx-e2e', sub: USER, aud: 'tsbuildx-e2e-registry', exp: now + 300, nbf: now - 10, iat: now, jti: randomName(), access }));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' });
    return `${head}.${body}.${b64u(sig)}`;
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let ok: boolean;
      let scopes: string[];
      if (req.method === 'POST') {
        const form = new URLSearchParams(text);
        seen.push({ method: 'POST', grantType: form.get('grant_type') ?? '', clientId: form.get('client_id') ?? '', username: form.get('username') ?? '' });
        ok = form.get('grant_type') === 'password' && form.get('username') === USER && form.get('password') === PASSWORD;
        scopes = form.get('scope') ? [form.get('scope')!] : [];
      } else {
        const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        seen.push({ method: 'GET', username: basic.split(':')[0] });
        ok = basic === `${USER}:${PASSWORD}`;
        scopes = url.searchParams.getAll('scope');
      }
      if (!ok) {
        res.writeHead(401).end();
        return;
      }
      const token = issue(scopes);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token, expires_in: 300 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const tokenPort = (server.address() as { port: number }).port;
  return { ...(await serveRegistry(dir, ['  token:', `    realm: http://127.0.0.1:${tokenPort}/token`,
    '    service: tsbuildx-e2e-registry', '    issuer: tsbuildx-e2e', `    rootcertbundle: ${dir}/cert.pem`])), server, seen };
}

/** A docker-registry of the test's own on a free port with `auth` lines under `auth:`, once it answers 401. */
export async function serveRegistry(dir: string, auth: string[]): Promise<{ host: string; proc: ChildProcess }> {
  const port = await freePort();
  await writeFile(join(dir, 'config.yml'), [
    'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`,
    'http:', `  addr: 127.0.0.1:${port}`, 'auth:', ...auth, '',
  ].join('\n'));
  const proc = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  proc.unref();
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) break;
    assert.ok(i < 100 && proc.exitCode === null, `registry on ${host} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host, proc };
}

