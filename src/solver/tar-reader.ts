// An incremental tar parser for streams the daemon sends in arbitrary chunks: it never holds more than
// one 512-byte header across chunks, and file data comes out as views into the chunks it arrived in, so
// a consumer that awaits its own writes gives the whole pipeline backpressure.
//
// Format facts (POSIX ustar, pax `x` records, GNU `L` long names) from the POSIX pax specification.

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  size: number;
  mode: number;
  linkname: string;
}

export type TarEvent =
  | { kind: 'entry'; header: TarHeader }
  | { kind: 'data'; data: Buffer }
  | { kind: 'entry-end' };

const BLOCK = 512;

export class TarFormatError extends Error {}

function cString(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Numeric fields are octal text, or big-endian base-256 when the first byte has its top bit set. */
function numeric(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cString(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid tar header: bad number ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const want = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === want;
}

function typeOf(flag: number): TarEntryType {
  switch (flag) {
    case 0x30: case 0: case 0x37: return 'file'; // '0', NUL (old tar), '7' (contiguous)
    case 0x35: return 'dir';
    case 0x32: return 'symlink';
    case 0x31: return 'hardlink';
    default: return 'other';
  }
}

/** `len key=value\n` records of a pax extended header. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) throw new TarFormatError('invalid pax header: missing length');
    const len = Number.parseInt(data.subarray(i, space).toString('ascii'), 10);
    if (!Number.isInteger(len) || len <= space - i + 1 || i + len > data.length) throw new TarFormatError('invalid pax header: bad record length');
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq < 0) throw new TarFormatError('invalid pax header: record without "="');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

type State =
  | { at: 'header' }
  /** Data of an entry the consumer sees. */
  | { at: 'data'; left: number; pad: number }
  /** Body of a pax or GNU long-name record, collected (small) to apply to the next header. */
  | { at: 'meta'; kind: 'pax' | 'longname' | 'skip'; left: number; pad: number; parts: Buffer[] }
  | { at: 'padding'; left: number }
  | { at: 'done' };

/** Feed chunks with `push`; call `end` once the stream is over (it throws if the archive was cut short). */
export class TarReader {
  private state: State = { at: 'header' };
  /** A header block split across chunks. */
  private partial: Buffer[] = [];
  private partialSize = 0;
  private pax = new Map<string, string>();
  private longName: string | undefined;
  private zeroBlocks = 0;

  /** Events for this chunk, in order; `data` events are views into `chunk`. */
  push(chunk: Buffer): TarEvent[] {
    const events: TarEvent[] = [];
    let off = 0;
    while (off < chunk.length) {
      const s = this.state;
      if (s.at === 'done') break;
      if (s.at === 'header') {
        const need = BLOCK - this.partialSize;
        if (this.partialSize === 0 && chunk.length - off >= BLOCK) {
          this.header(chunk.subarray(off, off + BLOCK), events);
          off += BLOCK;
        } else {
          const piece = chunk.subarray(off, off + need);
          this.partial.push(piece);
          this.partialSize += piece.length;
          off += piece.length;
          if (this.partialSize === BLOCK) {
            const block = Buffer.concat(this.partial, BLOCK);
            this.partial = [];
            this.partialSize = 0;
            this.header(block, events);
          }
        }
      } else if (s.at === 'data' || s.at === 'meta') {
        const n = Math.min(s.left, chunk.length - off);
        const piece = chunk.subarray(off, off + n);
        off += n;
        s.left -= n;
        if (s.at === 'data') {
          if (n > 0) events.push({ kind: 'data', data: piece });
        } else if (s.kind !== 'skip') {
          s.parts.push(Buffer.from(piece));
        }
        if (s.left === 0) this.finishBody(s, events);
      } else {
        const n = Math.min(s.left, chunk.length - off);
        off += n;
        s.left -= n;
        if (s.left === 0) this.state = { at: 'header' };
      }
    }
    return events;
  }

  /** True once the two zero blocks that close an archive were read. */
  get finished(): boolean {
    return this.state.at === 'done';
  }

  end(): void {
    // Some writers stop after the first zero block, or with no end marker at all; both are complete.
    if (this.state.at === 'done' || (this.state.at === 'header' && this.partialSize === 0)) return;
    throw new TarFormatError('unexpected end of tar stream');
  }

  private finishBody(s: Extract<State, { at: 'data' | 'meta' }>, events: TarEvent[]): void {
    if (s.at === 'data') events.push({ kind: 'entry-end' });
    else if (s.kind === 'pax') {
      for (const [k, v] of parsePaxRecords(Buffer.concat(s.parts))) this.pax.set(k, v);
    } else if (s.kind === 'longname') {
      this.longName = cString(Buffer.concat(s.parts), 0, Number.MAX_SAFE_INTEGER);
    }
    this.state = s.pad > 0 ? { at: 'padding', left: s.pad } : { at: 'header' };
  }

  private header(block: Buffer, events: TarEvent[]): void {
    if (block.every((b) => b === 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) this.state = { at: 'done' };
      return;
    }
    if (this.zeroBlocks > 0) throw new TarFormatError('invalid tar stream: data after end marker');
    if (!checksumOk(block)) throw new TarFormatError('invalid tar header: checksum mismatch');
    const flag = block[156]!;
    let size = numeric(block, 124, 12);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    // x: pax for the next entry; g: global pax (nothing we need); L: GNU long name; K: GNU long link.
    if (flag === 0x78 || flag === 0x67 || flag === 0x4c || flag === 0x4b) {
      const kind = flag === 0x78 ? 'pax' : flag === 0x4c ? 'longname' : 'skip';
      if (kind !== 'skip' && size > 1 << 20) throw new TarFormatError('invalid tar header: extended header too large');
      this.state = size > 0 ? { at: 'meta', kind, left: size, pad, parts: [] } : { at: 'header' };
      return;
    }
    const magic = block.subarray(257, 263).toString('latin1');
    const prefix = magic.startsWith('ustar') ? cString(block, 345, 155) : '';
    let name = cString(block, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    if (this.longName !== undefined) name = this.longName;
    const paxPath = this.pax.get('path');
    if (paxPath !== undefined) name = paxPath;
    const paxSize = this.pax.get('size');
    if (paxSize !== undefined) {
      if (!/^\d+$/.test(paxSize)) throw new TarFormatError(`invalid pax header: bad size ${JSON.stringify(paxSize)}`);
      size = Number(paxSize);
    }
    const linkname = this.pax.get('linkpath') ?? cString(block, 157, 100);
    this.pax = new Map();
    this.longName = undefined;
    const type = typeOf(flag);
    // Only regular files carry data; other types declare size 0 (or a size that is not theirs to read).
    const dataSize = type === 'file' || type === 'other' ? size : 0;
    events.push({ kind: 'entry', header: { name, type, size: dataSize, mode: numeric(block, 100, 8), linkname } });
    const dataPad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    if (dataSize === 0) {
      events.push({ kind: 'entry-end' });
      this.state = { at: 'header' };
    } else {
      this.state = { at: 'data', left: dataSize, pad: dataPad };
    }
  }
}
