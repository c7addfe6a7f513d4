import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { certsDir, loadConfigFiles, mergeNodeFiles, readConfigEntitlements } from '../../../src/builder/buildkitd-config.js';
import { fixture } from './inspect-fixtures.js';

let dir = '';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbuildx-bkcfg-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'myca.pem'), 'CA DATA\n');
  await writeFile(join(dir, 'sub/myca.pem'), 'OTHER CA\n');
  await writeFile(join(dir, 'key.pem'), 'KEY\n');
  await writeFile(join(dir, 'cert.pem'), 'CERT\n');
});
after(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, content: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content.replaceAll('@DIR@', dir));
  return p;
}

test('a config with registry certificates is stored exactly as buildx 0.36.1 stores it', async () => {
  const files = await loadConfigFiles(await write('rich.toml', fixture('buildkitd-rich.toml')));
  assert.deepEqual(Object.keys(files), ['buildkitd.toml', 'certs/10.0.0.1_5000/cert.pem', 'certs/10.0.0.1_5000/key.pem', 'certs/10.0.0.1_5000/myca.pem', 'certs/weird_host_x/myca.pem']);
  assert.equal(text(files['buildkitd.toml']), fixture('buildkitd-rich.buildx-0.36.1.toml'));
  // Two CAs with one basename: the later file wins, as in Go's map.
  assert.equal(files['certs/10.0.0.1_5000/myca.pem'], b64('OTHER CA\n'));
  assert.equal(files['certs/10.0.0.1_5000/key.pem'], b64('KEY\n'));
});

test('a config without certificates is still re-encoded', async () => {
  const files = await loadConfigFiles(await write('plain.toml', '# c\nroot = "/x"\n[worker.oci]\n  enabled = true\n'));
  assert.deepEqual(files, { 'buildkitd.toml': b64("root = '/x'\n\n[worker]\n[worker.oci]\nenabled = true\n") });
  assert.deepEqual(await loadConfigFiles(await write('empty.toml', '# nothing\n')), { 'buildkitd.toml': '' });
});

test('missing files fail with buildx\'s messages', async () => {
  const missing = join(dir, 'nope.toml');
  await assert.rejects(loadConfigFiles(missing), { message: `buildkit configuration file not found: ${missing}: stat ${missing}: no such file or directory` });
  const ca = await write('missca.toml', '[registry."a.io"]\n  ca=["/nope/ca.pem"]\n');
  await assert.rejects(loadConfigFiles(ca), { message: 'failed to read CA file: /nope/ca.pem: open /nope/ca.pem: no such file or directory' });
  const key = await write('misskey.toml', '[registry."a.io"]\n  [[registry."a.io".keypair]]\n    key="/nope/key.pem"\n');
  await assert.rejects(loadConfigFiles(key), { message: 'failed to read key file: /nope/key.pem: open /nope/key.pem: no such file or directory' });
  await assert.rejects(loadConfigFiles(join(dir, 'sub')), { message: `failed to read buildkit configuration file: ${join(dir, 'sub')}: read ${join(dir, 'sub')}: is a directory` });
});

test('entitlements come from insecure-entitlements; a missing file has none, a broken one fails', async () => {
  assert.deepEqual(await readConfigEntitlements(await write('ent.toml', 'insecure-entitlements = ["network.host"]\n')), ['network.host']);
  assert.deepEqual(await readConfigEntitlements(join(dir, 'absent.toml')), []);
  await assert.rejects(readConfigEntitlements(await write('bad.toml', 'debug = "yes"\n')),
    { message: 'failed to parse config: toml: cannot decode TOML string into struct field config.Config.Debug of type bool' });
  await assert.rejects(readConfigEntitlements(join(dir, 'sub')), { message: `failed to parse config: toml: read ${join(dir, 'sub')}: is a directory` });
  // A syntax error names the file, line and column (the wording after them is smol-toml's).
  const broken = await write('syntax.toml', 'a = 1\n[a]\n');
  await assert.rejects(readConfigEntitlements(broken), (e: Error) => e.message.startsWith(`failed to parse config: toml: ${broken}: line 2, column 2: `));
});

test('registry names become directory names; updates add files to the stored ones', () => {
  assert.equal(certsDir('myregistry.io:5000'), 'certs/myregistry.io_5000');
  assert.equal(certsDir('a b//c'), 'certs/a_b_c');
  assert.deepEqual(Object.keys(mergeNodeFiles({ 'certs/x/a': 'QQ==', 'buildkitd.toml': 'eA==' }, { 'buildkitd.toml': 'eQ==' })), ['buildkitd.toml', 'certs/x/a']);
  assert.equal(mergeNodeFiles(null, { 'buildkitd.toml': 'eQ==' })['buildkitd.toml'], 'eQ==');
});
