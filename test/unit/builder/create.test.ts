import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBuilder, leaveBuilder, type CreateOptions } from '../../../src/builder/create.js';
import { parseBuildkitdFlags, parseDriverOpts, shellSplit } from '../../../src/builder/create-opts.js';
import { randomName } from '../../../src/builder/names.js';

const KEY = 'unix:///var/run/docker.sock';

async function env(): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), 'create-'));
  await mkdir(join(root, 'docker'));
  await mkdir(join(root, 'buildx'));
  return { BUILDX_CONFIG: join(root, 'buildx'), DOCKER_CONFIG: join(root, 'docker'), PATH: process.env.PATH };
}

async function instance(e: NodeJS.ProcessEnv, name: string): Promise<string> {
  return readFile(join(e.BUILDX_CONFIG!, 'instances', name), 'utf8');
}

/** Every file of the store with its content, to prove failed operations write nothing. */
async function snapshot(e: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      if (ent.name === '.lock') continue;
      if (ent.isDirectory()) await walk(join(dir, ent.name), `${rel}${ent.name}/`);
      else out[`${rel}${ent.name}`] = await readFile(join(dir, ent.name), 'utf8');
    }
  };
  await walk(e.BUILDX_CONFIG!, '');
  return out;
}

const create = (e: NodeJS.ProcessEnv, o: CreateOptions, warnings: string[] = []) => createBuilder({ ...o, env: e, warn: (m) => warnings.push(m) });

async function rejectsUnchanged(e: NodeJS.ProcessEnv, p: () => Promise<unknown>, message: string): Promise<void> {
  const before = await snapshot(e);
  await assert.rejects(p, (err: Error) => { assert.equal(err.message, message); return true; });
  assert.deepEqual(await snapshot(e), before);
}

test('new remote instance: node name lower-cased like Go, byte-identical JSON', async () => {
  const e = await env();
  const r = await create(e, { name: 'Remote1', driver: 'remote', endpoint: 'tcp://127.0.0.1:1234' });
  assert.equal(r.name, 'Remote1');
  assert.equal(await instance(e, 'remote1'), '{"Name":"Remote1","Driver":"remote","Nodes":[{"Name":"remote10","Endpoint":"tcp://127.0.0.1:1234","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}');
});

