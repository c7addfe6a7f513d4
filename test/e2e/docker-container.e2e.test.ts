// The docker-container driver against the real dockerd: the CLI creates and boots a builder container,
// which is checked with `docker inspect`, built on, stopped and removed; a daemon that dies at start fails
// the boot with its log; two builds on a never-booted builder share one container; closing a client ends
// its `buildctl dial-stdio` exec. Every container and volume is named after this run and removed at the end.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { getFactory } from '../../src/index.js';
import { containerBuilders, PROJECT_OUTPUT } from './container-builders.js';
import { BASE_IMAGE, describeRun, e2eSuite, poll, TEST_TIMEOUT, type RunResult } from './helpers.js';

const BUILDKIT_VERSION = 'v0.32.2';
const MARKER = 'tsbuildx-e2e: buildkitd refuses to start';

e2eSuite('docker-container driver', (ctx) => {
  const fx = containerBuilders(ctx);
  const out = (r: RunResult) => r.stdout.toString('utf8');
  const ok = async (p: Promise<RunResult>): Promise<RunResult> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r;
  };
  const ts = (args: string[]) => ctx.buildx(args, { timeoutMs: 150_000 });
  const builderName = (what: string): string => fx.name(what);
  const container = (name: string) => `buildx_buildkit_${name}0`;
  const volume = (name: string) => `buildx_buildkit_${name}0_state`;
  const state = (ctr: string) => fx.containerState(ctr);
  const volumeExists = (v: string) => fx.volumeExists(v);
  const createArgs = (name: string, ...extra: string[]) => fx.createArgs(name, ...extra);
  const build = (name: string, dest: string) =>
    ts(['build', '--builder', name, '--progress', 'plain', '-o', `type=local,dest=${dest}`, fx.project]);
  const dialStdioCount = async (ctr: string): Promise<number> => {
    const ps = out(await ok(ctx.docker(['exec', ctr, 'ps', '-o', 'args'], { timeoutMs: 30_000 })));
    return ps.split('\n').filter((l) => l.startsWith('buildctl dial-stdio')).length;
  };

  it('create --bootstrap runs buildkitd in a container configured from the options; build, stop and rm', { timeout: TEST_TIMEOUT }, async () => {
    const name = builderName('dc');
    const ctr = container(name);
    const created = await ok(ts([...createArgs(name, '--driver-opt', 'env.TSBX_E2E=yes,memory=768m,cpu-shares=512', '--buildkitd-flags', '--debug'), '--bootstrap']));
    assert.equal(out(created), `${name}\n`);
    assert.equal(await state(ctr), 'running');

    assert.match(out(await ok(ts(['ls']))), new RegExp(`^ \\\\_ ${name}0 +\\\\_ unix:///var/run/docker.sock +running +${BUILDKIT_VERSION} `, 'm'));
    const inspect = out(await ok(ts(['inspect', name])));
    assert.match(inspect, /^Status: +running$/m);
    assert.match(inspect, new RegExp(`^BuildKit version: +${BUILDKIT_VERSION}$`, 'm'));
    assert.match(inspect, /^BuildKit daemon flags: +--debug --allow-insecure-entitlement=network.host$/m);

    const [info] = JSON.parse(out(await ok(ctx.docker(['container', 'inspect', ctr])))) as {
      Config: { Image: string; Env: string[]; Cmd: string[] };
      HostConfig: { Privileged: boolean; Init: boolean; NetworkMode: string; Memory: number; CpuShares: number; RestartPolicy: { Name: string }; CgroupParent: string };
      Mounts: { Type: string; Name: string; Destination: string }[];
    }[];
    assert.equal(info!.Config.Image, 'moby/buildkit:buildx-stable-1');
    assert.ok(info!.Config.Env.includes('TSBX_E2E=yes'), info!.Config.Env.join(' '));
    assert.deepEqual(info!.Config.Cmd, ['--config', '/etc/buildkit/buildkitd.toml', '--debug', '--allow-insecure-entitlement=network.host']);
    assert.equal(info!.HostConfig.Privileged, true);
    assert.equal(info!.HostConfig.Init, true);
    assert.equal(info!.HostConfig.NetworkMode, 'host');
    assert.equal(info!.HostConfig.Memory, 768 * 1024 * 1024);
    assert.equal(info!.HostConfig.CpuShares, 512);
    assert.equal(info!.HostConfig.RestartPolicy.Name, 'unless-stopped');
    const cgroupDriver = out(await ok(ctx.docker(['info', '--format', '{{.CgroupDriver}}']))).trim();
    assert.equal(info!.HostConfig.CgroupParent, cgroupDriver === 'cgroupfs' ? '/docker/buildx' : '');
    assert.deepEqual(info!.Mounts.map((m) => [m.Type, m.Name, m.Destination]), [['volume', volume(name), '/var/lib/buildkit']]);
    // The container gets the config as stored with the builder (which create may have re-encoded).
    const stored = JSON.parse(await readFile(join(ctx.dockerConfig, 'buildx', 'instances', name), 'utf8')) as { Nodes: { Files: Record<string, string> }[] };
    const storedConfig = Buffer.from(stored.Nodes[0]!.Files['buildkitd.toml']!, 'base64').toString('utf8');
    assert.match(storedConfig, /127\.0\.0\.1:5000/);
    assert.equal(out(await ok(ctx.docker(['exec', ctr, 'cat', '/etc/buildkit/buildkitd.toml']))), storedConfig);
    assert.match(out(await ok(ctx.docker(['exec', ctr, 'ls', '-ld', '/etc/buildkit', '/etc/buildkit/buildkitd.toml']))),
      /^drwxr-xr-x .* \/etc\/buildkit\n-rw-r--r-- .* \/etc\/buildkit\/buildkitd.toml\n$/);

    const dest = ctx.path('out');
    await ok(build(name, dest));
    assert.equal(await readFile(join(dest, 'out.txt'), 'utf8'), 'hello from the context\nbuilt\n');

    await ok(ts(['stop', name]));
    assert.equal(await state(ctr), 'exited');
    assert.match(out(await ok(ts(['ls']))), new RegExp(`^ \\\\_ ${name}0 +\\\\_ unix:///var/run/docker.sock +stopped`, 'm'));

    // A stopped builder is started again by the next build.
    const again = await ok(build(name, ctx.path('out2')));
    assert.match(again.stderr, new RegExp(`starting container ${ctr}`));
    assert.equal(await state(ctr), 'running');

    const rm = await ok(ts(['rm', name]));
    assert.equal(rm.stderr, `${name} removed\n`);
    assert.equal(await state(ctr), 'missing');
    assert.equal(await volumeExists(volume(name)), false);
  });

  it('rm --keep-state keeps the state volume; rm --keep-daemon keeps the container', { timeout: TEST_TIMEOUT }, async () => {
    const kept = builderName('ks');
    await ok(ts([...createArgs(kept), '--bootstrap']));
    await ok(ts(['rm', '--keep-state', kept]));
    assert.equal(await state(container(kept)), 'missing');
    assert.equal(await volumeExists(volume(kept)), true);

    const daemon = builderName('kd');
    await ok(ts([...createArgs(daemon), '--bootstrap']));
    await ok(ts(['rm', '--keep-daemon', daemon]));
    assert.equal(await state(container(daemon)), 'running');
    assert.equal(await volumeExists(volume(daemon)), true);
    assert.doesNotMatch(out(await ok(ts(['ls']))), new RegExp(daemon));
  });

  it('a buildkitd that exits at once fails the boot with the container log in the error', { timeout: TEST_TIMEOUT }, async () => {
    const image = ctx.tag('crashing-buildkitd');
    const tmp = `tsbuildx-e2e-${ctx.id}-crash-src`;
    await ok(ctx.docker(['create', '--name', tmp, BASE_IMAGE, 'true']));
    try {
      await ok(ctx.docker(['commit', '--change', `ENTRYPOINT ["/bin/sh", "-c", "echo '${MARKER}'; exit 1"]`, tmp, image]));
    } finally {
      await ctx.docker(['rm', '-f', tmp]);
    }
    const name = builderName('crash');
    const r = await ts([...createArgs(name, '--driver-opt', `image=${image}`), '--bootstrap']);
    assert.equal(r.code, 1, describeRun(r));
    const error = r.stderr.slice(r.stderr.lastIndexOf('ERROR: '));
    assert.match(error.split('\n')[0]!, new RegExp(`^ERROR: buildkitd in container ${container(name)} did not become ready`));
    assert.ok(error.includes(MARKER), error);
    await ok(ts(['rm', name]));
    assert.equal(await state(container(name)), 'missing');
  });

  it('two builds at once on a never-booted builder share one container and both succeed', { timeout: TEST_TIMEOUT }, async () => {
    const name = builderName('par');
    await ok(ts(createArgs(name)));
    assert.equal(await state(container(name)), 'missing');
    const dests = [ctx.path('par-a'), ctx.path('par-b')];
    const results = await Promise.all(dests.map((d) => build(name, d)));
    for (const r of results) assert.equal(r.code, 0, describeRun(r));
    // Each build shows the boot as its first step, as buildx does; the container itself is created once.
    for (const r of results) assert.match(r.stderr, /^#1 \[internal\] booting buildkit\n/m, describeRun(r));
    const creating = results.filter((r) => new RegExp(`^#1 creating container ${container(name)} [\\d.]+s done$`, 'm').test(r.stderr));
    assert.ok(creating.length >= 1, results.map(describeRun).join('\n'));
    for (const d of dests) assert.equal(await readFile(join(d, 'out.txt'), 'utf8'), PROJECT_OUTPUT);
    const all = out(await ok(ctx.docker(['ps', '-a', '--format', '{{.Names}}', '--filter', `name=${container(name)}`]))).trim().split('\n');
    assert.deepEqual(all, [container(name)]);
    await ok(ts(['rm', name]));
  });

  it('closing a client ends its dial-stdio exec in the container', { timeout: TEST_TIMEOUT }, async () => {
    const name = builderName('cl');
    await ok(ts([...createArgs(name), '--bootstrap']));
    const ctr = container(name);
    const driver = await (await getFactory('docker-container')).create({ name: `${name}0`, endpoint: 'unix:///var/run/docker.sock', driverOpts: { network: 'host' } });
    assert.equal(await driver.status(), 'running');
    assert.equal(await driver.version(), BUILDKIT_VERSION);
    const clients = await Promise.all([driver.client(), driver.client()]);
    for (const c of clients) assert.ok((await c.listWorkers()).length > 0);
    assert.equal(await dialStdioCount(ctr), 2);
    for (const c of clients) c.close();
    assert.equal(await poll(() => dialStdioCount(ctr), (n) => n === 0, 10_000), 0);
    // The engine forgets an exec once its process has ended.
    const execIds = await poll(async () => out(await ok(ctx.docker(['container', 'inspect', '--format', '{{json .ExecIDs}}', ctr]))).trim(),
      (v) => v === 'null' || v === '[]', 10_000);
    assert.ok(execIds === 'null' || execIds === '[]', execIds);
    await ok(ts(['rm', name]));
  });
});
