// A content-addressed blob store in a directory, laid out as an OCI layout (blobs/<alg>/<hex>) with
// in-progress writes under ingest/. It backs the containerd content service a session offers the daemon
// (local cache export and import). Semantics follow containerd's local store: one writer per ref,
// writes only at the current offset (or from 0 again), commits checked against size and digest and
// refused with "already exists" for content that is there, committed blobs read-only.
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export type ContentErrorKind = 'not-found' | 'already-exists' | 'unavailable' | 'failed-precondition' | 'invalid-argument' | 'out-of-range';

export class ContentError extends Error {
  constructor(readonly kind: ContentErrorKind, message: string) {
    super(message);
  }
}

export interface ContentInfo {
  digest: string;
  size: number;
  createdAt: Date;
  updatedAt: Date;
  labels: Record<string, string>;
}

export interface IngestStatus {
  ref: string;
  offset: number;
  total: number;
  expected: string;
  startedAt: Date;
  updatedAt: Date;
}

const ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** `alg:hex` split and checked; anything else is an invalid argument naming the value. */
export function parseDigest(digest: string): { algorithm: string; hex: string } {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m || ALGORITHMS[m[1]!] !== m[2]!.length) throw new ContentError('invalid-argument', `invalid digest ${JSON.stringify(digest)}`);
  return { algorithm: m[1]!, hex: m[2]! };
}

/** Size of one Read response: the daemon asks for whole blobs or exact ranges. */
export const READ_CHUNK = 1 << 20;

export class LocalContentStore {
  private readonly active = new Map<string, IngestWriter>();

  constructor(readonly root: string) {}

  /** Creates the store's directories (a fresh export target looks like one the Go client made). */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'ingest'), { recursive: true });
  }

  blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  async info(digest: string): Promise<ContentInfo> {
    const p = this.blobPath(digest);
    try {
      const st = await stat(p);
      if (!st.isFile()) throw new Error('not a file');
      return { digest, size: st.size, createdAt: st.mtime, updatedAt: st.mtime, labels: {} };
    } catch (err) {
      if (err instanceof ContentError) throw err;
      throw new ContentError('not-found', `content digest ${digest}: not found`);
    }
  }

  async has(digest: string): Promise<boolean> {
    return this.info(digest).then(() => true, () => false);
  }

  /** `size` bytes from `offset` (to the end when `size` ≤ 0 or past it), in chunks. */
  async *read(digest: string, offset: number, size: number, signal?: AbortSignal): AsyncGenerator<{ offset: number; data: Buffer }> {
    const info = await this.info(digest);
    const start = Math.max(0, offset);
    if (start > info.size) throw new ContentError('out-of-range', `read past object length ${info.size} bytes`);
    const end = size <= 0 || start + size > info.size ? info.size : start + size;
    const fh = await open(this.blobPath(digest), constants.O_RDONLY);
    try {
      for (let pos = start; pos < end;) {
        if (signal?.aborted) return;
        const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new ContentError('failed-precondition', `content digest ${digest}: shorter than ${info.size} bytes`);
        yield { offset: pos, data: buf.subarray(0, bytesRead) };
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }

  /** Opens the write of `ref`; refused when the expected content already exists or the ref is busy. */
  async writer(ref: string, total: number, expected: string): Promise<IngestWriter> {
    if (ref === '') throw new ContentError('invalid-argument', 'ref must not be empty');
    if (expected !== '' && (await this.has(expected))) throw new ContentError('already-exists', `content ${expected}: already exists`);
    if (this.active.has(ref)) throw new ContentError('unavailable', `ref ${ref} locked`);
    const dir = join(this.root, 'ingest', createHash('sha256').update(ref).digest('hex'));
    const w = new IngestWriter(this, ref, dir, total, expected, () => this.active.delete(ref));
    this.active.set(ref, w);
    try {
      await w.open();
    } catch (err) {
      this.active.delete(ref);
      throw err;
    }
    return w;
  }

  status(ref: string): IngestStatus {
    const w = this.active.get(ref);
    if (!w) throw new ContentError('not-found', `ingest ref ${JSON.stringify(ref)}: not found`);
    return w.status();
  }

  statuses(): IngestStatus[] {
    return [...this.active.values()].map((w) => w.status());
  }

  async abort(ref: string): Promise<void> {
    const w = this.active.get(ref);
    if (!w) throw new ContentError('not-found', `ingest ref ${JSON.stringify(ref)}: not found`);
    await w.discard();
  }

  async delete(digest: string): Promise<void> {
    await this.info(digest);
    await rm(this.blobPath(digest), { force: true });
  }

  /** Committed blobs, for List. */
  async list(): Promise<ContentInfo[]> {
    const out: ContentInfo[] = [];
    for (const alg of await readdir(join(this.root, 'blobs')).catch(() => [] as string[])) {
      if (!(alg in ALGORITHMS)) continue;
      for (const hex of await readdir(join(this.root, 'blobs', alg))) {
        const info = await this.info(`${alg}:${hex}`).catch(() => undefined);
        if (info) out.push(info);
      }
    }
    return out;
  }
}

async function digestFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  const fh = await open(path, constants.O_RDONLY);
  try {
    for await (const chunk of fh.createReadStream()) h.update(chunk as Buffer);
  } finally {
    await fh.close().catch(() => {});
  }
  return `${algorithm}:${h.digest('hex')}`;
}

