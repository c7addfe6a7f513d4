// docker-container builders shared with Go buildx: one booted by reference buildx is listed, inspected,
// built on, stopped and removed by tsbuildx, and one booted by tsbuildx is listed, inspected, built on
// and removed by reference buildx. Both tools must find the same container and state volume.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, writeTree, type RunResult } from './helpers.js';

const REF = join(process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env', 'bin', 'buildx');
const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';

e2eSuite('docker-container builders shared with reference buildx', (ctx) => {
  let store = '';
  let config = '';
  let project = '';
  const made: string[] = [];
  const env = () => ({ BUILDX_CONFIG: store, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined });
  const ts = (args: string[]): Promise<RunResult> => ctx.buildx(args, { env: env(), timeoutMs: 150_000 });
  const ref = (args: string[]): Promise<RunResult> => run(REF, args, { env: env(), timeoutMs: 150_000 }, ctx.env);
  const ok = async (p: Promise<RunResult>): Promise<RunResult> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r;
  };
  const out = (r: RunResult) => r.stdout.toString('utf8');
  const strip = (s: string) => s.replace(/^Last Activity:.*\n/m, '');
  const containerState = async (name: string): Promise<string> => {
    const r = await ctx.docker(['container', 'inspect', '--format', '{{.State.Status}}', name], { timeoutMs: 30_000 });
    return r.code === 0 ? r.stdout.toString('utf8').trim() : 'missing';
  };
  const volumeExists = async (name: string) => (await ctx.docker(['volume', 'inspect', name], { timeoutMs: 30_000 })).code === 0;
  const createArgs = (name: string) => ['create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host', '--buildkitd-config', config];

  before(async () => {
    store = await ctx.tmp('buildx-config');
    config = join(await ctx.tmp('bk-config'), 'buildkitd.toml');
    await writeFile(config, `[registry."${REGISTRY}"]\n  http = true\n  insecure = true\n`);
    project = await ctx.tmp('project');
    await writeTree(project, {
      Dockerfile: `FROM ${REGISTRY}/busybox:latest\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /out.txt && echo built >> /out.txt\n`,
      'hello.txt': 'hello from the context\n',
    });
  });

  after(async () => {
    for (const node of made) {
      await ctx.docker(['rm', '-f', '-v', `buildx_buildkit_${node}`], { timeoutMs: 60_000 }).catch(() => undefined);
      await ctx.docker(['volume', 'rm', '-f', `buildx_buildkit_${node}_state`], { timeoutMs: 60_000 }).catch(() => undefined);
    }
  }, { timeout: 120_000 });

  it('a builder booted by reference buildx is listed, inspected, built on, stopped and removed by tsbuildx', { timeout: TEST_TIMEOUT }, async () => {
    const name = `go${ctx.id}`;
    const node = `${name}0`;
    made.push(node);
    assert.equal(out(await ok(ref([...createArgs(name), '--bootstrap']))), `${name}\n`);
    assert.equal(await containerState(`buildx_buildkit_${node}`), 'running');

    const ls = out(await ok(ts(['ls'])));
    assert.match(ls, new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +running +v0\\.32\\.2 `, 'm'));
    assert.equal(strip(out(await ok(ts(['inspect', name])))), strip(out(await ok(ref(['inspect', name])))));

    const dest = ctx.path('out');
    await ok(ts(['build', '--builder', name, '--progress', 'plain', '-o', `type=local,dest=${dest}`, project]));
    assert.equal(await readFile(join(dest, 'out.txt'), 'utf8'), 'hello from the context\nbuilt\n');

    await ok(ts(['stop', name]));
    assert.equal(await containerState(`buildx_buildkit_${node}`), 'exited');
    assert.match(out(await ok(ref(['ls']))), new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +stopped`, 'm'));

    const rm = await ok(ts(['rm', name]));
    assert.equal(rm.stderr, `${name} removed\n`);
    assert.equal(await containerState(`buildx_buildkit_${node}`), 'missing');
    assert.equal(await volumeExists(`buildx_buildkit_${node}_state`), false);
    assert.ok(!(await readdir(join(store, 'instances'))).includes(name));
  });

  it('a builder booted by tsbuildx is listed, inspected, built on and removed by reference buildx', { timeout: TEST_TIMEOUT }, async () => {
    const name = `ts${ctx.id}`;
    const node = `${name}0`;
    made.push(node);
    assert.equal(out(await ok(ts([...createArgs(name), '--bootstrap']))), `${name}\n`);
    assert.equal(await containerState(`buildx_buildkit_${node}`), 'running');

    assert.match(out(await ok(ref(['ls']))), new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +running +v0\\.32\\.2 `, 'm'));
    assert.equal(strip(out(await ok(ref(['inspect', name])))), strip(out(await ok(ts(['inspect', name])))));

    // Reference buildx builds on the daemon tsbuildx configured (the registry config must be in place).
    const dest = ctx.path('out');
    await ok(ref(['build', '--builder', name, '--progress', 'plain', '-o', `type=local,dest=${dest}`, project]));
    assert.equal(await readFile(join(dest, 'out.txt'), 'utf8'), 'hello from the context\nbuilt\n');

    const rm = await ok(ref(['rm', name]));
    assert.equal(rm.stderr, `${name} removed\n`);
    assert.equal(await containerState(`buildx_buildkit_${node}`), 'missing');
    assert.equal(await volumeExists(`buildx_buildkit_${node}_state`), false);
  });
});
