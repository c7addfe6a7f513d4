// Build inputs read from stdin: a tar context (streamed, never buffered whole) or a Dockerfile.
import type { Readable } from 'node:stream';

/** tar ("ustar" at 257), gzip, bzip2, xz and zstd magic numbers: what BuildKit accepts as a context archive. */
export function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

export interface PeekedStream {
  head: Buffer;
  /** The whole stream again, head included. */
  stream: AsyncIterable<Buffer>;
}

/** Reads at least `n` bytes (or to EOF) without losing them for later consumers. */
export async function peek(input: Readable, n = 512): Promise<PeekedStream> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(b);
    size += b.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
  }
  return { head, stream: all() };
}

export async function readAllStream(s: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks);
}
