// layoutWriter unpacking OCI layout archives that GNU tar wrote (ustar, pax, GNU long names).
// Each is fed in every chunking from single bytes to whole archives, cut short, corrupted, or unended.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { layoutWriter } from '../../../src/solver/oci-layout.js';

const hash = (alg: string, b: string | Buffer) => createHash(alg).update(b).digest('hex');

function tar(cwd: string, args: string[]): Buffer {
  const r = spawnSync('tar', ['-c', '-f', '-', ...args], { cwd, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

/** Every file below `dir` (relative path → content), and each directory as `path/`, sorted by path. */
async function tree(dir: string, rel = ''): Promise<Map<string, Buffer | 'dir'>> {
  const out = new Map<string, Buffer | 'dir'>();
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.set(`${path}/`, 'dir');
      for (const [k, v] of await tree(dir, path)) out.set(k, v);
    } else {
      out.set(path, await readFile(join(dir, path)));
    }
  }
  return rel ? out : new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('layoutWriter on GNU tar archives', () => {
  let src = '';
  let root = '';
  let n = 0;
  const big = Buffer.alloc(70_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const small = 'alpha\n';
  const exact = Buffer.alloc(512, 0x41);
  const long = 'long\n';
  const index = '{"schemaVersion":2,"manifests":[]}';
  const blob = (b: string | Buffer) => `blobs/sha256/${hash('sha256', b)}`;
  /** 142 bytes: needs a GNU long name or a pax path; ustar cannot hold a 128-byte last element. */
  const longBlob = `blobs/sha512/${hash('sha512', long)}`;
  /** Not part of a layout, and 255 bytes long: read past, whatever header carries its name. */
  const longOther = `${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;

  const unpack = async (archive: Buffer, chunk: number): Promise<string> => {
    const dir = join(root, `u${n++}`);
    await mkdir(dir);
    const pieces: Buffer[] = [];
    for (let i = 0; i < archive.length; i += chunk) pieces.push(archive.subarray(i, i + chunk));
    await pipeline(Readable.from(pieces), layoutWriter(dir));
    return dir;
  };

  before(async () => {
    src = await mkdtemp(join(tmpdir(), 'layout-src-'));
    root = await mkdtemp(join(tmpdir(), 'layout-out-'));
    await mkdir(join(src, 'blobs/sha256'), { recursive: true });
    await mkdir(join(src, 'blobs/sha512'), { recursive: true });
    for (const b of [small, '', big, exact]) await writeFile(join(src, blob(b)), b);
    await writeFile(join(src, longBlob), long);
    await writeFile(join(src, 'index.json'), index);
    await writeFile(join(src, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(src, 'manifest.json'), '[]');
    await mkdir(join(src, 'd'.repeat(120)));
    await writeFile(join(src, longOther), 'other\n');
    await symlink('index.json', join(src, 'link'));
  });
  after(async () => {
    await rm(src, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  for (const format of ['gnu', 'posix', 'ustar'] as const) {
    it(`unpacks ${format} archives in any chunking`, async () => {
      const shortBlobs = [small, '', big, exact].map(blob);
      const members = format === 'ustar'
        ? ['oci-layout', 'manifest.json', ...shortBlobs, 'index.json']
        : ['oci-layout', 'manifest.json', 'blobs', longOther, 'index.json'];
      // The pax records of every member then also carry a value with spaces and "=" before the path.
      const extra = format === 'posix' ? ['--pax-option=comment:=a b=c/d'] : [];
      const archive = tar(src, [`--format=${format}`, ...extra, ...members]);
      const reference = await tree(await unpack(archive, archive.length));
      assert.deepEqual([...reference.keys()], [
        'blobs/', 'blobs/sha256/', ...shortBlobs.sort(), ...(format === 'ustar' ? [] : ['blobs/sha512/', longBlob]),
        'index.json', 'oci-layout',
      ].sort());
      assert.equal(reference.get(blob(small))!.toString(), small);
      assert.equal((reference.get(blob('')) as Buffer).length, 0);
      assert.ok((reference.get(blob(big)) as Buffer).equals(big));
      assert.equal((reference.get(blob(exact)) as Buffer).length, 512);
      assert.equal(reference.get('index.json')!.toString(), index);
      if (format !== 'ustar') assert.equal(reference.get(longBlob)!.toString(), long);
      for (const chunk of [1, 7, 511, 512, 513, 4096, 65_537]) {
        assert.deepEqual(await tree(await unpack(archive, chunk)), reference, `chunk size ${chunk}`);
      }
    });

    it(`refuses a symlink member of a ${format} archive`, async () => {
      const archive = tar(src, [`--format=${format}`, 'index.json', 'link']);
      await assert.rejects(unpack(archive, 100), { message: 'invalid OCI layout archive: symlink entry "link"' });
    });
  }

  it('writes blob data to disk as it arrives, acknowledging each write only a few chunks ahead', async () => {
    const data = Buffer.alloc(4 << 20);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    const name = blob(data);
    const dir = join(root, 'stream');
    await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
    await writeFile(join(dir, name), data);
    const archive = tar(dir, [name]);
    await rm(join(dir, 'blobs'), { recursive: true });
    const w = layoutWriter(dir);
    const write = (to: Writable, b: Buffer) => new Promise<void>((resolve, reject) => to.write(b, (e) => (e ? reject(e) : resolve())));
    const chunk = 64 << 10;
    let lag = 0;
    for (let i = 0; i < archive.length; i += chunk) {
      await write(w, archive.subarray(i, i + chunk));
      const fed = Math.min(i + chunk, 512 + data.length) - 512;
      const onDisk = await stat(join(dir, name)).then((s) => s.size, () => 0);
      lag = Math.max(lag, fed - onDisk);
    }
    await writeFile(join(dir, 'index.json'), '{}');
    await new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e ? reject(e) : resolve())));
    assert.ok((await readFile(join(dir, name))).equals(data));
    assert.ok(lag <= 6 * chunk, `acknowledged ${lag} bytes beyond what was on disk`);
  });

  it('fails on a stream cut inside a header or inside data', async () => {
    const archive = tar(src, ['index.json', blob(big)]);
    for (const cut of [100, 1024 + 100, 1536 + 1000]) {
      await assert.rejects(unpack(archive.subarray(0, cut), 64), { message: 'invalid OCI layout archive: unexpected end of tar stream' }, `cut at ${cut}`);
    }
  });

  it('accepts an archive without its end marker when it stops between entries', async () => {
    // index.json: one header and one data block; the 512-byte blob then ends exactly on a block boundary.
    const archive = tar(src, ['index.json', blob(exact)]).subarray(0, 4 * 512);
    for (const chunk of [1, 512, 2048]) {
      const got = await tree(await unpack(archive, chunk));
      assert.deepEqual([...got.keys()], ['blobs/', 'blobs/sha256/', blob(exact), 'index.json'], `chunk size ${chunk}`);
      assert.ok((got.get(blob(exact)) as Buffer).equals(exact));
    }
  });

  it('rejects a corrupted header', async () => {
    const archive = Buffer.from(tar(src, ['index.json']));
    archive[0] = 0x5a;
    await assert.rejects(unpack(archive, 512), { message: 'invalid OCI layout archive: invalid tar header: checksum mismatch' });
    await assert.rejects(unpack(Buffer.alloc(512, 0x41), 512), { message: /^invalid OCI layout archive: invalid tar header/ });
  });

  it('passes a failed write on as it is, not as a broken archive', async () => {
    const dir = join(root, 'not-a-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'blobs'), '');
    const archive = tar(src, ['index.json', blob(small)]);
    const pieces = [archive.subarray(0, 1024), archive.subarray(1024)];
    await assert.rejects(pipeline(Readable.from(pieces), layoutWriter(dir)), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR' && !/invalid OCI layout/.test(e.message));
  });

  it('unpacks a big blob of an archive written as one pax entry, fed in one chunk', async () => {
    const archive = tar(src, ['--format=posix', 'index.json', blob(big)]);
    const got = await tree(await unpack(archive, 3 << 20));
    assert.ok((got.get(blob(big)) as Buffer).equals(big));
  });
});
