// `create` with a buildkitd config: what reaches the store, and when it fails, that nothing does.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBuilder } from '../../../src/builder/create.js';

async function env(): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), 'create-config-'));
  await mkdir(join(root, 'docker'));
  await mkdir(join(root, 'buildx'));
  return { BUILDX_CONFIG: join(root, 'buildx'), DOCKER_CONFIG: join(root, 'docker'), PATH: process.env.PATH };
}

interface Stored { Nodes: { Flags: string[] | null; Files: Record<string, string> | null }[] }

async function stored(e: NodeJS.ProcessEnv, name: string): Promise<Stored> {
  return JSON.parse(await readFile(join(e.BUILDX_CONFIG!, 'instances', name), 'utf8')) as Stored;
}

const decode = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

test('insecure-entitlements with network.host in the config means no entitlement flag is added', async () => {
  const e = await env();
  const cfg = join(e.BUILDX_CONFIG!, '..', 'ent.toml');
  await writeFile(cfg, 'insecure-entitlements = [ "network.host" ]\n');
  await createBuilder({ name: 'ent', driver: 'docker-container', buildkitdConfig: cfg, env: e, warn: () => {} });
  const node = (await stored(e, 'ent')).Nodes[0]!;
  assert.equal(node.Flags, null);
  assert.equal(decode(node.Files?.['buildkitd.toml']), "insecure-entitlements = ['network.host']\n");
});

test('buildkitd.default.toml in the store directory is used when no config is given', async () => {
  const e = await env();
  const certs = join(e.BUILDX_CONFIG!, '..', 'ca.pem');
  await writeFile(certs, 'CA\n');
  await writeFile(join(e.BUILDX_CONFIG!, 'buildkitd.default.toml'), `[registry."r:1"]\n  ca = ["${certs}"]\n`);
  await createBuilder({ name: 'dflt', driver: 'docker-container', env: e, warn: () => {} });
  const files = (await stored(e, 'dflt')).Nodes[0]!.Files!;
  assert.deepEqual(Object.keys(files), ['buildkitd.toml', 'certs/r_1/ca.pem']);
  assert.equal(decode(files['buildkitd.toml']), "[registry]\n[registry.'r:1']\nca = ['/etc/buildkit/certs/r_1/ca.pem']\n");
});

test('a missing config or certificate stores nothing', async () => {
  const e = await env();
  const missing = join(e.BUILDX_CONFIG!, '..', 'missing.toml');
  await assert.rejects(createBuilder({ name: 'x', driver: 'docker-container', buildkitdConfig: missing, env: e, warn: () => {} }),
    { message: `buildkit configuration file not found: ${missing}: stat ${missing}: no such file or directory` });
  const cfg = join(e.BUILDX_CONFIG!, '..', 'ca.toml');
  await writeFile(cfg, '[registry."r"]\n  ca = ["/nonexistent/ca.pem"]\n');
  await assert.rejects(createBuilder({ name: 'x', driver: 'docker-container', buildkitdConfig: cfg, env: e, warn: () => {} }),
    { message: 'failed to read CA file: /nonexistent/ca.pem: open /nonexistent/ca.pem: no such file or directory' });
  assert.deepEqual(await readdir(join(e.BUILDX_CONFIG!, 'instances')).catch(() => []), []);
});

test('updating a node with a config adds its files to the stored ones', async () => {
  const e = await env();
  const ca = join(e.BUILDX_CONFIG!, '..', 'ca.pem');
  await writeFile(ca, 'CA\n');
  const a = join(e.BUILDX_CONFIG!, '..', 'a.toml');
  await writeFile(a, `[registry."r"]\n  ca = ["${ca}"]\n`);
  const b = join(e.BUILDX_CONFIG!, '..', 'b.toml');
  await writeFile(b, 'debug = true\n');
  await createBuilder({ name: 'u', driver: 'docker-container', buildkitdConfig: a, env: e, warn: () => {} });
  const warnings: string[] = [];
  await createBuilder({ name: 'u', nodeName: 'u0', buildkitdConfig: b, env: e, warn: (m) => warnings.push(m) });
  const files = (await stored(e, 'u')).Nodes[0]!.Files!;
  assert.deepEqual(Object.keys(files), ['buildkitd.toml', 'certs/r/ca.pem']);
  assert.equal(decode(files['buildkitd.toml']), 'debug = true\n');
  assert.deepEqual(warnings, ['new settings may not be used until builder is restarted']);
});
