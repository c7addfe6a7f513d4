import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodePacket, encodePacket, PacketType, type FsStat, type Packet } from '../../../src/session/packet.js';
import { loadOracle, type OracleStatIn } from './helpers.js';

const oracle = loadOracle();

function toPacket(c: { type: number; id: number; data?: string; stat?: OracleStatIn }): Packet {
  const p: Packet = { type: c.type as PacketType, id: c.id };
  if (c.data) p.data = Buffer.from(c.data, 'base64');
  if (c.stat) {
    const s = c.stat;
    const stat: FsStat = {
      path: s.path,
      mode: s.mode,
      uid: s.uid,
      gid: s.gid,
      size: s.size,
      modTime: BigInt(s.modTime),
      linkname: s.linkname,
      devmajor: s.devmajor,
      devminor: s.devminor,
    };
    if (s.xattrs) stat.xattrs = Object.fromEntries(Object.entries(s.xattrs).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    p.stat = stat;
  }
  return p;
}

/** What decoding yields: zero values present, `data` absent when empty. */
function normalized(p: Packet): Packet {
  const out: Packet = { type: p.type, id: p.id };
  if (p.stat) out.stat = { ...p.stat };
  if (p.data && p.data.length > 0) out.data = p.data;
  return out;
}

describe('packet codec against bytes produced by fsutil (vtprotobuf MarshalVT)', () => {
  for (const c of oracle.packetCases) {
    it(c.name, () => {
      const p = toPacket(c.packet);
      const xattrCount = Object.keys(c.packet.stat?.xattrs ?? {}).length;
      // Go writes map entries in random order, so byte equality only holds for at most one entry.
      if (xattrCount <= 1) assert.equal(encodePacket(p).toString('hex'), c.hex);
      assert.deepEqual(decodePacket(Buffer.from(c.hex, 'hex')), normalized(p));
    });
  }
});

describe('packet codec', () => {
  it('known encodings', () => {
    assert.equal(encodePacket({ type: PacketType.STAT, id: 0 }).length, 0);
    assert.equal(encodePacket({ type: PacketType.REQ, id: 1 }).toString('hex'), '08011801');
    assert.equal(encodePacket({ type: PacketType.DATA, id: 2, data: Buffer.alloc(0) }).toString('hex'), '08021802');
    assert.equal(encodePacket({ type: PacketType.FIN, id: 0 }).toString('hex'), '0803');
    assert.equal(
      encodePacket({ type: PacketType.ERR, id: 0, data: Buffer.from('x') }).toString('hex'),
      '0804' + '220178',
    );
    // dir mode needs all 32 bits: 0x800001ed as a 5-byte varint
    const st: FsStat = { path: 'a', mode: 0x800001ed, uid: 0, gid: 0, size: 0, modTime: 0n, linkname: '', devmajor: 0, devminor: 0 };
    assert.equal(encodePacket({ type: PacketType.STAT, id: 0, stat: st }).toString('hex'), '1209' + '0a0161' + '10ed83808008');
  });

  it('zero-length message decodes as the end-of-list STAT', () => {
    assert.deepEqual(decodePacket(new Uint8Array(0)), { type: PacketType.STAT, id: 0 });
  });

  it('an empty but present stat stays present', () => {
    const p = decodePacket(Buffer.from('1200', 'hex'));
    assert.equal(p.type, PacketType.STAT);
    assert.ok(p.stat);
    assert.equal(p.stat.path, '');
  });

  it('round-trips extreme values', () => {
    const stat: FsStat = {
      path: 'dir/ファイル 😀',
      mode: 0xffffffff,
      uid: 0xffffffff,
      gid: 1,
      size: Number.MAX_SAFE_INTEGER,
      modTime: -9223372036854775808n,
      linkname: '../../x',
      devmajor: -1,
      devminor: 2 ** 40,
      xattrs: { 'user.empty': Buffer.alloc(0), 'user.bin': Buffer.from([0, 255, 1]) },
    };
    const p: Packet = { type: PacketType.STAT, id: 0xffffffff, stat, data: Buffer.from('tail') };
    assert.deepEqual(decodePacket(encodePacket(p)), p);
  });

  it('round-trips large data and keeps it zero-copy on decode', () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
    const enc = encodePacket({ type: PacketType.DATA, id: 77, data });
    const dec = decodePacket(enc);
    assert.equal(dec.id, 77);
    assert.ok(dec.data && dec.data.equals(data));
    assert.equal(dec.data!.buffer, enc.buffer);
  });

  it('accepts plain Uint8Array views at an offset', () => {
    const enc = encodePacket({ type: PacketType.REQ, id: 300 });
    const backing = new Uint8Array(enc.length + 5);
    backing.set(enc, 5);
    assert.deepEqual(decodePacket(backing.subarray(5)), { type: PacketType.REQ, id: 300 });
  });

  it('skips unknown fields of every wire type, in Packet and Stat', () => {
    const unknown = Buffer.from(
      [
        '28' + '96 01', // field 5 varint
        '31' + '0102030405060708', // field 6 fixed64
        '3a' + '03' + '616263', // field 7 bytes
        '45' + '01020304', // field 8 fixed32
      ]
        .join('')
        .replace(/ /g, ''),
      'hex',
    );
    const inner = Buffer.concat([Buffer.from('0a0178', 'hex'), Buffer.from('5801', 'hex') /* stat field 11 */]);
    const msg = Buffer.concat([
      Buffer.from('0802', 'hex'),
      unknown,
      Buffer.from([0x12, inner.length]),
      inner,
      Buffer.from('1805', 'hex'),
    ]);
    const p = decodePacket(msg);
    assert.equal(p.type, PacketType.DATA);
    assert.equal(p.id, 5);
    assert.equal(p.stat?.path, 'x');
  });

  it('rejects truncated input and wrong wire types', () => {
    assert.throws(() => decodePacket(Buffer.from('22', 'hex')), /truncated/);
    assert.throws(() => decodePacket(Buffer.from('2205616263', 'hex')), /truncated/);
    assert.throws(() => decodePacket(Buffer.from('0880', 'hex')), /truncated/);
    assert.throws(() => decodePacket(Buffer.from('0a00', 'hex')), /wrong wire type/);
    assert.throws(() => decodePacket(Buffer.from('0b', 'hex')), /wire type 3/);
  });
});
