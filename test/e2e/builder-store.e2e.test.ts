// The builder store is shared with Go buildx (cli.md §2): instances created by either tool are listed,
// inspected, selected and removed by the other, and concurrent creates serialize on the same flock.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';
import { REFERENCE_BUILDX as REF } from './buildkitd-daemon.js';

const KEY = 'unix:///var/run/docker.sock';

e2eSuite('builder store shared with reference buildx', (ctx) => {
  let store = '';
  const env = () => ({ BUILDX_CONFIG: store, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined });
  const ts = (args: string[]): Promise<RunResult> => ctx.buildx(args, { env: env(), timeoutMs: 60_000 });
  const ref = (args: string[]): Promise<RunResult> => run(REF, args, { env: env(), timeoutMs: 60_000 }, ctx.env);
  const ok = async (p: Promise<RunResult>): Promise<RunResult> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r;
  };
  const out = (r: RunResult) => r.stdout.toString('utf8');
  const instance = async (name: string) => JSON.parse(await readFile(join(store, 'instances', name), 'utf8')) as { Name: string; Nodes: { Name: string }[] };

  before(async () => {
    store = await ctx.tmp('buildx-config');
  });

  it('a remote builder created by reference buildx is listed, inspected, used and removed by tsbuildx', { timeout: TEST_TIMEOUT }, async () => {
    assert.equal(out(await ok(ref(['create', '--name', 'ref1', '--driver', 'remote', 'tcp://127.0.0.1:1234']))), 'ref1\n');
    const ls = out(await ok(ts(['ls'])));
    assert.match(ls, /^ref1 +remote +\n \\_ ref10 +\\_ tcp:\/\/127\.0\.0\.1:1234 /m);
    const inspect = out(await ok(ts(['inspect', 'ref1'])));
    assert.match(inspect, /^Name: +ref1\nDriver: +remote\n(Last Activity: .*\n)?\nNodes:\nName: +ref10\nEndpoint: +tcp:\/\/127\.0\.0\.1:1234\n/);
    await ok(ts(['use', 'ref1']));
    assert.equal(await readFile(join(store, 'current'), 'utf8'), `{"Key":"${KEY}","Name":"ref1","Global":false}`);
    assert.match(out(await ok(ref(['ls']))), /^ref1\* +remote/m);
    const rm = await ok(ts(['rm', 'ref1']));
    assert.equal(rm.stderr, 'ref1 removed\n');
    assert.deepEqual(await readdir(join(store, 'instances')), []);
  });

  it('a docker-container builder created by tsbuildx is byte-identical and usable by reference buildx', { timeout: TEST_TIMEOUT }, async () => {
    const args = ['create', '--driver', 'docker-container', '--driver-opt', 'network=host', '--platform', 'linux/arm64', '--buildkitd-flags', '--debug'];
    assert.equal(out(await ok(ts([...args, '--name', 'ts1']))), 'ts1\n');
    assert.equal(out(await ok(ref([...args, '--name', 'go1']))), 'go1\n');
    const [a, b] = await Promise.all(['ts1', 'go1'].map((n) => readFile(join(store, 'instances', n), 'utf8')));
    assert.equal(a!.replaceAll('ts1', 'X'), b!.replaceAll('go1', 'X'));

    // Same listing and inspection from both tools.
    assert.equal(out(await ok(ts(['ls']))), out(await ok(ref(['ls']))));
    const strip = (s: string) => s.replace(/^Last Activity:.*\n/m, '');
    assert.equal(strip(out(await ok(ts(['inspect', 'ts1'])))), strip(out(await ok(ref(['inspect', 'ts1'])))));

    await ok(ref(['use', 'ts1', '--default']));
    assert.match(out(await ok(ts(['ls']))), /^ts1\* +docker-container/m);
    assert.equal(out(await ok(ts(['inspect']))).split('\n')[0], 'Name:          ts1');
    const rm = await ok(ref(['rm', 'ts1']));
    assert.equal(rm.stderr, 'ts1 removed\n');
    await ok(ts(['rm', 'go1']));
    assert.deepEqual(await readdir(join(store, 'instances')), []);
  });

  it('concurrent creates from both tools leave a valid store with one winner per name', { timeout: TEST_TIMEOUT }, async () => {
    const tool = (i: number) => (i % 2 ? ref : ts);
    const distinct = await Promise.all(Array.from({ length: 10 }, (_, i) => tool(i)(['create', '--name', `many${i}`, '--driver', 'docker-container'])));
    for (const r of distinct) assert.equal(r.code, 0, describeRun(r));
    for (let i = 0; i < 10; i++) assert.deepEqual((await instance(`many${i}`)).Nodes.map((n) => n.Name), [`many${i}0`]);

    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => tool(i)(['create', '--name', 'shared', '--driver', 'docker-container'])));
    const winners = racing.filter((r) => r.code === 0);
    assert.equal(winners.length, 1, racing.map(describeRun).join('\n'));
    for (const r of racing.filter((x) => x.code !== 0)) {
      assert.match(r.stderr, /existing instance for "shared" but no append mode/);
    }
    const shared = await instance('shared');
    assert.equal(shared.Name, 'shared');
    assert.deepEqual(shared.Nodes.map((n) => n.Name), ['shared0']);
    assert.equal((await readdir(join(store, 'instances'))).length, 11);
    await ok(ts(['rm', 'shared', ...Array.from({ length: 10 }, (_, i) => `many${i}`)]));
    assert.deepEqual(await readdir(join(store, 'instances')), []);
  });
});
