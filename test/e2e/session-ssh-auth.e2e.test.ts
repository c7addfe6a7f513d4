// The session's ssh forwarding, registry credentials and entitlements against the real daemons.
// SSH: a key generated here reaches a `RUN --mount=type=ssh` step, from a real ssh-agent (by socket and
// through $SSH_AUTH_SOCK) and from the key file itself (the in-process agent). The step runs the host's
// own ssh-add and ssh-keygen, copied with their shared libraries into the image, so it lists the agent's
// keys and has the agent sign a file that is verified here against the generated public key.
// Registry auth: a second registry of our own (docker-registry with htpasswd basic auth) on a free
// 127.0.0.1 port, pushed to with credentials from config.json `auths`, a credsStore and credHelpers; and
// a bearer-token registry whose token server runs in this process, to see who fetches the token.
// Entitlements: RUN --security=insecure on builders with and without --allow-insecure-entitlement.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import { freePort } from './buildkitd-daemon.js';
import { containerBuilders } from './container-builders.js';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, TEST_TIMEOUT, writeTree, type E2E } from './helpers.js';

const TOOLS = ['/usr/bin/ssh-add', '/usr/bin/ssh-keygen'];

/** The tools and every library ldd names, at their own paths below `root`. */
function copyTools(root: string): void {
  const files = new Set(TOOLS);
  for (const line of execFileSync('ldd', TOOLS, { encoding: 'utf8' }).split('\n')) {
    const m = /(\/\S+) \(0x/.exec(line);
    if (m) files.add(m[1]!);
  }
  for (const f of files) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
  }
}

