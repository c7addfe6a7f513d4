// Hand-written protobuf codec for fsutil's transfer packet, `fsutil.types.Packet` (tonistiigi/fsutil
// types/wire.proto and types/stat.proto; schema mirrored in src/proto/fsutil.proto). It is on the hot path of
// every context upload, so it avoids the generic reflection-based codec: one size pass, one allocation,
// and zero-copy `data` on decode.

export const PacketType = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** `fsutil.types.Stat`. `mode` holds Go `os.FileMode` bits (see fs-mode.ts), not POSIX st_mode. */
export interface FsStat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Unix nanoseconds. */
  modTime: bigint;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs?: Record<string, Buffer>;
}

export interface Packet {
  /** Decoding keeps unknown enum values as they are (proto3 open enums); consumers ignore them. */
  type: PacketType;
  stat?: FsStat;
  id: number;
  data?: Buffer;
}

// Field tags: (number << 3) | wire type.
const T_TYPE = 0x08;
const T_STAT = 0x12;
const T_ID = 0x18;
const T_DATA = 0x22;
const S_PATH = 0x0a;
const S_MODE = 0x10;
const S_UID = 0x18;
const S_GID = 0x20;
const S_SIZE = 0x28;
const S_MODTIME = 0x30;
const S_LINKNAME = 0x3a;
const S_DEVMAJOR = 0x40;
const S_DEVMINOR = 0x48;
const S_XATTRS = 0x52;
const MAP_KEY = 0x0a;
const MAP_VALUE = 0x12;

const TWO32 = 4294967296;

