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
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import { credentialHelper, PASSWORD, startAuthRegistry, startTokenRegistry, tagsOf, USER, type Registry, type TokenRegistry } from './auth-registries.js';
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
