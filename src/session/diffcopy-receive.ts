// DiffCopy receiver: writes a tree streamed by the peer (the daemon's `local` exporter) into a directory.
//
// The peer is not trusted with the local file system. Every entry is validated before anything touches the
// disk: clean relative paths only, each under a directory received earlier in this stream (so never below
// a symlink, which is the classic way to escape the destination), in walk order and without duplicates.
// Existing entries in the destination are replaced, not written through: files are created with O_EXCL
// and O_NOFOLLOW after whatever was there has been removed.
//
// File system calls are synchronous (small and cheap per entry, see fswalk.ts); the loop yields to the
// event loop every few milliseconds.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { setImmediate as yieldImmediate } from 'node:timers/promises';

import type { PacketChannel, ReceiveMode, ReceiveStats } from './diffcopy.js';
import { describeError, quote, raceTimeout } from './diffcopy-util.js';
import { goErrnoText } from '../util/go-errno.js';
import { basePath, cleanPath, dirPath } from './fs-glob.js';
import { GoMode, isDirMode, isRegularMode, isSymlinkMode, posixPermFromGo } from './fs-mode.js';
import { compareGoStrings } from '../util/go-strings.js';
import { PacketType, type FsStat, type Packet } from './packet.js';

interface PendingFile {
  rel: string;
  abs: string;
  stat: FsStat;
  fd: number | undefined;
  /** The file exists on disk (it is created at its first DATA, or earlier when hardlinked). */
  created: boolean;
}

/** Rejects entries out of walk order, duplicates, and entries whose parent was not sent as a directory. */
class OrderValidator {
  // The chain of directories from the root to the current one, each with the last name seen in it.
  private readonly stack: { dir: string; last: string }[] = [{ dir: '', last: '' }];

  check(path: string, isDir: boolean): void {
    const dir = path.includes('/') ? dirPath(path) : '';
    const base = basePath(path);
    let i = this.stack.length - 1;
    while (i > 0 && this.stack[i].dir !== dir) i--;
    const top = this.stack[i];
    if (top.dir !== dir || (top.last !== '' && compareGoStrings(top.last, base) >= 0)) {
      const last = this.stack[this.stack.length - 1];
      throw new Error(`changes out of order: ${quote(path)} ${quote(last.dir === '' ? last.last : `${last.dir}/${last.last}`)}`);
    }
    this.stack.length = i + 1;
    top.last = base;
    if (isDir) this.stack.push({ dir: path, last: '' });
  }
}

function validatePath(p: string): void {
  if (p === '' || p === '.' || p.includes('\0') || p !== cleanPath(p)) throw new Error(`unclean path ${p}: invalid argument`);
  if (p.startsWith('/')) throw new Error(`absolute path ${p}: invalid argument`);
  if (p === '..' || p.startsWith('../')) throw new Error(`escape check ${p}: invalid argument`);
}

/** utimes takes float seconds and libuv truncates to microseconds: aim at the middle of the microsecond. */
function utimeSeconds(ns: bigint): number {
  const us = ns / 1000n;
  const sec = us / 1000000n;
  const rem = us - sec * 1000000n;
  return Number(sec) + (Number(rem) + 0.5) / 1e6;
}

// The common case is a fresh destination: avoid paying for an exception per entry.
const lstatOrUndefined = (p: string): Stats | undefined => lstatSync(p, { throwIfNoEntry: false });

function makeFifo(abs: string, perm: number): boolean {
  try {
    execFileSync('mkfifo', ['-m', perm.toString(8), abs], { stdio: 'ignore' });
    return true;
  } catch {
    // no mkfifo(1): the pipe is left out like a device
    return false;
  }
}

function removeExisting(p: string, st: Stats): void {
  if (st.isDirectory()) rmSync(p, { recursive: true, force: true });
  else unlinkSync(p);
}

/**
 * Reads packets one at a time, giving up as soon as `signal` aborts. The source is deliberately never
 * `return()`ed: for a gRPC stream that would cancel the call, which is the transport's decision to make.
 */
class PacketReader {
  private readonly it: AsyncIterator<Packet>;
  private readonly aborted: Promise<never> | undefined;
  private readonly cleanup: () => void = () => undefined;

