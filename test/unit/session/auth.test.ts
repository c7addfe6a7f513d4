// The Auth pieces that need no daemon: the token authority's keys and NaCl-style signatures, the seed
// file, and credential helpers (real scripts on a PATH of the test's own) with the docker CLI's messages.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CredentialHelperError, credentialsFor } from '../../../src/docker/credentials.js';
import { TokenSeeds, authorityKey, authorityPublicKey, naclSign } from '../../../src/session/token-authority.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbuildx-auth-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the authority key follows HMAC(salt, seed); without a secret the seed does not count', () => {
  const salt = Buffer.alloc(32, 1);
  const seed = Buffer.alloc(16, 2);
  const a = authorityPublicKey(authorityKey(salt, seed));
  assert.equal(a.length, 32);
  assert.deepEqual(authorityPublicKey(authorityKey(salt, seed)), a, 'deterministic');
  assert.notDeepEqual(authorityPublicKey(authorityKey(Buffer.alloc(32, 3), seed)), a, 'the salt counts');
  assert.notDeepEqual(authorityPublicKey(authorityKey(salt, undefined)), a, 'the seed counts');
});

test('naclSign is signature ‖ message, verifiable with the advertised public key', () => {
  const key = authorityKey(Buffer.from('salt'), Buffer.from('seed'));
  const payload = Buffer.from('thirty-two bytes of daemon nonce');
  const signed = naclSign(key, payload);
  assert.equal(signed.length, 64 + payload.length);
  assert.deepEqual(signed.subarray(64), payload);
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: authorityPublicKey(key).toString('base64url') }, format: 'jwk' });
  assert.ok(verify(null, payload, pub, signed.subarray(0, 64)));
});

test('token seeds persist per host in .token_seed', async () => {
  const cfg = mkdtempSync(join(dir, 'cfg-'));
  const s1 = new TokenSeeds(cfg);
  const a = await s1.seed('a.example');
  const b = await s1.seed('b.example');
  assert.equal(a.length, 16);
  assert.notDeepEqual(a, b);
  assert.deepEqual(await new TokenSeeds(cfg).seed('a.example'), a, 'a new process reads the same seed');
  const file = JSON.parse(readFileSync(join(cfg, '.token_seed'), 'utf8')) as Record<string, { Seed: string }>;
  assert.deepEqual(Object.keys(file).sort(), ['a.example', 'b.example']);
});

function helper(name: string, script: string): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, `docker-credential-${name}`), 0o755);
  return bin;
}

function config(cfg: object): string {
  const d = mkdtempSync(join(dir, 'docker-'));
  writeFileSync(join(d, 'config.json'), JSON.stringify(cfg));
  return d;
}

test('credential helpers: the answer, <token> as identity token, not-found as none, failures as the docker CLI words them', async () => {
  const ok = helper('ok', 'read s; printf \'{"ServerURL":"%s","Username":"u","Secret":"p"}\' "$s"');
  const tok = helper('tok', 'read s; echo \'{"Username":"<token>","Secret":"refresh"}\'');
  const none = helper('none', 'echo "credentials not found in native keychain"; exit 1');
  const bad = helper('bad', 'echo "store is locked"; exit 4');
  const env = { ...process.env, PATH: [ok, tok, none, bad, process.env.PATH].join(':') };
  const inline = { auths: { 'r.example': { auth: Buffer.from('x:y').toString('base64') } } };
  assert.deepEqual(await credentialsFor('r.example', config({ credsStore: 'ok' }), env), { username: 'u', secret: 'p' });
  assert.deepEqual(await credentialsFor('r.example', config({ credsStore: 'bad', credHelpers: { 'r.example': 'tok' } }), env),
    { username: '', secret: 'refresh' });
  // A configured helper answers alone: its "not found" hides the inline entry, as in the docker CLI.
  assert.equal(await credentialsFor('r.example', config({ ...inline, credsStore: 'none' }), env), undefined);
  assert.deepEqual(await credentialsFor('r.example', config(inline), env), { username: 'x', secret: 'y', registryToken: undefined });
  await assert.rejects(credentialsFor('r.example', config({ credsStore: 'bad' }), env),
    (e: unknown) => e instanceof CredentialHelperError && e.message === 'error getting credentials - err: exit status 4, out: `store is locked`');
  await assert.rejects(credentialsFor('r.example', config({ credsStore: 'gone' }), env),
    (e: unknown) => e instanceof CredentialHelperError
      && e.message === 'error getting credentials - err: exec: "docker-credential-gone": executable file not found in $PATH, out: ``');
});

