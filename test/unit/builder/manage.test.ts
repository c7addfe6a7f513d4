import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveBuilder } from '../../../src/builder/builder.js';
import { inspectBuilder } from '../../../src/builder/inspect.js';
import { formatInspect } from '../../../src/builder/format-inspect.js';
import { listBuilders } from '../../../src/builder/list.js';
import { removeBuilders, stopBuilder, useBuilder } from '../../../src/builder/manage.js';
import { defaultsKey } from '../../../src/builder/store.js';

const KEY = 'unix:///var/run/docker.sock';
const DC1 = '{"Name":"dc1","Driver":"docker-container","Nodes":[{"Name":"dc10","Endpoint":"unix:///nonexistent/docker.sock","Platforms":[{"architecture":"arm64","os":"linux"}],"DriverOpts":{"network":"host"},"Flags":["--debug","--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}';

/** A store holding dc1 (written by Go buildx), a docker config without contexts, and an unreachable daemon. */
async function env(): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), 'manage-'));
  await mkdir(join(root, 'docker'));
  await mkdir(join(root, 'buildx', 'instances'), { recursive: true });
  await writeFile(join(root, 'buildx', 'instances', 'dc1'), DC1);
  return { BUILDX_CONFIG: join(root, 'buildx'), DOCKER_CONFIG: join(root, 'docker'), PATH: process.env.PATH };
}

const file = (e: NodeJS.ProcessEnv, rel: string) => readFile(join(e.BUILDX_CONFIG!, rel), 'utf8');

async function addContext(e: NodeJS.ProcessEnv, name: string): Promise<void> {
  const dir = join(e.DOCKER_CONFIG!, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: 'unix:///nowhere.sock' } } }));
}

test('use writes current and defaults like Go; resolveBuilder follows them', async () => {
  const e = await env();
  assert.equal((await resolveBuilder({ env: e })).name, 'default');
  // Resolving with no selection records the endpoint key, as buildx does.
  assert.equal(await file(e, 'current'), `{"Key":"${KEY}","Name":"","Global":false}`);
  await useBuilder('dc1', { env: e });
  assert.equal(await file(e, 'current'), `{"Key":"${KEY}","Name":"dc1","Global":false}`);
  const b = await resolveBuilder({ env: e });
  assert.equal(b.name, 'dc1');
  assert.equal(b.driverName, 'docker-container');
  assert.equal(b.dockerContext, false);
  assert.deepEqual(b.nodes.map((n) => n.name), ['dc10']);
  await useBuilder('dc1', { env: e, default: true, global: true });
  assert.equal(await file(e, 'current'), `{"Key":"${KEY}","Name":"dc1","Global":true}`);
  assert.equal(await file(e, `defaults/${defaultsKey(KEY)}`), 'dc1');
  // Another endpoint key: a global selection still applies.
  assert.equal((await resolveBuilder({ env: { ...e, DOCKER_HOST: 'tcp://other:2375' } })).name, 'dc1');
  await useBuilder('default', { env: e });
  assert.equal(await file(e, 'current'), `{"Key":"${KEY}","Name":"","Global":false}`);
  await assert.rejects(file(e, `defaults/${defaultsKey(KEY)}`));
  assert.equal((await resolveBuilder({ env: e })).name, 'default');
  assert.equal((await resolveBuilder({ env: e, name: 'DC1' })).name, 'dc1');
  await assert.rejects(resolveBuilder({ env: e, name: 'nope' }), /^BuildxError: no builder "nope" found$/);
});

test('a per-endpoint default is picked up and rewrites current', async () => {
  const e = await env();
  await writeFile(join(e.BUILDX_CONFIG!, 'current'), '{"Key":"other","Name":"x","Global":false}');
  await mkdir(join(e.BUILDX_CONFIG!, 'defaults'), { recursive: true });
  await writeFile(join(e.BUILDX_CONFIG!, 'defaults', defaultsKey(KEY)), 'dc1');
  assert.equal((await resolveBuilder({ env: e })).name, 'dc1');
  assert.equal(await file(e, 'current'), `{"Key":"${KEY}","Name":"dc1","Global":false}`);
});

