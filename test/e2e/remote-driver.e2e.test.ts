// The `remote` driver against a real, bare buildkitd that this test starts itself (rootful, its own
// root and sockets), reached over unix:// and tcp://, with builds driven through the library API. The
// session travels through the Control.Session tunnel, so a `local` export arriving proves it works.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getFactory, runBuild, silentBootstrap, type Driver, type ProgressWriter } from '../../src/index.js';
import { freePort, REGISTRY, startBuildkitd, stopBuildkitd } from './buildkitd-daemon.js';

const SKIP = Boolean(process.env.TSBUILDX_SKIP_E2E);

function quietProgress(): ProgressWriter {
  return { write() {}, async close() {}, warnings: [] };
}

async function remoteDriver(endpoint: string, driverOpts: Record<string, string> = {}): Promise<Driver> {
  return (await getFactory('remote')).create({ name: 'remote-e2e', endpoint, driverOpts });
}

function openssl(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A throwaway CA with a server certificate for `buildkitd-e2e`/127.0.0.1 and a client certificate. */
async function makeCerts(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tsbuildx e2e CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:buildkitd-e2e,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(dir, ['req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    openssl(dir, ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${who}.pem`, '-days', '2', '-extfile', `${who}.ext`]);
  }
}

describe('remote driver against a bare buildkitd', { skip: SKIP }, () => {
  let dir = '';
  let daemon: ChildProcess | undefined;
  let unixEndpoint = '';
  let tcpEndpoint = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuildx-remote-'));
    tcpEndpoint = `tcp://127.0.0.1:${await freePort()}`;
    const d = await startBuildkitd(dir, ['--addr', tcpEndpoint]);
    daemon = d.proc;
    unixEndpoint = d.unixEndpoint;
  });

  after(async () => {
    await stopBuildkitd(daemon);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  });

  it('reports running and the daemon version over both endpoints', async () => {
    for (const ep of [unixEndpoint, tcpEndpoint]) {
      const d = await remoteDriver(ep);
      assert.equal(d.isMobyDriver, false);
      assert.equal(await d.status(), 'running', ep);
      assert.equal(await d.version(), 'v0.32.2', ep);
      await d.bootstrap(silentBootstrap);
    }
  });

  it('reports inactive for an endpoint nobody listens on', async () => {
    const d = await remoteDriver(`tcp://127.0.0.1:${await freePort()}`);
    assert.equal(await d.status({ signal: AbortSignal.timeout(5000) }), 'inactive');
    const u = await remoteDriver(`unix://${dir}/nothing.sock`);
    assert.equal(await u.status({ signal: AbortSignal.timeout(5000) }), 'inactive');
  });

  for (const which of ['unix', 'tcp'] as const) {
    it(`builds with a local export over ${which}://`, { timeout: 180_000 }, async () => {
      const ctx = join(dir, `ctx-${which}`);
      const out = join(dir, `out-${which}`);
      await mkdir(ctx, { recursive: true });
      await writeFile(join(ctx, 'Dockerfile'), `FROM ${REGISTRY}/busybox:latest\nCOPY greeting /greeting\nRUN echo hi > /x\n`);
      // A context file makes the daemon pull through FileSync as well as push through FileSend.
      await writeFile(join(ctx, 'greeting'), `hello over ${which}\n`);
      const driver = await remoteDriver(which === 'unix' ? unixEndpoint : tcpEndpoint);
      const res = await runBuild(
        { driver, builderName: 'remote-e2e', nodeName: 'remote-e2e0', nodeId: `node-${which}` },
        {
          context: { kind: 'dir', path: ctx },
          exports: [{ type: 'local', attrs: {}, output: { kind: 'dir', path: out } }],
        },
        { progress: quietProgress() },
      );
      assert.ok(res.ref);
      assert.equal(await readFile(join(out, 'x'), 'utf8'), 'hi\n');
      assert.equal(await readFile(join(out, 'greeting'), 'utf8'), `hello over ${which}\n`);
      // busybox itself came along: the export is the whole root filesystem.
      assert.ok(existsSync(join(out, 'bin', 'busybox')));
    });
  }

  it('runs two builds back to back on one driver (sessions close cleanly)', { timeout: 180_000 }, async () => {
    const driver = await remoteDriver(unixEndpoint);
    for (const n of [1, 2]) {
      const ctx = join(dir, `ctx-seq-${n}`);
      const out = join(dir, `out-seq-${n}`);
      await mkdir(ctx, { recursive: true });
      await writeFile(join(ctx, 'Dockerfile'), `FROM ${REGISTRY}/busybox:latest\nRUN echo run${n} > /n\n`);
      await runBuild(
        { driver, builderName: 'remote-e2e', nodeName: 'remote-e2e0', nodeId: 'node-seq' },
        { context: { kind: 'dir', path: ctx }, exports: [{ type: 'local', attrs: {}, output: { kind: 'dir', path: out } }] },
        { progress: quietProgress() },
      );
      assert.equal(await readFile(join(out, 'n'), 'utf8'), `run${n}\n`);
    }
  });
});