/** One write in progress: data appended to ingest/<hash of ref>/data and hashed as it arrives. */
export class IngestWriter {
  private fh: FileHandle | undefined;
  /** Fixed when the write opens: the expected digest's algorithm, else sha256. */
  private readonly algorithm: string;
  private hash: Hash;
  private offset = 0;
  private readonly startedAt = new Date();
  private updatedAt = new Date();
  private closed = false;

  constructor(
    private readonly store: LocalContentStore,
    readonly ref: string,
    private readonly dir: string,
    private total: number,
    private expected: string,
    private readonly release: () => void,
  ) {
    this.algorithm = expected ? parseDigest(expected).algorithm : 'sha256';
    this.hash = createHash(this.algorithm);
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // A write left over from an earlier session starts again from zero.
    this.fh = await open(join(this.dir, 'data'), 'w+');
  }

  status(): IngestStatus {
    return { ref: this.ref, offset: this.offset, total: this.total, expected: this.expected, startedAt: this.startedAt, updatedAt: this.updatedAt };
  }

  /** Digest of what was written so far. */
  digest(): string {
    return `${this.algorithm}:${this.hash.copy().digest('hex')}`;
  }

  /** The latest expected digest and total given on the stream are the ones the commit checks. */
  setExpected(expected: string, total: number): void {
    if (expected) {
      parseDigest(expected);
      this.expected = expected;
    }
    if (total > 0) this.total = total;
  }

  async write(offset: number, data: Buffer): Promise<void> {
    const fh = this.handle();
    if (offset > 0 && offset !== this.offset) {
      throw new ContentError('out-of-range', `write @${offset} must occur at current offset ${this.offset}`);
    }
    if (offset === 0 && this.offset > 0) {
      await fh.truncate(0);
      this.offset = 0;
      this.hash = createHash(this.algorithm);
    }
    for (let done = 0; done < data.length;) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, this.offset + done);
      done += bytesWritten;
    }
    this.hash.update(data);
    this.offset += data.length;
    this.updatedAt = new Date();
  }

  /** Moves the data into blobs/ under its digest, after checking size and digest. */
  async commit(total: number, expected: string): Promise<string> {
    const fh = this.handle();
    this.setExpected(expected, total);
    try {
      await fh.sync();
      await fh.close();
      this.fh = undefined;
      if (this.total > 0 && this.total !== this.offset) {
        throw new ContentError('failed-precondition', `unexpected commit size ${this.offset}, expected ${this.total}`);
      }
      let digest = this.digest();
      const want = this.expected ? parseDigest(this.expected).algorithm : this.algorithm;
      if (want !== this.algorithm) digest = await digestFile(join(this.dir, 'data'), want);
      if (this.expected && this.expected !== digest) {
        throw new ContentError('failed-precondition', `unexpected commit digest ${digest}, expected ${this.expected}`);
      }
      const target = this.store.blobPath(digest);
      await mkdir(join(target, '..'), { recursive: true });
      if (await this.store.has(digest)) throw new ContentError('already-exists', `content ${digest}: already exists`);
      await rename(join(this.dir, 'data'), target);
      await chmod(target, 0o444);
      return digest;
    } finally {
      await this.discard();
    }
  }

  /** Drops the ingest (its data too); the ref is free again. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    await rm(this.dir, { recursive: true, force: true });
    this.release();
  }

  private handle(): FileHandle {
    if (!this.fh) throw new ContentError('failed-precondition', 'cannot write on closed writer');
    return this.fh;
  }
}