test('use errors', async () => {
  const e = await env();
  await addContext(e, 'ctx1');
  await assert.rejects(useBuilder('ctx1', { env: e }), { message: 'run `docker context use ctx1` to switch to context ctx1' });
  await assert.rejects(useBuilder('nope', { env: e }), { message: `failed to find instance "nope": open ${join(e.BUILDX_CONFIG!, 'instances', 'nope')}: no such file or directory` });
  const other = { ...e, DOCKER_CONTEXT: 'ctx1' };
  await assert.rejects(useBuilder('default', { env: other }), { message: 'run `docker context use default` to switch to default context' });
  await useBuilder('ctx1', { env: other });
  assert.equal(await file(e, 'current'), '{"Key":"ctx1","Name":"","Global":false}');
});

test('rm removes store instances, refuses context builders, reports every name', async () => {
  const e = await env();
  await writeFile(join(e.BUILDX_CONFIG!, 'instances', 'remote1'), '{"Name":"Remote1","Driver":"remote","Nodes":[{"Name":"remote10","Endpoint":"tcp://127.0.0.1:1234","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}');
  const lines: string[] = [];
  // --keep-daemon: nothing asks the (unreachable) engine, only the store entries go.
  await removeBuilders(['dc1', 'Remote1'], { env: e, log: (l) => lines.push(l), keepDaemon: true });
  assert.deepEqual(lines, ['dc1 removed', 'Remote1 removed']);
  await assert.rejects(readFile(join(e.BUILDX_CONFIG!, 'instances', 'dc1')));
  await assert.rejects(readFile(join(e.BUILDX_CONFIG!, 'instances', 'remote1')));
  lines.length = 0;
  await assert.rejects(removeBuilders(['default', 'nope'], { env: e, log: (l) => lines.push(l) }), { message: 'failed to remove one or more builders' });
  assert.deepEqual(lines, [
    'failed to remove default: context builder cannot be removed, run `docker context rm default` to remove this context',
    'failed to remove nope: no builder "nope" found',
  ]);
});

test('rm without names removes the current builder, also when its engine is gone; stop reports the engine error', async () => {
  const e = await env();
  await useBuilder('dc1', { env: e });
  await assert.rejects(stopBuilder(undefined, { env: e }), /failed to connect to the docker API at unix:\/\/\/nonexistent\/docker\.sock/);
  const lines: string[] = [];
  // Like buildx, the store entry goes even though the container could not be removed.
  await assert.rejects(removeBuilders([], { env: e, log: (l) => lines.push(l) }), /failed to remove one or more builders/);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^failed to remove dc1: .*docker API at unix:\/\/\/nonexistent\/docker\.sock/);
  await assert.rejects(readFile(join(e.BUILDX_CONFIG!, 'instances', 'dc1')));
});

test('ls lists store instances first with fixed platforms; inspect prints Go layout', async () => {
  const e: NodeJS.ProcessEnv = { ...(await env()), DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
  await useBuilder('dc1', { env: e });
  const infos = await listBuilders({ env: e, timeoutMs: 2000 });
  assert.deepEqual(infos.map((i) => [i.name, i.driver, i.current]), [['dc1', 'docker-container', true], ['default', 'docker', false]]);
  const DOWN = 'unix:///nonexistent/docker.sock';
  const why = 'failed to connect to the docker API at unix:///nonexistent/docker.sock; check if the path is correct and if the daemon is running: dial unix /nonexistent/docker.sock: connect: no such file or directory';
  assert.deepEqual(infos[0]!.nodes, [{ name: 'dc10', endpoint: DOWN, error: why, platforms: ['linux/arm64*'], driverOpts: { network: 'host' }, flags: ['--debug', '--allow-insecure-entitlement=network.host'] }]);
  await writeFile(join(e.BUILDX_CONFIG!, 'activity', 'dc1'), '2024-01-02T03:04:05Z');
  // Go's layout for a node whose engine cannot be reached: the error replaces status and the rest.
  assert.equal(formatInspect(await inspectBuilder('dc1', { env: e })), [
    'Name:          dc1',
    'Driver:        docker-container',
    'Last Activity: 2024-01-02 03:04:05 +0000 UTC',
    '',
    'Nodes:',
    'Name:           dc10',
    `Endpoint:       ${DOWN}`,
    'Driver Options: network="host"',
    `Error:          ${why}`,
    '',
  ].join('\n'));
});
