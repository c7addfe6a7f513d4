// The real docker CLI running us as its buildx plugin (cli.md §1), from a per-run DOCKER_CONFIG.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { BASE_IMAGE, describeRun, e2eSuite, randomName, TEST_TIMEOUT, writeTree } from './helpers.js';

e2eSuite('docker CLI plugin', (ctx) => {
  it('docker-cli-plugin-metadata prints the exact metadata JSON', { timeout: TEST_TIMEOUT }, async () => {
    const v = await ctx.buildx(['version'], { timeoutMs: 30_000 });
    assert.equal(v.code, 0, describeRun(v));
    const version = /^github\.com\/docker\/buildx (\S+) \S*\n$/.exec(v.stdout.toString('utf8'))?.[1];
    assert.ok(version, `version line: ${describeRun(v)}`);

    const r = await ctx.buildx(['docker-cli-plugin-metadata'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.toString('utf8'), [
      '{',
      '     "SchemaVersion": "0.1.0",',
      '     "Vendor": "Docker Inc.",',
      `     "Version": ${JSON.stringify(version)},`,
      '     "ShortDescription": "Docker Buildx"',
      '}',
      '',
    ].join('\n'));
    assert.equal(r.stderr, '');
  });

  it('docker buildx version answers through the plugin', { timeout: TEST_TIMEOUT }, async () => {
    const viaDocker = await ctx.docker(['buildx', 'version'], { timeoutMs: 30_000 });
    assert.equal(viaDocker.code, 0, describeRun(viaDocker));
    const direct = await ctx.buildx(['version'], { timeoutMs: 30_000 });
    assert.match(viaDocker.stdout.toString('utf8'), /^github\.com\/docker\/buildx v\S+ \S*\n$/);
    assert.equal(viaDocker.stdout.toString('utf8'), direct.stdout.toString('utf8'));
  });

  it('docker buildx ls lists the default builder on the docker driver', { timeout: TEST_TIMEOUT }, async () => {
    const r = await ctx.docker(['buildx', 'ls'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, describeRun(r));
    const out = r.stdout.toString('utf8');
    assert.match(out, /^NAME\/NODE +DRIVER\/ENDPOINT +STATUS +BUILDKIT +PLATFORMS\n/);
    assert.match(out, /^default\* +docker *\n/m, 'the default builder, selected');
    // The node reports the daemon's embedded BuildKit version and at least the host platform.
    assert.match(out, /^ \\_ default +\\_ default +running +v\d+\.\d+\S* +.*linux\/\w+/m, describeRun(r));
  });

  it('docker buildx build -t X produces a runnable image', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('plugin-build');
    await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\nCOPY file.txt /file\n`, 'file.txt': `plugin-${nonce}\n` });
    const tag = ctx.tag('plugin');
    const r = await ctx.docker(['buildx', 'build', '--progress=plain', '-t', tag, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /^#0 building with "default" instance using docker driver\n/);
    assert.equal((await ctx.dockerOk(['run', '--rm', tag, 'cat', '/file'])).toString('utf8'), `plugin-${nonce}\n`);
  });

  it('docker --config DIR buildx build uses that config directory, not ~/.docker', { timeout: TEST_TIMEOUT }, async () => {
    // A fresh config dir named only by --config (no DOCKER_CONFIG) and a fake HOME: the plugin is found in
    // DIR/cli-plugins, and its state (the node id written by a build) must land in DIR/buildx.
    const config = await ctx.tmp('config-flag');
    await cp(join(ctx.dockerConfig, 'cli-plugins'), join(config, 'cli-plugins'), { recursive: true });
    const home = await ctx.tmp('home');
    const dir = await ctx.tmp('config-flag-ctx');
    await writeTree(dir, { Dockerfile: 'FROM scratch\nCOPY Dockerfile /Dockerfile\n' });
    const out = ctx.path('config-flag-out');
    const r = await ctx.docker(['--config', config, 'buildx', 'build', '--progress=plain', '-o', `type=local,dest=${out}`, dir], {
      env: { DOCKER_CONFIG: undefined, HOME: home }, timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(existsSync(join(out, 'Dockerfile')));
    assert.ok(existsSync(join(config, 'buildx', '.buildNodeID')), 'buildx state under --config');
    assert.ok(!existsSync(join(home, '.docker', 'buildx')), 'nothing under $HOME/.docker/buildx');
  });
});
