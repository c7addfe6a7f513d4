// The streaming tar parser against archives written by GNU tar (ustar, pax and GNU long names), fed in
// every chunking from single bytes to whole archives.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePaxRecords, TarFormatError, TarReader, type TarEvent, type TarHeader } from '../../../src/solver/tar-reader.js';

interface Entry { header: TarHeader; data: Buffer }

function collect(archive: Buffer, chunk: number): Entry[] {
  const reader = new TarReader();
  const entries: Entry[] = [];
  let parts: Buffer[] = [];
  const take = (events: TarEvent[]) => {
    for (const e of events) {
      if (e.kind === 'entry') {
        entries.push({ header: e.header, data: Buffer.alloc(0) });
        parts = [];
      } else if (e.kind === 'data') {
        parts.push(Buffer.from(e.data));
      } else {
        entries[entries.length - 1]!.data = Buffer.concat(parts);
      }
    }
  };
  for (let i = 0; i < archive.length; i += chunk) take(reader.push(archive.subarray(i, i + chunk)));
  reader.end();
  return entries;
}

function tar(cwd: string, args: string[]): Buffer {
  const r = spawnSync('tar', ['-c', '-f', '-', ...args], { cwd, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

describe('TarReader', () => {
  let dir = '';
  const longName = `${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;
  const big = Buffer.alloc(70_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tar-reader-'));
    await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
    await writeFile(join(dir, 'blobs/sha256/a'), 'alpha\n');
    await writeFile(join(dir, 'empty'), '');
    await writeFile(join(dir, 'big.bin'), big);
    await writeFile(join(dir, 'exact'), Buffer.alloc(512, 0x41));
    await mkdir(join(dir, 'd'.repeat(120)));
    await writeFile(join(dir, longName), 'long\n');
    await symlink('empty', join(dir, 'link'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const format of ['gnu', 'posix', 'ustar'] as const) {
    it(`reads ${format} archives in any chunking`, () => {
      const members = format === 'ustar'
        ? ['blobs', 'empty', 'big.bin', 'exact', 'link']
        : ['blobs', 'empty', 'big.bin', 'exact', 'link', longName];
      const archive = tar(dir, [`--format=${format}`, ...members]);
      const reference = collect(archive, archive.length);
      const names = reference.map((e) => e.header.name.replace(/\/$/, ''));
      assert.deepEqual(names, [
        'blobs', 'blobs/sha256', 'blobs/sha256/a', 'empty', 'big.bin', 'exact', 'link', ...(format === 'ustar' ? [] : [longName]),
      ]);
      const by = new Map(reference.map((e) => [e.header.name.replace(/\/$/, ''), e]));
      assert.equal(by.get('blobs')!.header.type, 'dir');
      assert.equal(by.get('blobs/sha256/a')!.data.toString(), 'alpha\n');
      assert.equal(by.get('empty')!.data.length, 0);
      assert.ok(by.get('big.bin')!.data.equals(big));
      assert.equal(by.get('exact')!.data.length, 512);
      assert.deepEqual([by.get('link')!.header.type, by.get('link')!.header.linkname, by.get('link')!.data.length], ['symlink', 'empty', 0]);
      if (format !== 'ustar') assert.equal(by.get(longName)!.data.toString(), 'long\n');
      for (const chunk of [1, 7, 511, 512, 513, 4096, 65_537]) {
        assert.deepEqual(collect(archive, chunk), reference, `chunk size ${chunk}`);
      }
    });
  }

  it('hands out file data as views of the pushed chunk (no copy)', () => {
    const archive = tar(dir, ['big.bin']);
    const reader = new TarReader();
    const events = reader.push(archive);
    const data = events.find((e) => e.kind === 'data') as { kind: 'data'; data: Buffer };
    assert.equal(data.data.buffer, archive.buffer);
    assert.ok(reader.finished);
  });

  it('fails on a stream cut inside a header or inside data', () => {
    const archive = tar(dir, ['big.bin']);
    for (const cut of [100, 512 + 1000]) {
      const reader = new TarReader();
      reader.push(archive.subarray(0, cut));
      assert.throws(() => reader.end(), { message: 'unexpected end of tar stream' });
    }
  });

  it('accepts an archive without its end marker when it stops between entries', () => {
    const archive = tar(dir, ['empty']);
    const reader = new TarReader();
    assert.equal(reader.push(archive.subarray(0, 512)).length, 2);
    reader.end();
  });

  it('rejects a corrupted header', () => {
    const archive = Buffer.from(tar(dir, ['empty']));
    archive[0] = 0x5a;
    assert.throws(() => new TarReader().push(archive), (e: Error) => e instanceof TarFormatError && /checksum mismatch/.test(e.message));
    assert.throws(() => new TarReader().push(Buffer.alloc(512, 0x41)), TarFormatError);
  });

  it('parses pax records, including values with spaces and "="', () => {
    const rec = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let n = body.length + 1;
      while (String(n).length + body.length !== n) n++;
      return `${n}${body}`;
    };
    const m = parsePaxRecords(Buffer.from(rec('path', 'a b=c/d') + rec('size', '12')));
    assert.deepEqual([...m], [['path', 'a b=c/d'], ['size', '12']]);
    assert.throws(() => parsePaxRecords(Buffer.from('99 path=x\n')), TarFormatError);
  });

  it('reads a big file of an archive written as one pax entry', async () => {
    const archive = tar(dir, ['--format=posix', 'big.bin']);
    const [entry] = collect(archive, 3 << 20);
    assert.ok(entry!.data.equals(await readFile(join(dir, 'big.bin'))));
  });
});
