import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { receiveDirectory } from '../../../src/session/diffcopy-receive.js';
import { sendDirectory } from '../../../src/session/diffcopy-send.js';
import { CHUNK_SIZE } from '../../../src/session/diffcopy-send.js';
import { GoMode } from '../../../src/session/fs-mode.js';
import { walkDirectory } from '../../../src/session/fswalk.js';
import { PacketType, type FsStat, type Packet } from '../../../src/session/packet.js';
import { buildTree, canMkfifo, channelPair, removeTree, scriptedChannel, tempDir, type ChannelEnd } from './helpers.js';

interface Snapshot {
  path: string;
  mode: number;
  size: number;
  linkname: string;
  /** microseconds: what utimes can reproduce */
  mtimeUs: bigint;
  sha256?: string;
}

async function snapshot(root: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const { stat, absPath } of walkDirectory(root)) {
    const s: Snapshot = { path: stat.path, mode: stat.mode, size: stat.size, linkname: stat.linkname, mtimeUs: stat.modTime / 1000n };
    if ((stat.mode & GoMode.TYPE) === 0) s.sha256 = createHash('sha256').update(await fs.readFile(absPath)).digest('hex');
    out.push(s);
  }
  return out;
}

const stat = (path: string, mode: number, extra: Partial<FsStat> = {}): FsStat => ({
  path,
  mode,
  uid: 0,
  gid: 0,
  size: 0,
  modTime: 1_700_000_000_123_456_789n,
  linkname: '',
  devmajor: 0,
  devminor: 0,
  ...extra,
});
const DIR = (GoMode.DIR | 0o755) >>> 0;
const STAT = (s: FsStat): Packet => ({ type: PacketType.STAT, id: 0, stat: s });
const END: Packet = { type: PacketType.STAT, id: 0 };
const DATA = (id: number, text?: string): Packet => ({ type: PacketType.DATA, id, ...(text ? { data: Buffer.from(text) } : {}) });
const FIN: Packet = { type: PacketType.FIN, id: 0 };

