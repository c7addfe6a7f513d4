// The ustar writer, read back by the system's tar and by parsing the headers ourselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configEntries, tarHeader, tarStream } from '../../../src/docker/archive.js';

function archive(files: Record<string, string | Buffer>, mtime = 1_700_000_000): Buffer {
  const bufs = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  return Buffer.concat([...tarStream(configEntries('buildkit', bufs), mtime)]);
}

describe('tar archive of config files', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tsbuildx-tar-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('lists directories first (0755), then files (0644), all under buildkit/', async () => {
    const tar = archive({
      'buildkitd.toml': '[registry."127.0.0.1:5000"]\n  http = true\n',
      'certs/127.0.0.1:5000/ca.pem': '-----BEGIN CERTIFICATE-----\n',
      'certs/example.com/cert.pem': 'c',
    });
    const file = join(dir, 'a.tar');
    await writeFile(file, tar);
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' }).trim().split('\n');
    const modesAndNames = listing.map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[f.length - 1]}`; });
    assert.deepEqual(modesAndNames, [
      'drwxr-xr-x buildkit/',
      'drwxr-xr-x buildkit/certs/',
      'drwxr-xr-x buildkit/certs/127.0.0.1:5000/',
      'drwxr-xr-x buildkit/certs/example.com/',
      '-rw-r--r-- buildkit/buildkitd.toml',
      '-rw-r--r-- buildkit/certs/127.0.0.1:5000/ca.pem',
      '-rw-r--r-- buildkit/certs/example.com/cert.pem',
    ]);
    const out = join(dir, 'x');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', file, '-C', out]);
    assert.equal(await readFile(join(out, 'buildkit/buildkitd.toml'), 'utf8'), '[registry."127.0.0.1:5000"]\n  http = true\n');
    assert.equal(await readFile(join(out, 'buildkit/certs/example.com/cert.pem'), 'utf8'), 'c');
    assert.equal((await stat(join(out, 'buildkit/buildkitd.toml'))).mtimeMs, 1_700_000_000_000);
  });

  it('pads bodies to 512-byte blocks and ends with two zero blocks', () => {
    const tar = archive({ 'a': 'x'.repeat(513), 'empty': '' });
    // dir header, a header, 2 body blocks, empty header, 2 end blocks
    assert.equal(tar.length, 512 * 7);
    assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  });

  it('writes a valid checksum and the ustar magic', () => {
    const h = tarHeader({ path: 'buildkit/buildkitd.toml', type: 'file', mode: 0o644, data: Buffer.from('abc') }, 0);
    const stored = parseInt(h.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(h);
    copy.fill(0x20, 148, 156);
    assert.equal(stored, copy.reduce((a, b) => a + b, 0));
    assert.equal(h.subarray(257, 263).toString('latin1'), 'ustar\0');
    assert.equal(h.subarray(124, 136).toString('ascii'), '00000000003\0');
    assert.equal(String.fromCharCode(h[156]!), '0');
  });

  it('splits long paths into prefix and name, and refuses paths that fit neither', async () => {
    const long = `certs/${'d'.repeat(90)}/${'f'.repeat(60)}.pem`;
    const file = join(dir, 'long.tar');
    await writeFile(file, archive({ [long]: 'pem' }));
    const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(names.includes(`buildkit/${long}`), names.join('\n'));
    assert.throws(() => archive({ ['x'.repeat(120)]: '' }), /path too long/);
  });

  it('refuses paths that escape the root or clash with a directory', () => {
    for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', 'a/', '', 'a\\b']) {
      assert.throws(() => configEntries('buildkit', { [bad]: Buffer.from('') }), /invalid config file path/, bad);
    }
    assert.throws(() => configEntries('buildkit', { certs: Buffer.from(''), 'certs/x.pem': Buffer.from('') }),
      /config file path "certs" conflicts with directory/);
    assert.throws(() => configEntries('a/b', {}), /invalid config archive root/);
  });
});