describe('remote driver over TLS (mutual)', { skip: SKIP }, () => {
  let dir = '';
  let daemon: ChildProcess | undefined;
  let endpoint = '';
  let certs = '';
  const tlsOpts = () => ({
    cacert: join(certs, 'ca.pem'), cert: join(certs, 'client.pem'), key: join(certs, 'client.key'), servername: 'buildkitd-e2e',
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuildx-remote-tls-'));
    certs = join(dir, 'certs');
    await mkdir(certs);
    await makeCerts(certs);
    endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const d = await startBuildkitd(dir, ['--addr', endpoint, '--tlscacert', join(certs, 'ca.pem'),
      '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server.key')]);
    daemon = d.proc;
  });

  after(async () => {
    await stopBuildkitd(daemon);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  });

  it('answers with a client certificate and verifies the server name', async () => {
    const d = await remoteDriver(endpoint, tlsOpts());
    assert.equal(await d.status(), 'running');
    assert.equal(await d.version(), 'v0.32.2');
    // The certificate names 127.0.0.1 too, so the endpoint host works as the default server name.
    const { servername: _, ...noName } = tlsOpts();
    assert.equal(await (await remoteDriver(endpoint, noName)).status(), 'running');
  });

  it('is inactive without a client certificate or with a wrong server name', async () => {
    const { cacert } = tlsOpts();
    assert.equal(await (await remoteDriver(endpoint, { cacert })).status({ signal: AbortSignal.timeout(5000) }), 'inactive');
    assert.equal(await (await remoteDriver(endpoint, { ...tlsOpts(), servername: 'someone-else' })).status({ signal: AbortSignal.timeout(5000) }), 'inactive');
  });

  it('builds with a local export over TLS', { timeout: 180_000 }, async () => {
    const ctx = join(dir, 'ctx');
    const out = join(dir, 'out');
    await mkdir(ctx);
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${REGISTRY}/busybox:latest\nRUN echo hi > /x\n`);
    const driver = await remoteDriver(endpoint, tlsOpts());
    await runBuild(
      { driver, builderName: 'remote-e2e', nodeName: 'remote-e2e0', nodeId: 'node-tls' },
      { context: { kind: 'dir', path: ctx }, exports: [{ type: 'local', attrs: {}, output: { kind: 'dir', path: out } }] },
      { progress: quietProgress() },
    );
    assert.equal(await readFile(join(out, 'x'), 'utf8'), 'hi\n');
  });
});

describe('remote driver options', () => {
  const create = async (endpoint: string, driverOpts: Record<string, string>) =>
    (await getFactory('remote')).create({ name: 'r', endpoint, driverOpts });

  it('rejects unknown options', async () => {
    await assert.rejects(create('tcp://127.0.0.1:1234', { foo: 'bar' }), { message: 'invalid driver option foo for remote driver' });
  });

  it('requires absolute paths for TLS files', async () => {
    await assert.rejects(create('tcp://127.0.0.1:1234', { cacert: 'ca.pem' }), { message: "non-absolute path 'ca.pem' provided for cacert" });
    await assert.rejects(create('tcp://127.0.0.1:1234', { cacert: '/ca.pem', cert: 'c.pem', key: '/k.pem' }),
      { message: "non-absolute path 'c.pem' provided for cert" });
  });

  it('requires cacert and both halves of the client key pair once TLS is on', async () => {
    await assert.rejects(create('tcp://127.0.0.1:1234', { servername: 'x' }), { message: /^tls enabled, but missing keys cacert/ });
    await assert.rejects(create('tcp://127.0.0.1:1234', { cacert: '/ca.pem', cert: '/c.pem' }), { message: /^tls enabled, but missing keys key/ });
    await assert.rejects(create('tcp://127.0.0.1:1234', { cacert: '/ca.pem', key: '/k.pem' }), { message: /^tls enabled, but missing keys cert/ });
    await create('tcp://127.0.0.1:1234', { cacert: '/ca.pem', cert: '/c.pem', key: '/k.pem', servername: 'bk' });
  });

  it('rejects endpoints it cannot dial', async () => {
    await assert.rejects(create('ftp://x', {}), { message: 'unrecognized url scheme ftp' });
    await assert.rejects(create('', {}), { message: 'no remote endpoint provided' });
  });

  it('adds Default load only when asked', async () => {
    assert.deepEqual([...await (await create('unix:///x.sock', {})).features()].sort(),
      ['Cache export', 'Direct push', 'Docker exporter', 'Multi-platform build', 'OCI exporter']);
    assert.ok((await (await create('unix:///x.sock', { 'default-load': 'true' })).features()).has('Default load'));
  });
});