  constructor(source: AsyncIterable<Packet>, signal: AbortSignal | undefined) {
    this.it = source[Symbol.asyncIterator]();
    if (signal) {
      let onAbort!: () => void;
      this.aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      this.aborted.catch(() => undefined);
      this.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
  }

  async next(): Promise<Packet | undefined> {
    const r = await (this.aborted ? Promise.race([this.it.next(), this.aborted]) : this.it.next());
    return r.done ? undefined : r.value;
  }

  /** Keeps consuming in the background until the peer ends the stream, ignoring what comes. */
  drainInBackground(): void {
    this.cleanup();
    void (async () => {
      while (!(await this.it.next()).done);
    })().catch(() => undefined);
  }

  close(): void {
    this.cleanup();
  }
}

const YIELD_EVERY_MS = 8;

class Receiver {
  readonly stats: ReceiveStats = { entries: 0, files: 0, bytes: 0 };
  private readonly order = new OrderValidator();
  private nextId = 0;
  private readonly pending = new Map<number, PendingFile>();
  /** Regular files received so far, for hardlink targets; the value is set while data is still due. */
  private readonly regular = new Map<string, PendingFile | undefined>();
  private readonly dirs: [string, FsStat][] = [];
  private readonly received: Set<string> | undefined;
  private readonly outstanding = new Set<Promise<void>>();
  private sendError: unknown;
  private endOfList = false;
  finSent = false;

  constructor(
    private readonly root: string,
    private readonly ch: PacketChannel,
    mode: ReceiveMode,
  ) {
    if (mode === 'delete') this.received = new Set();
  }

  /** Queues a packet without waiting, so that reading never stalls behind our own sends. */
  private post(p: Packet): void {
    const s = this.ch.send(p).then(
      () => void this.outstanding.delete(s),
      (err: unknown) => {
        this.sendError ??= err;
        this.outstanding.delete(s);
      },
    );
    this.outstanding.add(s);
  }

  async handle(p: Packet): Promise<void> {
    switch (p.type) {
      case PacketType.STAT:
        if (!p.stat) {
          this.endOfList = true;
          break;
        }
        if (this.endOfList) throw new Error(`unexpected entry ${quote(p.stat.path)} after the end of the list`);
        this.entry(p.stat);
        break;
      case PacketType.DATA:
        this.data(p.id, p.data);
        break;
      case PacketType.ERR:
        throw new Error(`error from sender: ${p.data?.toString('utf8') ?? ''}`);
      default:
      // REQ is meaningless towards a receiver; FIN is handled by the caller
    }
    if (this.sendError) throw this.sendError;
    if (this.endOfList && this.pending.size === 0 && !this.finSent) await this.finish();
  }

  private entry(stat: FsStat): void {
    const rel = stat.path;
    const id = this.nextId++;
    validatePath(rel);
    const isDir = isDirMode(stat.mode);
    this.order.check(rel, isDir);
    const regular = isRegularMode(stat.mode);
    if (regular && stat.linkname !== '' && !this.regular.has(stat.linkname)) {
      throw new Error(`invalid link ${rel} to unknown path: ${quote(stat.linkname)}`);
    }
    this.stats.entries++;
    this.received?.add(rel);
    const abs = `${this.root}/${rel}`;
    try {
      const existing = lstatOrUndefined(abs);
      if (isDir) {
        if (!existing?.isDirectory()) {
          if (existing) removeExisting(abs, existing);
          // owner-writable until the end, so that read-only directories can still be filled
          mkdirSync(abs, 0o700);
        }
        this.dirs.push([abs, stat]);
        return;
      }
      if (isSymlinkMode(stat.mode)) {
        if (existing) removeExisting(abs, existing);
        symlinkSync(stat.linkname, abs);
        const t = utimeSeconds(stat.modTime);
        lutimesSync(abs, t, t);
        return;
      }
      if (!regular) {
        // Node has no mknod(2): named pipes go through mkfifo(1) when it exists, devices are left out
        // (creating them needs root anyway).
        if ((stat.mode & GoMode.NAMED_PIPE) !== 0) {
          if (existing) removeExisting(abs, existing);
          if (makeFifo(abs, posixPermFromGo(stat.mode))) {
            const t = utimeSeconds(stat.modTime);
            utimesSync(abs, t, t);
          }
        }
        return;
      }
      if (existing) removeExisting(abs, existing);
      if (stat.linkname !== '') {
        const target = this.regular.get(stat.linkname);
        if (target) this.create(target);
        linkSync(`${this.root}/${stat.linkname}`, abs);
        chmodSync(abs, posixPermFromGo(stat.mode));
        const t = utimeSeconds(stat.modTime);
        utimesSync(abs, t, t);
        return;
      }
      const pf: PendingFile = { rel, abs, stat, fd: undefined, created: false };
      this.pending.set(id, pf);
      this.regular.set(rel, pf);
      this.post({ type: PacketType.REQ, id });
    } catch (err) {
      throw new Error(`failed to create ${rel}: ${goErrnoText(err)}`, { cause: err });
    }
  }