function varint32Size(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** An int64 as two uint32 halves (two's complement for negatives). */
function split64(v: number | bigint): [number, number] {
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
    return [v >>> 0, Math.floor(v / TWO32) >>> 0];
  }
  const u = BigInt.asUintN(64, BigInt(v));
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  const bits = 64 - Math.clz32(hi);
  return Math.ceil(bits / 7);
}

function writeVarint32(buf: Buffer, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarint64(buf: Buffer, pos: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

interface StatLayout {
  size: number;
  pathLen: number;
  linkLen: number;
  sizeHalves: [number, number];
  modHalves: [number, number];
  majHalves: [number, number];
  minHalves: [number, number];
  xattrs: [Buffer, Buffer, number][] | undefined;
}

function layoutStat(s: FsStat): StatLayout {
  const pathLen = s.path ? Buffer.byteLength(s.path) : 0;
  const linkLen = s.linkname ? Buffer.byteLength(s.linkname) : 0;
  const sizeHalves = split64(s.size);
  const modHalves = split64(s.modTime);
  const majHalves = split64(s.devmajor);
  const minHalves = split64(s.devminor);
  let n = 0;
  if (pathLen > 0) n += 1 + varint32Size(pathLen) + pathLen;
  if (s.mode) n += 1 + varint32Size(s.mode >>> 0);
  if (s.uid) n += 1 + varint32Size(s.uid >>> 0);
  if (s.gid) n += 1 + varint32Size(s.gid >>> 0);
  if (s.size) n += 1 + varint64Size(...sizeHalves);
  if (s.modTime) n += 1 + varint64Size(...modHalves);
  if (linkLen > 0) n += 1 + varint32Size(linkLen) + linkLen;
  if (s.devmajor) n += 1 + varint64Size(...majHalves);
  if (s.devminor) n += 1 + varint64Size(...minHalves);
  let xattrs: [Buffer, Buffer, number][] | undefined;
  if (s.xattrs) {
    // Sorted so that equal stats encode identically; Go's map order is random anyway.
    for (const key of Object.keys(s.xattrs).sort()) {
      const k = Buffer.from(key);
      const v = s.xattrs[key];
      // Go writes both map-entry fields even when empty; so do we, to stay byte-compatible.
      const entry = 1 + varint32Size(k.length) + k.length + 1 + varint32Size(v.length) + v.length;
      (xattrs ??= []).push([k, v, entry]);
      n += 1 + varint32Size(entry) + entry;
    }
  }
  return { size: n, pathLen, linkLen, sizeHalves, modHalves, majHalves, minHalves, xattrs };
}

function writeStat(buf: Buffer, pos: number, s: FsStat, l: StatLayout): number {
  if (l.pathLen > 0) {
    buf[pos++] = S_PATH;
    pos = writeVarint32(buf, pos, l.pathLen);
    pos += buf.write(s.path, pos, 'utf8');
  }
  if (s.mode) {
    buf[pos++] = S_MODE;
    pos = writeVarint32(buf, pos, s.mode >>> 0);
  }
  if (s.uid) {
    buf[pos++] = S_UID;
    pos = writeVarint32(buf, pos, s.uid >>> 0);
  }
  if (s.gid) {
    buf[pos++] = S_GID;
    pos = writeVarint32(buf, pos, s.gid >>> 0);
  }
  if (s.size) {
    buf[pos++] = S_SIZE;
    pos = writeVarint64(buf, pos, ...l.sizeHalves);
  }
  if (s.modTime) {
    buf[pos++] = S_MODTIME;
    pos = writeVarint64(buf, pos, ...l.modHalves);
  }
  if (l.linkLen > 0) {
    buf[pos++] = S_LINKNAME;
    pos = writeVarint32(buf, pos, l.linkLen);
    pos += buf.write(s.linkname, pos, 'utf8');
  }
  if (s.devmajor) {
    buf[pos++] = S_DEVMAJOR;
    pos = writeVarint64(buf, pos, ...l.majHalves);
  }
  if (s.devminor) {
    buf[pos++] = S_DEVMINOR;
    pos = writeVarint64(buf, pos, ...l.minHalves);
  }
  for (const [k, v, entry] of l.xattrs ?? []) {
    buf[pos++] = S_XATTRS;
    pos = writeVarint32(buf, pos, entry);
    buf[pos++] = MAP_KEY;
    pos = writeVarint32(buf, pos, k.length);
    pos += k.copy(buf, pos);
    buf[pos++] = MAP_VALUE;
    pos = writeVarint32(buf, pos, v.length);
    pos += v.copy(buf, pos);
  }
  return pos;
}

/** Encodes with proto3 rules: zero values are omitted, so a STAT without `stat` is zero bytes long. */
export function encodePacket(p: Packet): Buffer {
  const type = p.type >>> 0;
  const id = p.id >>> 0;
  const dataLen = p.data ? p.data.length : 0;
  const st = p.stat ? layoutStat(p.stat) : undefined;
  let n = 0;
  if (type) n += 1 + varint32Size(type);
  if (st) n += 1 + varint32Size(st.size) + st.size;
  if (id) n += 1 + varint32Size(id);
  if (dataLen > 0) n += 1 + varint32Size(dataLen) + dataLen;
  const buf = Buffer.allocUnsafe(n);
  let pos = 0;
  if (type) {
    buf[pos++] = T_TYPE;
    pos = writeVarint32(buf, pos, type);
  }
  if (st) {
    buf[pos++] = T_STAT;
    pos = writeVarint32(buf, pos, st.size);
    pos = writeStat(buf, pos, p.stat!, st);
  }
  if (id) {
    buf[pos++] = T_ID;
    pos = writeVarint32(buf, pos, id);
  }
  if (dataLen > 0) {
    buf[pos++] = T_DATA;
    pos = writeVarint32(buf, pos, dataLen);
    pos += p.data!.copy(buf, pos);
  }
  if (pos !== n) throw new Error(`packet encoder size mismatch: ${pos} != ${n}`);
  return buf;
}

class Reader {
  pos: number;
  lo = 0;
  hi = 0;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** Reads a varint into lo/hi (uint32 halves). */
  varint(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('invalid packet: truncated varint');
      const b = buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
      shift += 7;
    }
    throw new Error('invalid packet: varint too long');
  }

  uint32(): number {
    this.varint();
    return this.lo;
  }

  int64(): number {
    this.varint();
    if (this.hi & 0x80000000) return Number(BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)));
    return this.hi * TWO32 + this.lo;
  }

  int64Big(): bigint {
    this.varint();
    if (this.hi === 0) return BigInt(this.lo);
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  /** Returns [start, end) of a length-delimited field. */
  bytes(): [number, number] {
    const len = this.uint32();
    const start = this.pos;
    if (len > this.end - start) throw new Error('invalid packet: truncated field');
    this.pos = start + len;
    return [start, this.pos];
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`invalid packet: unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new Error('invalid packet: truncated field');
  }
}

function expectWire(tag: number, wire: number): void {
  if ((tag & 7) !== wire) throw new Error(`invalid packet: wrong wire type ${tag & 7} for field ${tag >>> 3}`);
}

function decodeStat(buf: Buffer, start: number, end: number): FsStat {
  const st: FsStat = { path: '', mode: 0, uid: 0, gid: 0, size: 0, modTime: 0n, linkname: '', devmajor: 0, devminor: 0 };
  const sub = new Reader(buf, start, end);
  while (sub.pos < end) {
    const tag = sub.uint32();
    switch (tag >>> 3) {
      case 1: {
        expectWire(tag, 2);
        const [a, b] = sub.bytes();
        st.path = sub.buf.toString('utf8', a, b);
        break;
      }
      case 2:
        expectWire(tag, 0);
        st.mode = sub.uint32();
        break;
      case 3:
        expectWire(tag, 0);
        st.uid = sub.uint32();
        break;
      case 4:
        expectWire(tag, 0);
        st.gid = sub.uint32();
        break;
      case 5:
        expectWire(tag, 0);
        st.size = sub.int64();
        break;
      case 6:
        expectWire(tag, 0);
        st.modTime = sub.int64Big();
        break;
      case 7: {
        expectWire(tag, 2);
        const [a, b] = sub.bytes();
        st.linkname = sub.buf.toString('utf8', a, b);
        break;
      }
      case 8:
        expectWire(tag, 0);
        st.devmajor = sub.int64();
        break;
      case 9:
        expectWire(tag, 0);
        st.devminor = sub.int64();
        break;
      case 10: {
        expectWire(tag, 2);
        const [a, b] = sub.bytes();
        decodeXattr(new Reader(sub.buf, a, b), (st.xattrs ??= {}));
        break;
      }
      default:
        sub.skip(tag & 7);
    }
  }
  return st;
}

function decodeXattr(r: Reader, into: Record<string, Buffer>): void {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === MAP_KEY) {
      const [a, b] = r.bytes();
      key = r.buf.toString('utf8', a, b);
    } else if (tag === MAP_VALUE) {
      const [a, b] = r.bytes();
      value = r.buf.subarray(a, b);
    } else r.skip(tag & 7);
  }
  into[key] = value;
}

/**
 * Decodes one packet; absent fields get their zero values. `data` and xattr values are views into `buf`
 * (no copy), so the caller must not reuse `buf` while the packet is in use.
 */
export function decodePacket(buf: Uint8Array): Packet {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new Reader(b, 0, b.length);
  const p: Packet = { type: PacketType.STAT, id: 0 };
  while (r.pos < r.end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire(tag, 0);
        p.type = (r.uint32() | 0) as PacketType;
        break;
      case 2: {
        expectWire(tag, 2);
        const [a, e] = r.bytes();
        p.stat = decodeStat(b, a, e);
        break;
      }
      case 3:
        expectWire(tag, 0);
        p.id = r.uint32();
        break;
      case 4: {
        expectWire(tag, 2);
        const [a, e] = r.bytes();
        p.data = b.subarray(a, e);
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  return p;
}