interface Agent {
  sock: string;
  pid: number;
  key: string;
  /** `type base64 comment` of the generated key. */
  pub: string[];
  /** SHA256:… as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

function fingerprintOf(pubFile: string): string {
  return /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }))![0];
}

async function sshAgent(ctx: E2E): Promise<Agent> {
  const dir = await ctx.tmp('ssh');
  const key = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `e2e-${randomName()}`, '-f', key]);
  const sock = join(dir, 'agent.sock');
  const started = spawnSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1]);
  assert.ok(pid > 0, `ssh-agent did not start: ${started.stdout}${started.stderr}`);
  execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
  return { sock, pid, key, pub: readFileSync(`${key}.pub`, 'utf8').trim().split(' '), fingerprint: fingerprintOf(`${key}.pub`) };
}

/** A context whose RUN lists the keys of ssh id `id` and has them sign `/data`; the results come back. */
async function sshContext(ctx: E2E, base: string, id: string, pubFile: string): Promise<string> {
  const dir = await ctx.tmp('ssh-ctx');
  copyTools(join(dir, 'root'));
  await writeTree(dir, {
    'key.pub': readFileSync(pubFile),
    Dockerfile: [
      `FROM ${base} AS step`,
      'COPY root/ /',
      'COPY key.pub /key.pub',
      `RUN --mount=type=ssh,id=${id} mkdir /out && ssh-add -L > /out/keys && ssh-add -l > /out/fingerprints`
        + ' && echo "signed inside the build" > /out/data && ssh-keygen -Y sign -n file -f /key.pub /out/data',
      'FROM scratch',
      'COPY --from=step /out/ /',
      '',
    ].join('\n'),
  });
  return dir;
}

/** Checks what the RUN step saw: the key listed, its fingerprint, and a signature the public key verifies. */
function assertForwarded(out: string, pubFile: string, opts: { comment: boolean }): void {
  const pub = readFileSync(pubFile, 'utf8').trim().split(' ');
  const listed = readFileSync(join(out, 'keys'), 'utf8').trim().split(' ');
  assert.deepEqual(listed.slice(0, 2), pub.slice(0, 2), 'the generated key is the one listed');
  if (opts.comment) assert.equal(listed[2], pub[2], 'the agent keeps the comment');
  assert.ok(readFileSync(join(out, 'fingerprints'), 'utf8').includes(fingerprintOf(pubFile)));
  const check = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'file', '-f', pubFile, '-s', join(out, 'data.sig')],
    { input: readFileSync(join(out, 'data')), encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
}

interface Registry {
  host: string;
  proc: ChildProcess;
}

const USER = 'e2e-user';
const PASSWORD = `pw-${randomName()}`;

async function startAuthRegistry(ctx: E2E): Promise<Registry> {
  const dir = await ctx.tmp('registry');
  // distribution reads bcrypt entries only (apache2-utils' htpasswd -B; provision.sh test-tools).
  const line = execFileSync('htpasswd', ['-nbB', USER, PASSWORD], { encoding: 'utf8' }).trim();
  assert.match(line, new RegExp(`^${USER}:\\$2y\\$`), 'a bcrypt entry');
  await writeFile(join(dir, 'htpasswd'), `${line}\n`);
  return serveRegistry(dir, ['  htpasswd:', '    realm: tsbuildx-e2e', `    path: ${dir}/htpasswd`]);
}

async function tagsOf(reg: Registry, repo: string): Promise<string[]> {
  const res = await fetch(`http://${reg.host}/v2/${repo}/tags/list`, {
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
  });
  if (res.status === 404) return [];
  return ((await res.json()) as { tags?: string[] }).tags ?? [];
}

/** A `docker-credential-<name>` on a PATH of its own: `ok` answers with the registry's user, `broken` fails. */
async function credentialHelper(ctx: E2E, name: string, kind: 'ok' | 'broken'): Promise<string> {
  const bin = await ctx.tmp('helper-bin');
  const script = kind === 'ok'
    ? `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\n`
    : '#!/bin/sh\necho "helper cannot reach its store"\nexit 3\n';
  await writeFile(join(bin, `docker-credential-${name}`), script);
  await chmod(join(bin, `docker-credential-${name}`), 0o755);
  return bin;
}

interface TokenRequestSeen {
  method: string;
  grantType?: string;
  clientId?: string;
  username?: string;
}

interface TokenRegistry extends Registry {
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
async function startTokenRegistry(ctx: E2E): Promise<TokenRegistry> {
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
async function serveRegistry(dir: string, auth: string[]): Promise<{ host: string; proc: ChildProcess }> {
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

e2eSuitePerDriver('session: ssh forwarding, registry credentials, entitlements', (ctx, d) => {
  let agent: Agent;
  let registry: Registry;
  let tokenRegistry: TokenRegistry | undefined;
  const builders = containerBuilders(ctx);
  before(async () => {
    agent = await sshAgent(ctx);
    registry = await startAuthRegistry(ctx);
  });
  after(() => {
    if (agent?.pid) process.kill(agent.pid);
    registry?.proc.kill();
    tokenRegistry?.proc.kill();
    tokenRegistry?.server.close();
  });

  const outDir = () => ctx.path('ssh-out');

  it('--ssh default=<agent socket>: the agent\'s key is listed and signs inside RUN --mount=type=ssh', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await sshContext(ctx, d.baseImage, 'default', `${agent.key}.pub`);
    const out = outDir();
    const r = await ctx.buildx(['build', '--no-cache', '--progress=plain', '--ssh', `default=${agent.sock}`, '-o', `type=local,dest=${out}`, dir]);
    assert.equal(r.code, 0, describeRun(r));
    assertForwarded(out, `${agent.key}.pub`, { comment: true });
  });

  it('--ssh default without a path forwards $SSH_AUTH_SOCK', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await sshContext(ctx, d.baseImage, 'default', `${agent.key}.pub`);
    const out = outDir();
    const r = await ctx.buildx(['build', '--no-cache', '--progress=plain', '--ssh', 'default', '-o', `type=local,dest=${out}`, dir],
      { env: { SSH_AUTH_SOCK: agent.sock } });
    assert.equal(r.code, 0, describeRun(r));
    assertForwarded(out, `${agent.key}.pub`, { comment: true });
  });

  for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) {
    it(`--ssh <id>=<${type} key file>: the in-process agent lists and signs with the key`, { timeout: TEST_TIMEOUT }, async () => {
      const keyDir = await ctx.tmp('keyfile');
      const key = join(keyDir, `id_${type}`);
      execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048', '-m', 'PEM'] : []), '-N', '', '-f', key]);
      const dir = await sshContext(ctx, d.baseImage, 'deploy', `${key}.pub`);
      const out = outDir();
      const r = await ctx.buildx(['build', '--no-cache', '--progress=plain', '--ssh', `deploy=${key}`, '-o', `type=local,dest=${out}`, dir],
        { env: { SSH_AUTH_SOCK: undefined } });
      assert.equal(r.code, 0, describeRun(r));
      // buildx's agent lists file keys without a comment.
      assertForwarded(out, `${key}.pub`, { comment: false });
    });
  }

  it('bad --ssh values: one line naming the value, exit 1, no build', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('ssh-bad');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN --mount=type=ssh true\n`, 'not-a-key': 'hello\n' });
    const cases: [string[], string, NodeJS.ProcessEnv?][] = [
      [['--ssh', `default=${dir}/missing.sock`],
        `ERROR: failed to build: failed to convert agent config {default [${dir}/missing.sock] false}: failed to convert agent config for ID: "default": stat ${dir}/missing.sock: no such file or directory\n`],
      [['--ssh', `default=${dir}/not-a-key`],
        `ERROR: failed to build: failed to convert agent config {default [${dir}/not-a-key] false}: failed to convert agent config for ID: "default": failed to parse ${dir}/not-a-key: ssh: no key found\n`],
      [['--ssh', 'default'], 'ERROR: failed to build: failed to convert agent config {default [] false}: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set\n',
        { SSH_AUTH_SOCK: undefined }],
    ];
    const enc = join(dir, 'encrypted');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', enc]);
    cases.push([['--ssh', `default=${enc}`],
      `ERROR: failed to build: failed to convert agent config {default [${enc}] false}: failed to convert agent config for ID: "default": failed to parse ${enc}: ssh: this private key is passphrase protected\n`]);
    for (const [args, expected, env] of cases) {
      const r = await ctx.buildx(['build', '--progress=plain', ...args, dir], { env: env as Record<string, string | undefined> });
      assert.equal(r.code, 1, describeRun(r));
      assert.equal(r.stderr, expected);
    }
  });

  if (!d.classicEngine) {
    // dockerd 20.10's BuildKit v0.8 does not check the id; later BuildKits ask the session first.
    it('an ssh mount whose id was not given fails with BuildKit\'s message', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await ctx.tmp('ssh-unset');
      await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN --mount=type=ssh,id=foo,required=true true\n` });
      const r = await ctx.buildx(['build', '--no-cache', '--progress=plain', '--ssh', `default=${agent.sock}`, dir]);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /ERROR: failed to build: failed to solve: unset ssh forward key foo\n$/);
    });
  }

  {
    // The docker driver on dockerd 20.10 has the engine push after the build (POST /images/{name}/push
    // with X-Registry-Auth); every other BuildKit (v28's embedded one too) pushes during it, asking the
    // session for credentials.
    const pushCtx = async () => {
      const dir = await ctx.tmp('push-ctx');
      await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo ${randomName()} > /stamp\n` });
      return dir;
    };
    const writeConfig = (config: object) => writeFile(join(ctx.dockerConfig, 'config.json'), JSON.stringify(config));
    after(() => writeConfig({}));

    it('pushes to an htpasswd registry with config.json auths (auth, username/password)', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await pushCtx();
      await writeConfig({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
      const r = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/auths:v1`, dir]);
      assert.equal(r.code, 0, describeRun(r));
      assert.deepEqual(await tagsOf(registry, 'e2e/auths'), ['v1']);
      // buildx shows the hand-over once per host (the session's provider), or the engine's push step.
      const step = d.classicEngine ? `pushing ${registry.host}/e2e/auths:v1 with docker` : `[auth] sharing credentials for ${registry.host}`;
      assert.equal(r.stderr.split('\n').filter((l) => /^#\d+ (\[auth\]|pushing .* with docker)/.test(l)).join('\n').replace(/#\d+/, '#N'), `#N ${step}`);
      await writeConfig({ auths: { [`http://${registry.host}`]: { username: USER, password: PASSWORD } } });
      const r2 = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/auths:v2`, dir]);
      assert.equal(r2.code, 0, describeRun(r2));
      assert.deepEqual((await tagsOf(registry, 'e2e/auths')).sort(), ['v1', 'v2']);
      assert.ok(!r.stderr.includes(PASSWORD) && !r2.stderr.includes(PASSWORD), 'the secret never reaches the output');
    });

    it('pushes with credentials from a credsStore helper, and credHelpers beats credsStore', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await pushCtx();
      const name = `e2e${ctx.id}`;
      const okBin = await credentialHelper(ctx, name, 'ok');
      const brokenBin = await credentialHelper(ctx, `${name}broken`, 'broken');
      const path = `${okBin}:${brokenBin}:${process.env.PATH ?? ''}`;
      await writeConfig({ credsStore: name });
      const r = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/store:v1`, dir], { env: { PATH: path } });
      assert.equal(r.code, 0, describeRun(r));
      assert.deepEqual(await tagsOf(registry, 'e2e/store'), ['v1']);
      await writeConfig({ credsStore: `${name}broken`, credHelpers: { [registry.host]: name } });
      const r2 = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/helpers:v1`, dir], { env: { PATH: path } });
      assert.equal(r2.code, 0, describeRun(r2));
      assert.deepEqual(await tagsOf(registry, 'e2e/helpers'), ['v1']);
    });

    if (!d.classicEngine) it('bearer-token registry: the client fetches the token itself (OAuth2 POST, password grant) for the daemon', { timeout: TEST_TIMEOUT }, async () => {
      tokenRegistry = await startTokenRegistry(ctx);
      const dir = await pushCtx();
      await writeConfig({ auths: { [tokenRegistry.host]: { username: USER, password: PASSWORD } } });
      const r = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${tokenRegistry.host}/e2e/token:v1`, dir]);
      assert.equal(r.code, 0, describeRun(r));
      // The daemon alone would GET first; buildx's provider answers FetchToken with a POST from this client.
      assert.ok(tokenRegistry.seen.length > 0, 'the token server was asked');
      assert.deepEqual(tokenRegistry.seen[0], { method: 'POST', grantType: 'password', clientId: 'buildkit-client', username: USER });
      assert.ok(tokenRegistry.seen.every((q) => q.method === 'POST'), JSON.stringify(tokenRegistry.seen));
      assert.match(r.stderr, new RegExp(`\\[auth\\] e2e/token:pull,push token for ${tokenRegistry.host.replace(/\./g, '\\.')}`));
      assert.ok(!r.stderr.includes(PASSWORD));
      const res = await fetch(`http://${tokenRegistry.host}/v2/e2e/token/tags/list`);
      assert.equal(res.status, 401, 'the registry really wants a token');
    });

    it('wrong credentials: the push fails with the registry\'s 401', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await pushCtx();
      await writeConfig({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:wrong`).toString('base64') } } });
      const r = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/wrong:v1`, dir]);
      assert.equal(r.code, 1, describeRun(r));
      const blob = `http://${registry.host.replace(/\./g, '\\.')}/v2/e2e/wrong/blobs/sha256:[0-9a-f]{64}`;
      if (d.classicEngine) assert.match(r.stderr, /ERROR: failed to build: unauthorized: authentication required\n$/);
      else assert.match(r.stderr, new RegExp(`ERROR: failed to build: failed to solve: failed to push ${registry.host.replace(/\./g, '\\.')}/e2e/wrong:v1: unexpected status from HEAD request to ${blob}: 401 Unauthorized\n$`));
      assert.deepEqual(await tagsOf(registry, 'e2e/wrong'), []);
    });

    it('a failing or missing credential helper: one line naming it, exit 1, nothing pushed', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await pushCtx();
      const name = `e2e${ctx.id}broken`;
      const bin = await credentialHelper(ctx, name, 'broken');
      await writeConfig({ credsStore: name });
      const r = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/broken:v1`, dir],
        { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
      assert.equal(r.code, 1, describeRun(r));
      assert.equal(r.stderr, `ERROR: failed to build: ${registry.host}: error getting credentials - err: exit status 3, out: \`helper cannot reach its store\`\n`);
      await writeConfig({ credHelpers: { [registry.host]: `absent${ctx.id}` } });
      const r2 = await ctx.buildx(['build', '--progress=plain', '--push', '-t', `${registry.host}/e2e/broken:v1`, dir]);
      assert.equal(r2.code, 1, describeRun(r2));
      assert.equal(r2.stderr,
        `ERROR: failed to build: ${registry.host}: error getting credentials - err: exec: "docker-credential-absent${ctx.id}": executable file not found in $PATH, out: \`\`\n`);
      assert.deepEqual(await tagsOf(registry, 'e2e/broken'), []);
    });
  }

  if (d.name === 'docker-container') {
    const insecureDockerfile = (base: string) => `FROM ${base}\nRUN --security=insecure grep CapEff /proc/self/status > /caps\nFROM scratch\nCOPY --from=0 /caps /\n`;

    it('--allow security.insecure on a builder started with --allow-insecure-entitlement: RUN --security=insecure gets every capability', { timeout: TEST_TIMEOUT }, async () => {
      const name = builders.name('ins');
      const created = await ctx.buildx([...builders.createArgs(name, '--buildkitd-flags', '--allow-insecure-entitlement security.insecure'), '--bootstrap'],
        { timeoutMs: 120_000 });
      assert.equal(created.code, 0, describeRun(created));
      const dir = await ctx.tmp('insecure');
      await writeTree(dir, { Dockerfile: insecureDockerfile(d.baseImage) });
      const out = outDir();
      const r = await ctx.buildx(['build', '--builder', name, '--no-cache', '--progress=plain', '--allow', 'security.insecure', '-o', `type=local,dest=${out}`, dir]);
      assert.equal(r.code, 0, describeRun(r));
      // BuildKit's sandbox never grants CAP_SYS_ADMIN (bit 21); an insecure step has the daemon's full set.
      const caps = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(readFileSync(join(out, 'caps'), 'utf8'))![1]}`);
      assert.ok((caps >> 21n) & 1n, `CapEff ${caps.toString(16)} lacks CAP_SYS_ADMIN`);
      const sandboxed = await ctx.buildx(['build', '--builder', name, '--no-cache', '--progress=plain', '-o', `type=local,dest=${outDir()}`, dir]);
      assert.equal(sandboxed.code, 1, describeRun(sandboxed));
      assert.match(sandboxed.stderr, /security\.insecure is not allowed/);
    });

    it('without the daemon\'s --allow-insecure-entitlement, --allow security.insecure is refused as buildx shows it', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await ctx.tmp('insecure-refused');
      await writeTree(dir, { Dockerfile: insecureDockerfile(d.baseImage) });
      const r = await ctx.buildx(['build', '--no-cache', '--progress=plain', '--allow', 'security.insecure', dir]);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /ERROR: failed to build: failed to solve: granting entitlement security\.insecure is not allowed by build daemon configuration\n$/);
    });
  }
});
