import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultsKey, marshalNodeGroup, Store, validateBuilderName } from '../../../src/builder/store.js';
import { acquireLock } from '../../../src/builder/store-lock.js';

// Written by reference buildx v0.36.1 (`create --name dc1 --driver docker-container --driver-opt network=host
// --platform linux/arm64 --buildkitd-flags --debug`), captured byte for byte.
const GO_INSTANCE = '{"Name":"dc1","Driver":"docker-container","Nodes":[{"Name":"dc10","Endpoint":"unix:///var/run/docker.sock","Platforms":[{"architecture":"arm64","os":"linux"}],"DriverOpts":{"network":"host"},"Flags":["--debug","--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}';
const GO_REMOTE = '{"Name":"Remote1","Driver":"remote","Nodes":[{"Name":"remote10","Endpoint":"tcp://127.0.0.1:1234","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}';

// Written by reference buildx v0.36.1 (`create --name kr --driver kubernetes --driver-opt replicas=1,namespace=tsb`
// with KUBECONFIG set): `&` escaped as Go's encoder escapes it, driver options in sorted key order.
const GO_KUBERNETES = '{"Name":"kr","Driver":"kubernetes","Nodes":[{"Name":"kr0","Endpoint":"kubernetes:///kr?deployment=buildkit-bb44ebc1-2616-4813-b851-1327ffe4230f-8f131\\u0026kubeconfig=%2Fvar%2Flib%2Ftsbuildx-env%2Fk8s%2Fkubeconfig","Platforms":null,"DriverOpts":{"namespace":"tsb","replicas":"1"},"Flags":["--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}';

test('a kubernetes instance re-marshals to Go\'s bytes, whatever order its options were given in', () => {
  const ng = JSON.parse(GO_KUBERNETES) as Parameters<typeof marshalNodeGroup>[0];
  ng.Nodes[0]!.DriverOpts = { replicas: '1', namespace: 'tsb' };
  assert.equal(marshalNodeGroup(ng), GO_KUBERNETES);
});

async function tempStore(): Promise<Store> {
  return Store.open(await mkdtemp(join(tmpdir(), 'store-')));
}

test('instances written by Go buildx read back and re-marshal to the same bytes', async () => {
  const store = await tempStore();
  await writeFile(join(store.root, 'instances', 'dc1'), GO_INSTANCE);
  await writeFile(join(store.root, 'instances', 'remote1'), GO_REMOTE);
  await store.txn(async (tx) => {
    const { groups, errors } = await tx.list();
    assert.deepEqual(errors, []);
    assert.deepEqual(groups.map((g) => g.Name), ['Remote1', 'dc1']);
    assert.equal(marshalNodeGroup(groups[1]!), GO_INSTANCE);
    assert.equal(marshalNodeGroup(await tx.node('REMOTE1')), GO_REMOTE);
  });
});

test('save is atomic and 0600, records activity, lower-cases the file name', async () => {
  const store = await tempStore();
  await store.txn(async (tx) => {
    await tx.save({ Name: 'MyBuilder', Driver: 'remote', Dynamic: false, Nodes: [{ Name: 'mybuilder0', Endpoint: 'tcp://x:1', Platforms: [], DriverOpts: {}, Flags: null, Files: null }] });
  });
  const text = await readFile(join(store.root, 'instances', 'mybuilder'), 'utf8');
  assert.equal(text, '{"Name":"MyBuilder","Driver":"remote","Nodes":[{"Name":"mybuilder0","Endpoint":"tcp://x:1","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}');
  assert.equal(execFileSync('stat', ['-c', '%a', join(store.root, 'instances', 'mybuilder')], { encoding: 'utf8' }).trim(), '600');
  assert.match(await readFile(join(store.root, 'activity', 'MyBuilder'), 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a corrupt instance names its file and does not hide the others', async () => {
  const store = await tempStore();
  await writeFile(join(store.root, 'instances', 'good'), GO_REMOTE.replace('Remote1', 'good'));
  await writeFile(join(store.root, 'instances', 'bad'), '{not json');
  await store.txn(async (tx) => {
    const { groups, errors } = await tx.list();
    assert.deepEqual(groups.map((g) => g.Name), ['good']);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, new RegExp(`${join(store.root, 'instances', 'bad')}`));
  });
});

test('names: buildx messages', () => {
  assert.throws(() => validateBuilderName('1abc'), /^Error: invalid name 1abc, name needs to start with a letter and may not contain symbols, except ._-$|invalid name 1abc, name needs to start with a letter and may not contain symbols, except \._-/);
  assert.throws(() => validateBuilderName('a/b'), /invalid name a\/b/);
  assert.throws(() => validateBuilderName('default'), /default is a reserved name and cannot be used to identify builder instance/);
  assert.doesNotThrow(() => validateBuilderName('a.b-c_d'));
});

test('current and per-endpoint defaults use Go buildx file formats', async () => {
  const store = await tempStore();
  await store.txn(async (tx) => {
    await tx.setCurrent({ Key: 'unix:///var/run/docker.sock', Name: 'dc1', Global: false });
    await tx.setDefault('unix:///var/run/docker.sock', 'dc1');
  });
  assert.equal(await readFile(join(store.root, 'current'), 'utf8'), '{"Key":"unix:///var/run/docker.sock","Name":"dc1","Global":false}');
  assert.equal(defaultsKey('unix:///var/run/docker.sock').length, 20);
  assert.equal(await readFile(join(store.root, 'defaults', defaultsKey('unix:///var/run/docker.sock')), 'utf8'), 'dc1');
});

test('the lock is a real flock: another process cannot take it while held', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lock-'));
  const lock = await acquireLock(join(dir, '.lock'));
  const held = spawnSync('flock', ['--nonblock', join(dir, '.lock'), 'true']);
  assert.equal(held.status, 1);
  await lock.release();
  const free = spawnSync('flock', ['--nonblock', join(dir, '.lock'), 'true']);
  assert.equal(free.status, 0);
});

test('concurrent transactions are serialised (no lost updates)', async () => {
  const store = await tempStore();
  const counter = join(store.root, 'counter');
  await writeFile(counter, '0');
  await Promise.all(Array.from({ length: 10 }, () => store.txn(async () => {
    const n = Number(await readFile(counter, 'utf8'));
    await new Promise((r) => setTimeout(r, 5));
    await writeFile(counter, String(n + 1));
  })));
  assert.equal(await readFile(counter, 'utf8'), '10');
});