test('docker-container instance matches what Go buildx writes', async () => {
  const e = await env();
  const r = await create(e, { name: 'dc1', driver: 'docker-container', driverOpts: ['network=host'], platforms: ['linux/arm64'], buildkitdFlags: '--debug' });
  assert.equal(r.name, 'dc1');
  assert.equal(await instance(e, 'dc1'), '{"Name":"dc1","Driver":"docker-container","Nodes":[{"Name":"dc10","Endpoint":"unix:///var/run/docker.sock","Platforms":[{"architecture":"arm64","os":"linux"}],"DriverOpts":{"network":"host"},"Flags":["--debug","--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}');
  assert.match(await readFile(join(e.BUILDX_CONFIG!, 'activity', 'dc1'), 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // No current selection unless --use.
  await assert.rejects(readFile(join(e.BUILDX_CONFIG!, 'current'), 'utf8'));
});

test('no --driver and no endpoint: docker-container on the current endpoint; --use selects it', async () => {
  const e = await env();
  await writeFile(join(e.DOCKER_CONFIG!, 'config.json'), '{}');
  await create(e, { name: 'auto', use: true });
  const ng = JSON.parse(await instance(e, 'auto')) as { Driver: string; Nodes: { Endpoint: string; Flags: string[] }[] };
  assert.equal(ng.Driver, 'docker-container');
  assert.equal(ng.Nodes[0]!.Endpoint, KEY);
  assert.deepEqual(ng.Nodes[0]!.Flags, ['--allow-insecure-entitlement=network.host']);
  assert.equal(await readFile(join(e.BUILDX_CONFIG!, 'current'), 'utf8'), `{"Key":"${KEY}","Name":"auto","Global":false}`);
});

test('random names are adjective_surname', async () => {
  const e = await env();
  const r = await create(e, { driver: 'docker-container' });
  assert.match(r.name, /^[a-z]+_[a-z]+$/);
  assert.match(randomName(1), /^[a-z]+_[a-z]+\d$/);
  assert.ok(JSON.parse(await instance(e, r.name)));
});

test('append adds <name><i> nodes, --node updates with a warning, duplicates are refused', async () => {
  const e = await env();
  await create(e, { name: 'grp', driver: 'docker-container', platforms: ['linux/amd64'] });
  await create(e, { name: 'grp', append: true, endpoint: 'tcp://10.0.0.1:2376', platforms: ['linux/amd64,linux/arm64'] });
  let ng = JSON.parse(await instance(e, 'grp')) as { Nodes: { Name: string; Endpoint: string; Platforms: unknown }[] };
  assert.deepEqual(ng.Nodes.map((n) => n.Name), ['grp0', 'grp1']);
  assert.equal(ng.Nodes[1]!.Endpoint, 'tcp://10.0.0.1:2376');
  // linux/amd64 is now pinned to grp1 only.
  assert.equal(ng.Nodes[0]!.Platforms, null);
  const warnings: string[] = [];
  await create(e, { name: 'grp', nodeName: 'grp0', driverOpts: ['image=moby/buildkit:master'] }, warnings);
  assert.deepEqual(warnings, ['new settings may not be used until builder is restarted']);
  ng = JSON.parse(await instance(e, 'grp')) as typeof ng;
  assert.equal(ng.Nodes[0]!.Endpoint, KEY);
  assert.deepEqual((ng.Nodes[0] as unknown as { DriverOpts: unknown }).DriverOpts, { image: 'moby/buildkit:master' });
  await rejectsUnchanged(e, () => create(e, { name: 'grp', append: true, endpoint: 'tcp://10.0.0.1:2376' }), 'invalid duplicate endpoint tcp://10.0.0.1:2376');
  await rejectsUnchanged(e, () => create(e, { name: 'grp', nodeName: 'other' }), 'node other not found, did you mean to append?');
  await create(e, { name: 'grp', append: true, nodeName: 'Named', endpoint: 'tcp://10.0.0.2:2376' });
  ng = JSON.parse(await instance(e, 'grp')) as typeof ng;
  assert.deepEqual(ng.Nodes.map((n) => n.Name), ['grp0', 'grp1', 'named']);
});

test('create errors, each leaving the store unchanged', async () => {
  const e = await env();
  await create(e, { name: 'dc1', driver: 'docker-container' });
  await rejectsUnchanged(e, () => create(e, { append: true }), 'append requires a builder name');
  await rejectsUnchanged(e, () => create(e, { name: 'zz', append: true }), 'failed to find instance "zz" for append');
  await rejectsUnchanged(e, () => create(e, { name: 'dc1' }), 'existing instance for "dc1" but no append mode, specify the node name to make changes for existing instances');
  await rejectsUnchanged(e, () => create(e, { name: 'DC1', driver: 'remote', nodeName: 'n' }), 'existing instance for "DC1" but has mismatched driver "docker-container"');
  await rejectsUnchanged(e, () => create(e, { name: '1bad' }), 'invalid name 1bad, name needs to start with a letter and may not contain symbols, except ._-');
  await rejectsUnchanged(e, () => create(e, { name: 'default' }), 'default is a reserved name and cannot be used to identify builder instance');
  await rejectsUnchanged(e, () => create(e, { name: 'x', driver: 'nope' }), 'failed to find driver "nope"');
  await rejectsUnchanged(e, () => create(e, { name: 'x', driver: 'docker' }), 'additional instances of driver "docker" cannot be created');
  await rejectsUnchanged(e, () => create(e, { name: 'x', driver: 'docker-container', driverOpts: ['bad'] }), 'invalid value "bad", expecting k=v');
  await rejectsUnchanged(e, () => create(e, { name: 'x2', driver: 'docker-container', driverOpts: ['image=a,bad=1'] }), 'failed to initialize builder x2 (x20): invalid driver option bad for docker-container driver');
  await rejectsUnchanged(e, () => create(e, { name: 'x', driver: 'docker-container', endpoint: 'a b' }), 'failed to parse endpoint a b: Invalid bind address format: a b');
});

test('a name taken by a docker context is refused', async () => {
  const e = await env();
  const { createHash } = await import('node:crypto');
  const dir = join(e.DOCKER_CONFIG!, 'contexts', 'meta', createHash('sha256').update('ctx1').digest('hex'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ Name: 'ctx1', Endpoints: { docker: { Host: 'unix:///x.sock' } } }));
  await rejectsUnchanged(e, () => create(e, { name: 'ctx1', driver: 'docker-container' }), 'instance name "ctx1" already exists as context builder');
});

test('--leave', async () => {
  const e = await env();
  await create(e, { name: 'grp', driver: 'docker-container' });
  await create(e, { name: 'grp', append: true, endpoint: 'tcp://10.0.0.1:2376' });
  const leave = (name?: string, nodeName?: string) => leaveBuilder({ name, nodeName, env: e });
  await rejectsUnchanged(e, () => leave(undefined, 'grp0'), 'leave requires instance name');
  await rejectsUnchanged(e, () => leave('grp'), 'leave requires node name');
  await rejectsUnchanged(e, () => leave('nope', 'n'), 'failed to find instance "nope" for leave');
  await rejectsUnchanged(e, () => leave('grp', 'zz'), 'node "zz" not found for grp');
  await leave('grp', 'grp0');
  const ng = JSON.parse(await instance(e, 'grp')) as { Nodes: { Name: string }[] };
  assert.deepEqual(ng.Nodes.map((n) => n.Name), ['grp1']);
  await rejectsUnchanged(e, () => leave('grp', 'grp1'), 'can not leave last node, do you want to rm instance instead?');
});

test('option parsing helpers', () => {
  assert.deepEqual(parseDriverOpts([]), undefined);
  assert.deepEqual(parseDriverOpts(['a=1,"b=x,y"', 'c=']), { a: '1', b: 'x,y', c: '' });
  assert.deepEqual(shellSplit(`--debug --x 'a b' "c \\"d\\"" e\\ f`), ['--debug', '--x', 'a b', 'c "d"', 'e f']);
  assert.deepEqual(parseBuildkitdFlags('', 'remote', undefined), undefined);
  assert.deepEqual(parseBuildkitdFlags('', 'kubernetes', undefined), ['--allow-insecure-entitlement=network.host']);
  assert.deepEqual(parseBuildkitdFlags('--allow-insecure-entitlement security.insecure', 'docker-container', undefined), ['--allow-insecure-entitlement', 'security.insecure']);
  assert.deepEqual(parseBuildkitdFlags('--allow-insecure-entitlement=security.insecure', 'docker-container', { network: 'host' }), ['--allow-insecure-entitlement=security.insecure', '--allow-insecure-entitlement=network.host']);
  assert.deepEqual(parseBuildkitdFlags('', 'docker-container', undefined, ['network.host']), undefined);
});

test('appending to a mixed-case builder repeats Go\'s node naming (case-sensitive probe, then lower-cased)', async () => {
  const e = await env();
  await create(e, { name: 'Grp', driver: 'docker-container' });
  await create(e, { name: 'Grp', append: true, endpoint: 'tcp://10.0.0.1:2376' });
  const ng = JSON.parse(await instance(e, 'grp')) as { Nodes: { Name: string }[] };
  assert.deepEqual(ng.Nodes.map((n) => n.Name), ['grp0', 'grp0']);
});
