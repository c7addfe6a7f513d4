// The config archive, read back by the system's tar and by parsing the headers ourselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { configEntries, tarStream } from '../../../src/docker/archive.js';

async function bytes(tar: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function archive(files: Record<string, string | Buffer>, mtime = 1_700_000_000): Promise<Buffer> {
  const bufs = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  return bytes(tarStream(configEntries('buildkit', bufs), mtime));
}

/** The 512-byte header of the member named `name` (ustar: prefix + "/" + name). */
function headerOf(tar: Buffer, name: string): Buffer | undefined {
  const field = (h: Buffer, at: number, len: number) => h.subarray(at, at + len).toString('utf8').replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length;) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) return undefined;
    const prefix = field(h, 345, 155);
    if ((prefix ? `${prefix}/` : '') + field(h, 0, 100) === name) return h;
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

describe('tar archive of config files', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tsbuildx-tar-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('lists directories first (0755), then files (0644), all under buildkit/', async () => {
    const tar = await archive({
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

  it('pads bodies to 512-byte blocks and ends with two zero blocks', async () => {
    const tar = await archive({ 'a': 'x'.repeat(513), 'empty': '' });
    // dir header, a header, 2 body blocks, empty header, 2 end blocks
    assert.equal(tar.length, 512 * 7);
    assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  });

  it('writes a valid checksum and the ustar magic', async () => {
    const tar = await bytes(tarStream([{ path: 'buildkit/buildkitd.toml', type: 'file', mode: 0o644, data: Buffer.from('abc') }], 0));
    const h = tar.subarray(0, 512);
    const stored = parseInt(h.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(h);
    copy.fill(0x20, 148, 156);
    assert.equal(stored, copy.reduce((a, b) => a + b, 0));
    assert.equal(h.subarray(257, 263).toString('latin1'), 'ustar\0');
    // POSIX lets a numeric field end in a space or a NUL; tar-stream writes a space.
    assert.equal(h.subarray(124, 135).toString('ascii'), '00000000003');
    assert.ok(h[135] === 0x20 || h[135] === 0);
    assert.equal(String.fromCharCode(h[156]!), '0');
  });

  it('splits long paths into prefix and name, and gives paths that fit neither a pax record', async () => {
    const long = `certs/${'d'.repeat(90)}/${'f'.repeat(60)}.pem`;
    const file = join(dir, 'long.tar');
    const tar = await archive({ [long]: 'pem' });
    await writeFile(file, tar);
    const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(names.includes(`buildkit/${long}`), names.join('\n'));
    const h = headerOf(tar, `buildkit/${long}`);
    assert.ok(h, 'a plain ustar header holds the name');
    assert.equal(h.subarray(345, 345 + `buildkit/certs/${'d'.repeat(90)}`.length).toString(), `buildkit/certs/${'d'.repeat(90)}`);
    const longer = 'x'.repeat(120);
    const file2 = join(dir, 'longer.tar');
    await writeFile(file2, await archive({ [longer]: 'x' }));
    assert.deepEqual(execFileSync('tar', ['-tf', file2], { encoding: 'utf8' }).trim().split('\n'), ['buildkit/', `buildkit/${longer}`]);
    assert.equal(execFileSync('tar', ['-xOf', file2, `buildkit/${longer}`], { encoding: 'utf8' }), 'x');
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