/** A token endpoint on 127.0.0.1 that records each request and answers with `reply`. */
async function tokenServer(reply: (method: string, body: URLSearchParams, auth: string) => [number, object?]) {
  const { createServer } = await import('node:http');
  const seen: { method: string; body: Record<string, string>; query: string; auth: string }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = new URLSearchParams(text);
      const auth = req.headers.authorization ?? '';
      seen.push({ method: req.method ?? '', body: Object.fromEntries(body), query: new URL(req.url ?? '/', 'http://x').search, auth });
      const [status, json] = reply(req.method ?? '', body, auth);
      res.writeHead(status, { 'content-type': 'application/json' }).end(json ? JSON.stringify(json) : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  return { realm, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('FetchToken flow: OAuth2 POST (password, refresh_token), GET with basic auth on 404, anonymous GET, worded errors', async () => {
  const { fetchRegistryToken } = await import('../../../src/session/registry-token.js');
  const req = (realm: string) => ({ realm, service: 'reg', scopes: ['repository:a/b:pull,push', 'repository:c:pull'] });

  const post = await tokenServer((m) => (m === 'POST' ? [200, { access_token: 'posted', expires_in: 120, issued_at: '2026-01-02T03:04:05Z' }] : [500]));
  try {
    assert.deepEqual(await fetchRegistryToken(req(post.realm), { username: 'u', secret: 'p' }),
      { token: 'posted', expiresIn: 120, issuedAt: Date.parse('2026-01-02T03:04:05Z') / 1000 });
    assert.deepEqual(post.seen[0]!.body, { scope: 'repository:a/b:pull,push repository:c:pull', service: 'reg', client_id: 'buildkit-client', grant_type: 'password', username: 'u', password: 'p' });
    await fetchRegistryToken(req(post.realm), { username: '', secret: 'refresh-me' });
    assert.deepEqual(post.seen[1]!.body, { scope: 'repository:a/b:pull,push repository:c:pull', service: 'reg', client_id: 'buildkit-client', grant_type: 'refresh_token', refresh_token: 'refresh-me' });
  } finally {
    await post.close();
  }

  const get = await tokenServer((m) => (m === 'POST' ? [404] : [200, { token: 'got' }]));
  try {
    assert.deepEqual(await fetchRegistryToken(req(get.realm), { username: 'u', secret: 'p' }), { token: 'got', expiresIn: 60, issuedAt: 0 });
    assert.deepEqual(get.seen.map((s) => s.method), ['POST', 'GET']);
    assert.equal(get.seen[1]!.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.equal(get.seen[1]!.query, '?service=reg&scope=repository%3Aa%2Fb%3Apull%2Cpush&scope=repository%3Ac%3Apull');
    await fetchRegistryToken(req(get.realm), undefined);
    assert.deepEqual(get.seen[2], { method: 'GET', body: {}, query: get.seen[1]!.query, auth: '' });
  } finally {
    await get.close();
  }

  const deny = await tokenServer(() => [403]);
  try {
    await assert.rejects(fetchRegistryToken(req(deny.realm), { username: 'u', secret: 'p' }),
      { message: `failed to fetch oauth token: unexpected status from POST request to ${deny.realm}: 403 Forbidden` });
    await assert.rejects(fetchRegistryToken(req(deny.realm), undefined),
      { message: `failed to fetch anonymous token: unexpected status from GET request to ${deny.realm}: 403 Forbidden` });
  } finally {
    await deny.close();
  }
  assert.deepEqual(await fetchRegistryToken(req('http://127.0.0.1:1/never'), { username: '', secret: '', registryToken: 'static' }),
    { token: 'static', expiresIn: 60, issuedAt: 0 });
});