describe('sendDirectory → receiveDirectory round trip (in-memory channel with backpressure)', () => {
  let src: string;
  let dst: string;
  before(async () => {
    src = await tempDir('rt-src');
    dst = await tempDir('rt-dst');
    await buildTree(src, [
      { path: 'a', type: 'dir' },
      { path: 'a/b', type: 'file', content: 'bee' },
      { path: 'a/c', type: 'dir' },
      { path: 'a/c/deep.txt', type: 'file', content: 'deep\n' },
      { path: 'a.txt', type: 'file', content: 'A' },
      { path: 'empty-dir', type: 'dir' },
      { path: 'empty-file', type: 'file' },
      { path: 'exec.sh', type: 'file', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { path: 'suid', type: 'file', content: 's', mode: 0o4755 },
      { path: 'readonly', type: 'file', content: 'ro', mode: 0o444 },
      { path: 'ro-dir', type: 'dir', mode: 0o555 },
      { path: 'ro-dir/inside', type: 'file', content: 'in' },
      { path: 'sticky', type: 'dir', mode: 0o1777 },
      { path: 'rel-link', type: 'symlink', target: 'a/b' },
      { path: 'abs-link', type: 'symlink', target: '/etc/passwd' },
      { path: 'dangling', type: 'symlink', target: '../nowhere' },
      { path: 'dir-link', type: 'symlink', target: 'a' },
      { path: 'é', type: 'file', content: 'accent' },
      { path: '\uE000', type: 'file', content: 'private use' },
      { path: '\u{1F600}', type: 'dir' },
      { path: '\u{1F600}/x', type: 'file', content: 'smile' },
      ...(canMkfifo() ? [{ path: 'pipe', type: 'fifo' as const, mode: 0o640 }] : []),
    ]);
    const big = randomBytes(3 * CHUNK_SIZE + 12345);
    await fs.writeFile(join(src, 'big.bin'), big);
    await fs.writeFile(join(src, 'exact.bin'), randomBytes(CHUNK_SIZE));
    for (let i = 0; i < 200; i++) await fs.writeFile(join(src, 'a', `small-${i}`), randomBytes(i * 37));
    // odd mtimes, so that precision loss would show
    await fs.utimes(join(src, 'a.txt'), 1_000_000_000.123456, 1_000_000_000.654321);
    await fs.lutimes(join(src, 'rel-link'), 1_500_000_000.5, 1_500_000_000.25);
    await fs.utimes(join(src, 'empty-dir'), 1_234_567_890, 1_234_567_890.000001);
  });
  after(async () => {
    await removeTree(src);
    await removeTree(dst);
  });

  it('reproduces the tree exactly (contents, modes, link targets, mtimes)', async () => {
    const [sendEnd, recvEnd] = channelPair({ capacity: 4 });
    const [sent, received] = await Promise.all([sendDirectory(src, {}, sendEnd), receiveDirectory(dst, recvEnd)]);
    sendEnd.close();
    recvEnd.close();
    const want = await snapshot(src);
    const got = await snapshot(dst);
    assert.deepEqual(got, want);
    const files = want.filter((s) => s.sha256 !== undefined).length;
    assert.equal(sent.entries, want.length);
    assert.equal(sent.files, files);
    assert.equal(sent.filesSent, files);
    assert.equal(received.entries, want.length);
    assert.equal(received.files, files);
    const bytes = want.reduce((n, s) => n + (s.sha256 ? s.size : 0), 0);
    assert.equal(sent.bytesSent, bytes);
    assert.equal(received.bytes, bytes);
    // backpressure: the queue never grows past capacity plus one packet per concurrent sender
    assert.ok(sendEnd.stats.maxQueued <= 4 + 5, `sender queued ${sendEnd.stats.maxQueued} packets`);
  });

  it('merges into an existing destination, replacing entries instead of writing through them', async () => {
    const outside = await tempDir('rt-outside');
    const dest = await tempDir('rt-merge');
    try {
      await fs.writeFile(join(outside, 'secret'), 'untouched');
      await fs.symlink(join(outside, 'secret'), join(dest, 'a.txt'));
      await fs.symlink(outside, join(dest, 'a'));
      await fs.mkdir(join(dest, 'readonly'));
      await fs.writeFile(join(dest, 'readonly', 'junk'), 'x');
      await fs.writeFile(join(dest, 'keep-me'), 'local');
      const [s, r] = channelPair({ capacity: 2 });
      await Promise.all([sendDirectory(src, {}, s), receiveDirectory(dest, r)]);
      assert.equal(await fs.readFile(join(outside, 'secret'), 'utf8'), 'untouched');
      assert.deepEqual(await fs.readdir(outside), ['secret']);
      assert.equal(await fs.readFile(join(dest, 'a.txt'), 'utf8'), 'A');
      assert.ok((await fs.lstat(join(dest, 'a'))).isDirectory());
      assert.equal(await fs.readFile(join(dest, 'readonly'), 'utf8'), 'ro');
      assert.equal(await fs.readFile(join(dest, 'keep-me'), 'utf8'), 'local');
    } finally {
      await removeTree(outside);
      await removeTree(dest);
    }
  });

  it('mode "delete" mirrors the sent tree', async () => {
    const dest = await tempDir('rt-mirror');
    try {
      await fs.mkdir(join(dest, 'stale-dir'));
      await fs.writeFile(join(dest, 'stale-dir', 'f'), 'x');
      await fs.writeFile(join(dest, 'stale'), 'x');
      await fs.mkdir(join(dest, 'a'));
      await fs.writeFile(join(dest, 'a', 'stale-inner'), 'x');
      const [s, r] = channelPair();
      await Promise.all([sendDirectory(src, {}, s), receiveDirectory(dest, r, { mode: 'delete' })]);
      assert.deepEqual(await snapshot(dest), await snapshot(src));
    } finally {
      await removeTree(dest);
    }
  });

  it('applies exclude patterns on the way', async () => {
    const dest = await tempDir('rt-filter');
    try {
      const [s, r] = channelPair();
      await Promise.all([
        sendDirectory(src, { excludePatterns: ['a', '!a/c', '*.bin', '**/x'] }, s),
        receiveDirectory(dest, r),
      ]);
      const paths = (await snapshot(dest)).map((e) => e.path);
      assert.ok(paths.includes('a/c/deep.txt'));
      assert.ok(!paths.includes('a/b'));
      assert.ok(!paths.includes('big.bin'));
      assert.ok(paths.includes('\u{1F600}'));
      assert.ok(!paths.includes('\u{1F600}/x'));
    } finally {
      await removeTree(dest);
    }
  });
});

/** A hand-driven receiver: requests what `want` picks, collects DATA, ends with FIN. */
async function driveReceiver(
  end: ChannelEnd,
  opts: { want?: (s: FsStat, id: number) => boolean; onStat?: (s: FsStat, id: number) => Promise<void> | void; reqOnEnd?: number[] } = {},
): Promise<{ stats: FsStat[]; data: Map<number, Buffer[]>; sawEof: Set<number>; reqBeforeEnd: boolean }> {
  const stats: FsStat[] = [];
  const data = new Map<number, Buffer[]>();
  const sawEof = new Set<number>();
  const requested = new Set<number>();
  let ended = false;
  let reqBeforeEnd = false;
  const maybeFin = async (): Promise<void> => {
    if (ended && [...requested].every((id) => sawEof.has(id))) await end.send(FIN);
  };
  for await (const p of end.receive()) {
    if (p.type === PacketType.STAT && p.stat) {
      const id = stats.length;
      stats.push(p.stat);
      await opts.onStat?.(p.stat, id);
      if (opts.want?.(p.stat, id)) {
        requested.add(id);
        reqBeforeEnd = true;
        await end.send({ type: PacketType.REQ, id });
      }
    } else if (p.type === PacketType.STAT) {
      ended = true;
      for (const id of opts.reqOnEnd ?? []) {
        requested.add(id);
        await end.send({ type: PacketType.REQ, id });
      }
      await maybeFin();
    } else if (p.type === PacketType.DATA) {
      if (p.data && p.data.length > 0) data.set(p.id, [...(data.get(p.id) ?? []), p.data]);
      else {
        sawEof.add(p.id);
        await maybeFin();
      }
    } else if (p.type === PacketType.FIN) break;
  }
  return { stats, data, sawEof, reqBeforeEnd };
}

describe('sendDirectory protocol', () => {
  let src: string;
  before(async () => {
    src = await tempDir('send-proto');
    await buildTree(src, [
      { path: 'd', type: 'dir' },
      { path: 'd/one', type: 'file', content: '1' },
      { path: 'd/two', type: 'file', content: '22' },
      { path: 'link', type: 'symlink', target: 'd/one' },
      { path: 'z', type: 'file', content: 'zzz' },
    ]);
  });
  after(async () => removeTree(src));

  it('serves requests that arrive during the walk and in any order, then answers FIN', async () => {
    const [s, r] = channelPair({ capacity: 1, keepLog: true });
    const [stats, seen] = await Promise.all([
      sendDirectory(src, {}, s),
      driveReceiver(r, { want: (st) => st.path === 'd/one', reqOnEnd: [4, 2] }),
    ]);
    assert.deepEqual(
      seen.stats.map((x) => x.path),
      ['d', 'd/one', 'd/two', 'link', 'z'],
    );
    assert.equal(seen.reqBeforeEnd, true);
    assert.equal(Buffer.concat(seen.data.get(1)!).toString(), '1');
    assert.equal(Buffer.concat(seen.data.get(2)!).toString(), '22');
    assert.equal(Buffer.concat(seen.data.get(4)!).toString(), 'zzz');
    assert.deepEqual(stats, { entries: 5, files: 3, filesSent: 3, bytesSent: 6, excluded: 0, excludePatterns: 0 });
    assert.deepEqual(s.log.at(-1), FIN);
    // every file ends with exactly one empty DATA
    const eofs = s.log.filter((p) => p.type === PacketType.DATA && !p.data?.length).map((p) => p.id);
    assert.deepEqual(eofs.sort(), [1, 2, 4]);
  });

  it('counts what the exclude patterns left out, and how many patterns there were', async () => {
    const [s, r] = channelPair();
    const [stats, seen] = await Promise.all([
      sendDirectory(src, { excludePatterns: ['d', 'z', 'nothing-matches'] }, s),
      driveReceiver(r),
    ]);
    assert.deepEqual(seen.stats.map((x) => x.path), ['link']);
    // `d` is pruned whole: one entry, its two files are not listed and not counted
    assert.deepEqual(stats, { entries: 1, files: 0, filesSent: 0, bytesSent: 0, excluded: 2, excludePatterns: 3 });
  });

  it('sends only the end-of-file marker for a file that became unreadable', async () => {
    const dir = await tempDir('send-vanish');
    try {
      await fs.writeFile(join(dir, 'gone'), 'data');
      const [s, r] = channelPair();
      const [, seen] = await Promise.all([
        sendDirectory(dir, {}, s),
        driveReceiver(r, { onStat: (st) => fs.unlink(join(dir, st.path)), want: () => true }),
      ]);
      assert.equal(seen.data.size, 0);
      assert.deepEqual([...seen.sawEof], [0]);
    } finally {
      await removeTree(dir);
    }
  });

  it('rejects a request for a non-file id and tells the receiver', async () => {
    const [s, r] = channelPair({ keepLog: true });
    const recv = driveReceiver(r, { reqOnEnd: [0] });
    await assert.rejects(sendDirectory(src, {}, s), { message: 'invalid file id 0' });
    assert.deepEqual(s.log.at(-1), { type: PacketType.ERR, id: 0, data: Buffer.from('invalid file id 0') });
    r.close();
    s.close();
    await recv.catch(() => undefined);
  });

  it('rejects a second request for the same file', async () => {
    const [s, r] = channelPair();
    const recv = driveReceiver(r, { reqOnEnd: [1, 1] });
    await assert.rejects(sendDirectory(src, {}, s), { message: 'invalid file id 1' });
    s.close();
    r.close();
    await recv.catch(() => undefined);
  });

  it('aborts with the receiver\'s error', async () => {
    const ch = scriptedChannel([{ type: PacketType.ERR, id: 0, data: Buffer.from('disk full') }]);
    await assert.rejects(sendDirectory(src, {}, ch), { message: 'error from receiver: disk full' });
    assert.ok(!ch.sent.some((p) => p.type === PacketType.ERR));
  });

  it('fails when the receiver goes away without FIN', async () => {
    const ch = scriptedChannel([]);
    await assert.rejects(sendDirectory(src, {}, ch), /closed the stream/);
  });

  it('reports local errors with an ERR packet', async () => {
    const ch = scriptedChannel(
      (async function* () {
        await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
    );
    await assert.rejects(sendDirectory(join(src, 'missing'), {}, ch), /resolve .*missing/);
    const err = ch.sent.find((p) => p.type === PacketType.ERR);
    assert.match(err?.data?.toString() ?? '', /no such file or directory/);
  });

  it('stops on abort and tells the peer "context canceled"', async () => {
    const ac = new AbortController();
    const ch = scriptedChannel(
      (async function* (): AsyncGenerator<Packet> {
        await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
      })(),
    );
    const p = sendDirectory(src, { signal: ac.signal }, ch);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, { name: 'AbortError' });
    assert.equal(ch.sent.at(-1)?.type, PacketType.ERR);
    assert.equal(ch.sent.at(-1)?.data?.toString(), 'context canceled');
  });
});

describe('receiveDirectory validation', () => {
  let dest: string;
  let outside: string;
  before(async () => {
    outside = await tempDir('recv-outside');
  });
  after(async () => removeTree(outside));

  async function expectRejected(script: Packet[], message: RegExp): Promise<Packet[]> {
    dest = await tempDir('recv');
    const ch = scriptedChannel(script);
    try {
      await assert.rejects(receiveDirectory(dest, ch), (err: Error) => {
        assert.match(err.message, message);
        return true;
      });
      const errPacket = ch.sent.find((p) => p.type === PacketType.ERR);
      assert.ok(errPacket, 'no ERR sent to the peer');
      assert.match(errPacket.data!.toString(), message);
      return ch.sent;
    } finally {
      await removeTree(dest);
    }
  }

  it('rejects a path escaping with ..', async () => {
    await expectRejected([STAT(stat('../x', 0o644))], /escape check \.\.\/x/);
    await expectRejected([STAT(stat('..', DIR))], /escape check \.\./);
  });

  it('rejects "." (the destination itself)', async () => {
    await expectRejected([STAT(stat('.', 0o644))], /unclean path \./);
  });

  it('returns after the FIN exchange without waiting for, or cancelling, the rest of the stream', async () => {
    dest = await tempDir('recv');
    let returned = false;
    try {
      const ch = scriptedChannel(
        (async function* (): AsyncGenerator<Packet> {
          try {
            yield STAT(stat('f', 0o644));
            yield END;
            yield DATA(0, 'x');
            yield DATA(0);
            yield FIN;
            await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
          } finally {
            returned = true;
          }
        })(),
      );
      assert.deepEqual(await receiveDirectory(dest, ch), { entries: 1, files: 1, bytes: 1 });
      assert.equal(returned, false);
      assert.deepEqual(ch.sent.at(-1), FIN);
    } finally {
      await removeTree(dest);
    }
  });

  it('rejects absolute and unclean paths', async () => {
    await expectRejected([STAT(stat('/etc/passwd', 0o644))], /absolute path \/etc\/passwd/);
    await expectRejected([STAT(stat('a/../b', 0o644))], /unclean path a\/\.\.\/b/);
    await expectRejected([STAT(stat('a//b', 0o644))], /unclean path a\/\/b/);
    await expectRejected([STAT(stat('', 0o644))], /unclean path/);
  });

  it('rejects entries out of order, duplicates and missing parents', async () => {
    await expectRejected([STAT(stat('b', 0o644)), STAT(stat('a', 0o644))], /changes out of order: "a"/);
    await expectRejected([STAT(stat('a', 0o644)), STAT(stat('a', 0o644))], /changes out of order: "a"/);
    await expectRejected([STAT(stat('x/y', 0o644))], /changes out of order: "x\/y"/);
    // byte order, not UTF-16 order: U+E000 sorts before an astral character
    await expectRejected([STAT(stat('\u{1F600}', 0o644)), STAT(stat('\uE000', 0o644))], /out of order/);
    await expectRejected(
      [STAT(stat('a', DIR)), STAT(stat('a/z', 0o644)), STAT(stat('b', DIR)), STAT(stat('a/zz', 0o644))],
      /changes out of order: "a\/zz"/,
    );
  });

  it('never writes through a symlink it received', async () => {
    await expectRejected(
      [
        STAT(stat('l', (GoMode.SYMLINK | 0o777) >>> 0, { linkname: outside })),
        STAT(stat('l/evil', 0o644)),
        END,
        DATA(1, 'pwned'),
        DATA(1),
      ],
      /changes out of order: "l\/evil"/,
    );
    assert.deepEqual(await fs.readdir(outside), []);
  });

  it('rejects hardlinks to paths it did not receive', async () => {
    await expectRejected([STAT(stat('h', 0o644, { linkname: '../../etc/passwd' }))], /invalid link h/);
  });

  it('rejects data for a file it did not request', async () => {
    await expectRejected([STAT(stat('d', DIR)), DATA(0, 'x')], /invalid file request 0/);
  });

  it('rejects an entry after the end of the list', async () => {
    await expectRejected([STAT(stat('a', DIR)), END, STAT(stat('b', DIR))], /"b" after the end/);
  });

  it('fails when the sender ends the stream early', async () => {
    await expectRejected([STAT(stat('f', 0o644))], /closed the stream/);
  });

  it('stops with the sender\'s error and does not echo it', async () => {
    dest = await tempDir('recv');
    try {
      const ch = scriptedChannel([{ type: PacketType.ERR, id: 0, data: Buffer.from('boom') }]);
      await assert.rejects(receiveDirectory(dest, ch), { message: 'error from sender: boom' });
      assert.deepEqual(ch.sent, []);
    } finally {
      await removeTree(dest);
    }
  });

  it('requests each regular file once, writes data, applies metadata and finishes with FIN', async () => {
    dest = await tempDir('recv');
    try {
      const mtime = 1_600_000_000_987_654_321n;
      const ch = scriptedChannel([
        STAT(stat('d', (GoMode.DIR | 0o750) >>> 0, { modTime: mtime })),
        STAT(stat('d/f', 0o640, { size: 6, modTime: mtime })),
        STAT(stat('d/h', 0o640, { linkname: 'd/f' })),
        STAT(stat('d/s', (GoMode.SYMLINK | 0o777) >>> 0, { linkname: 'f', modTime: mtime })),
        STAT(stat('e', 0o600)),
        END,
        DATA(4),
        DATA(1, 'hel'),
        DATA(1, 'lo\n'),
        DATA(1),
        FIN,
      ]);
      const stats = await receiveDirectory(dest, ch);
      assert.deepEqual(stats, { entries: 5, files: 2, bytes: 6 });
      assert.deepEqual(
        ch.sent.map((p) => [p.type, p.id]),
        [
          [PacketType.REQ, 1],
          [PacketType.REQ, 4],
          [PacketType.FIN, 0],
        ],
      );
      assert.equal(await fs.readFile(join(dest, 'd/f'), 'utf8'), 'hello\n');
      assert.equal(await fs.readFile(join(dest, 'd/h'), 'utf8'), 'hello\n');
      assert.equal((await fs.stat(join(dest, 'd/f'))).ino, (await fs.stat(join(dest, 'd/h'))).ino);
      assert.equal(await fs.readlink(join(dest, 'd/s')), 'f');
      assert.equal((await fs.stat(join(dest, 'e'))).size, 0);
      const d = await fs.stat(join(dest, 'd'), { bigint: true });
      assert.equal(d.mode & 0o7777n, 0o750n);
      assert.equal(d.mtimeNs / 1000n, mtime / 1000n);
      const f = await fs.stat(join(dest, 'd/f'), { bigint: true });
      assert.equal(f.mode & 0o7777n, 0o640n);
      assert.equal(f.mtimeNs / 1000n, mtime / 1000n);
      const s = await fs.lstat(join(dest, 'd/s'), { bigint: true });
      assert.equal(s.mtimeNs / 1000n, mtime / 1000n);
    } finally {
      await removeTree(dest);
    }
  });

  it('stops on abort while waiting for the sender', async () => {
    dest = await tempDir('recv');
    try {
      const ac = new AbortController();
      const ch = scriptedChannel(
        (async function* (): AsyncGenerator<Packet> {
          yield STAT(stat('a', DIR));
          await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
        })(),
      );
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(receiveDirectory(dest, ch, { signal: ac.signal }), { name: 'AbortError' });
      assert.equal(ch.sent.at(-1)?.data?.toString(), 'context canceled');
    } finally {
      await removeTree(dest);
    }
  });
});
