// `dial-stdio` as other tools use it: a real buildctl talks BuildKit's gRPC through a unix socket whose every
// connection is one `buildx dial-stdio` process, on each driver's builder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { BUILDCTL } from './buildkitd-daemon.js';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, run, RUN_JS, TEST_TIMEOUT, writeTree } from './helpers.js';

interface Proxy {
  pid: number;
  exited: Promise<{ code: number | null; stderr: string }>;
}

e2eSuitePerDriver('dial-stdio', (ctx, d) => {
  let socketPath = '';
  let server: net.Server | undefined;
  const proxies: Proxy[] = [];

  before(async () => {
    socketPath = join(await ctx.tmp('dial'), 'buildkit.sock');
    server = net.createServer((conn) => {
      conn.on('error', () => undefined);
      proxies.push(proxyConnection(conn, ctx.env));
    });
    await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  });
  after(async () => {
    for (const p of proxies) killQuietly(p.pid);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('carries buildctl: workers, then a build exported to a local directory', { timeout: TEST_TIMEOUT }, async () => {
    const addr = `unix://${socketPath}`;
    const workers = await run(BUILDCTL, ['--addr', addr, 'debug', 'workers'], { timeoutMs: 60_000 });
    assert.equal(workers.code, 0, describeRun(workers));
    assert.match(workers.stdout.toString('utf8'), /^ID\s+PLATFORMS\n\S+\s+linux\/amd64/);

    const nonce = randomName();
    const dir = await ctx.tmp('ctx');
    await writeTree(dir, { Dockerfile: 'FROM scratch\nCOPY hello /hello\n', hello: `world-${nonce}\n` });
    const dest = ctx.path('out');
    const built = await run(BUILDCTL, ['--addr', addr, 'build', '--frontend', 'dockerfile.v0', '--local', `context=${dir}`,
      '--local', `dockerfile=${dir}`, '--output', `type=local,dest=${dest}`], { timeoutMs: 120_000 });
    assert.equal(built.code, 0, describeRun(built));
    assert.equal(await readFile(join(dest, 'hello'), 'utf8'), `world-${nonce}\n`);

    // Each connection buildctl made was one proxy; once buildctl hung up, every one ended cleanly.
    assert.ok(proxies.length >= 2, `one dial-stdio per connection, got ${proxies.length}`);
    for (const p of proxies) {
      const r = await Promise.race([p.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000).unref())]);
      assert.ok(r, 'dial-stdio still running after its client closed');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^#0 builder: ${d.builder}\\n\\n#1 Proxying to builder\\n#1 Dialing builder( [0-9.]+s)? done\\n`));
      assert.match(r.stderr, /\n#1 DONE [0-9.]+s\n$/);
    }
  });

  it('refuses a bad --platform with one line, exit 1, and nothing dialed', { timeout: TEST_TIMEOUT }, async () => {
    const r = await ctx.buildx(['dial-stdio', '--platform', 'linux/amd64/v9/x'], { timeoutMs: 30_000 });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /^ERROR: invalid platform "linux\/amd64\/v9\/x": .+\n$/);
    assert.equal(r.stdout.length, 0);
  });

  it('a platform no node builds for is refused before any byte is proxied', { timeout: TEST_TIMEOUT }, async () => {
    const r = await ctx.buildx(['dial-stdio', '--platform', 'windows/amd64'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.stderr, 'ERROR: no nodes available\n');
    assert.equal(r.stdout.length, 0);
  });
});

/** One `dial-stdio` for one connection: socket bytes into its stdin, its stdout back; its stderr kept. */
function proxyConnection(conn: net.Socket, env: NodeJS.ProcessEnv): Proxy {
  const child = spawn(process.execPath, [RUN_JS, 'dial-stdio', '--progress', 'plain'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => undefined);
  conn.pipe(child.stdin);
  // A connection that dies on an error (EPIPE when buildctl hangs up while a reply is on its way) never
  // emits 'end', so pipe() would leave the proxy's stdin open: a hung-up client is still a closed stdin.
  conn.once('close', () => child.stdin.end());
  child.stdout.pipe(conn);
  const exited = once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
  return { pid: child.pid ?? -1, exited };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
