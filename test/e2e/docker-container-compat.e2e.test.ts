// docker-container builders shared with Go buildx: one booted by reference buildx is listed, inspected,
// built on, stopped and removed by tsbuildx, and one booted by tsbuildx is listed, inspected, built on
// and removed by reference buildx. Both tools must find the same container and state volume.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { containerBuilders, PROJECT_OUTPUT } from './container-builders.js';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';
import { REFERENCE_BUILDX as REF } from './buildkitd-daemon.js';


e2eSuite('docker-container builders shared with reference buildx', (ctx) => {
  const fx = containerBuilders(ctx);
  let store = '';
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

  before(async () => {
    store = await ctx.tmp('buildx-config');
  });

  it('a builder booted by reference buildx is listed, inspected, built on, stopped and removed by tsbuildx', { timeout: TEST_TIMEOUT }, async () => {
    const name = fx.name('go');
    const node = `${name}0`;
    assert.equal(out(await ok(ref([...fx.createArgs(name), '--bootstrap']))), `${name}\n`);
    assert.equal(await fx.containerState(`buildx_buildkit_${node}`), 'running');

    const ls = out(await ok(ts(['ls'])));
    assert.match(ls, new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +running +v0\\.32\\.2 `, 'm'));
    assert.equal(strip(out(await ok(ts(['inspect', name])))), strip(out(await ok(ref(['inspect', name])))));

    const dest = ctx.path('out');
    await ok(ts(['build', '--builder', name, '--progress', 'plain', '-o', `type=local,dest=${dest}`, fx.project]));
    assert.equal(await readFile(join(dest, 'out.txt'), 'utf8'), PROJECT_OUTPUT);

    await ok(ts(['stop', name]));
    assert.equal(await fx.containerState(`buildx_buildkit_${node}`), 'exited');
    assert.match(out(await ok(ref(['ls']))), new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +stopped`, 'm'));

    const rm = await ok(ts(['rm', name]));
    assert.equal(rm.stderr, `${name} removed\n`);
    assert.equal(await fx.containerState(`buildx_buildkit_${node}`), 'missing');
    assert.equal(await fx.volumeExists(`buildx_buildkit_${node}_state`), false);
    assert.ok(!(await readdir(join(store, 'instances'))).includes(name));
  });

  it('a builder booted by tsbuildx is listed, inspected, built on and removed by reference buildx', { timeout: TEST_TIMEOUT }, async () => {
    const name = fx.name('ts');
    const node = `${name}0`;
    assert.equal(out(await ok(ts([...fx.createArgs(name), '--bootstrap']))), `${name}\n`);
    assert.equal(await fx.containerState(`buildx_buildkit_${node}`), 'running');

    assert.match(out(await ok(ref(['ls']))), new RegExp(`^ \\\\_ ${node} +\\\\_ unix:///var/run/docker.sock +running +v0\\.32\\.2 `, 'm'));
    assert.equal(strip(out(await ok(ref(['inspect', name])))), strip(out(await ok(ts(['inspect', name])))));

    // Reference buildx builds on the daemon tsbuildx configured (the registry config must be in place).
    const dest = ctx.path('out');
    await ok(ref(['build', '--builder', name, '--progress', 'plain', '-o', `type=local,dest=${dest}`, fx.project]));
    assert.equal(await readFile(join(dest, 'out.txt'), 'utf8'), PROJECT_OUTPUT);

    const rm = await ok(ref(['rm', name]));
    assert.equal(rm.stderr, `${name} removed\n`);
    assert.equal(await fx.containerState(`buildx_buildkit_${node}`), 'missing');
    assert.equal(await fx.volumeExists(`buildx_buildkit_${node}_state`), false);
  });
});