  private create(pf: PendingFile): void {
    if (pf.created) return;
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    closeSync(openSync(pf.abs, flags, 0o600));
    pf.created = true;
  }

  private openForWrite(pf: PendingFile): number {
    if (pf.fd === undefined) {
      const flags = pf.created
        ? constants.O_WRONLY | constants.O_NOFOLLOW
        : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      pf.fd = openSync(pf.abs, flags, 0o600);
      pf.created = true;
    }
    return pf.fd;
  }

  private data(id: number, data: Buffer | undefined): void {
    const pf = this.pending.get(id);
    if (!pf) throw new Error(`invalid file request ${id}`);
    try {
      const fd = this.openForWrite(pf);
      if (data && data.length > 0) {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
        this.stats.bytes += data.length;
        return;
      }
      fchmodSync(fd, posixPermFromGo(pf.stat.mode));
      const t = utimeSeconds(pf.stat.modTime);
      futimesSync(fd, t, t);
      pf.fd = undefined;
      closeSync(fd);
    } catch (err) {
      throw new Error(`failed to write ${pf.rel}: ${goErrnoText(err)}`, { cause: err });
    }
    this.pending.delete(id);
    this.regular.set(pf.rel, undefined);
    this.stats.files++;
  }

  private async finish(): Promise<void> {
    if (this.received) this.prune(this.root, '');
    // children before parents: a parent made read-only first would block its children's updates
    for (let i = this.dirs.length - 1; i >= 0; i--) {
      const [abs, stat] = this.dirs[i];
      try {
        chmodSync(abs, posixPermFromGo(stat.mode));
        const t = utimeSeconds(stat.modTime);
        utimesSync(abs, t, t);
      } catch (err) {
        throw new Error(`failed to set metadata of ${stat.path}: ${goErrnoText(err)}`, { cause: err });
      }
    }
    await Promise.all([...this.outstanding]);
    if (this.sendError) throw this.sendError;
    this.finSent = true;
    await this.ch.send({ type: PacketType.FIN, id: 0 });
  }

  /** Mirror mode: removes what exists in the destination but was not sent. */
  private prune(absDir: string, relDir: string): void {
    for (const e of readdirSync(absDir, { withFileTypes: true })) {
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      const abs = `${absDir}/${e.name}`;
      if (!this.received!.has(rel)) rmSync(abs, { recursive: true, force: true });
      else if (e.isDirectory()) this.prune(abs, rel);
    }
  }

  closeFiles(): void {
    for (const pf of this.pending.values()) {
      if (pf.fd !== undefined) closeSync(pf.fd);
      pf.fd = undefined;
    }
  }
}

/**
 * Receives a tree into `dest` (created if missing) and returns once the FIN exchange is done. On any error
 * the peer gets an ERR packet and the returned promise rejects with an error naming the offending path.
 */
export async function receiveDirectory(
  dest: string,
  ch: PacketChannel,
  opts: { signal?: AbortSignal; mode?: ReceiveMode } = {},
): Promise<ReceiveStats> {
  const signal = opts.signal;
  signal?.throwIfAborted();
  let root: string;
  try {
    mkdirSync(dest, { recursive: true, mode: 0o700 });
    root = realpathSync(dest);
  } catch (err) {
    throw new Error(`failed to create synctarget dest dir ${dest}: ${goErrnoText(err)}`, { cause: err });
  }
  const r = new Receiver(root, ch, opts.mode ?? 'copy');
  const reader = new PacketReader(ch.receive(), signal);
  let lastYield = Date.now();
  let count = 0;
  try {
    for (let p = await reader.next(); p !== undefined; p = await reader.next()) {
      if (p.type === PacketType.FIN) {
        if (!r.finSent) throw new Error('sender finished before the transfer completed');
        // Go's receiver reads on to the end of the stream; do that without holding the caller up.
        reader.drainInBackground();
        return r.stats;
      }
      await r.handle(p);
      if (++count % 64 === 0 && Date.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldImmediate();
        lastYield = Date.now();
      }
    }
    reader.close();
    // some senders just end the stream after our FIN
    if (r.finSent) return r.stats;
    throw new Error('sender closed the stream before the transfer completed');
  } catch (err) {
    reader.close();
    r.closeFiles();
    if (!(err instanceof Error && err.message.startsWith('error from sender:'))) {
      await raceTimeout(ch.send({ type: PacketType.ERR, id: 0, data: Buffer.from(describeError(err)) }), 1000);
    }
    throw err;
  }
}

