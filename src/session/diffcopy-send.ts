// DiffCopy sender: walks a directory, streams the entries and serves file requests.
//
// Three activities run at once: the walk (STAT packets, paced by the transport), the request reader (REQ,
// FIN, ERR from the receiver) and up to FILE_WORKERS file readers. In-flight memory is bounded by
// FILE_WORKERS × CHUNK_SIZE plus what the transport buffers, whatever the size of the context.

import { open, type FileHandle } from 'node:fs/promises';
import { closeSync, constants, openSync, readSync } from 'node:fs';

import type { PacketChannel, SendStats } from './diffcopy.js';
import { describeError, raceTimeout } from './diffcopy-util.js';
import { isRegularMode } from './fs-mode.js';
import { walkDirectory, type WalkOptions } from './fswalk.js';
import { PacketType } from './packet.js';

/** Go sends 32 KiB; larger chunks cut per-message overhead and stay far below the 16 MiB message cap. */
export const CHUNK_SIZE = 256 * 1024;
/** Files read concurrently (Go uses 4 workers too). */
export const FILE_WORKERS = 4;

interface FileRef {
  abs: string;
  size: number;
}

/**
 * Sends `root` over `ch` and returns once the receiver finished (FIN exchanged). Rejects with
 * `error from receiver: …` when the peer reports an error, or with the local error (after telling the
 * peer with an ERR packet).
 */
export async function sendDirectory(
  root: string,
  opts: WalkOptions & { signal?: AbortSignal },
  ch: PacketChannel,
): Promise<SendStats> {
  const stats: SendStats = {
    entries: 0, files: 0, filesSent: 0, bytesSent: 0, excluded: 0, excludePatterns: opts.excludePatterns?.length ?? 0,
  };
  // Stops the walk and the readers once the outcome is known, whoever decided it.
  const stop = new AbortController();
  const onAbort = (): void => fail(opts.signal!.reason, true);
  const files = new Map<number, FileRef>();
  // requests waiting for a reader; consumed from `queueHead` (Array#shift is linear on long queues)
  let queue: [number, FileRef][] = [];
  let queueHead = 0;
  let active = 0;
  let failure: { err: unknown; local: boolean } | undefined;
  let finReceived = false;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));

  function fail(err: unknown, local: boolean): void {
    if (failure || stop.signal.aborted) return;
    failure = { err, local };
    stop.abort(err);
    settle();
  }

  function checkDone(): void {
    if (finReceived && queueHead === queue.length && active === 0) settle();
  }

  function pump(): void {
    while (active < FILE_WORKERS && queueHead < queue.length && !failure) {
      const [id, ref] = queue[queueHead++];
      if (queueHead === queue.length) {
        queue = [];
        queueHead = 0;
      }
      active++;
      sendFile(id, ref, ch, stats, stop.signal)
        .then(() => stats.filesSent++)
        .catch((err: unknown) => fail(err, true))
        .finally(() => {
          active--;
          pump();
          checkDone();
        });
    }
  }

  const walk = async (): Promise<void> => {
    let id = 0;
    // the walk counts into `stats` directly, so the count is complete once the walk is
    for await (const { stat, absPath } of walkDirectory(root, { ...opts, signal: stop.signal, counters: stats })) {
      // registered before the STAT goes out: the REQ may come back before `send` resolves
      if (isRegularMode(stat.mode)) {
        files.set(id, { abs: absPath, size: stat.size });
        stats.files++;
      }
      id++;
      stats.entries++;
      await ch.send({ type: PacketType.STAT, stat, id: 0 });
    }
    await ch.send({ type: PacketType.STAT, id: 0 });
  };

  const readRequests = async (): Promise<void> => {
    for await (const p of ch.receive()) {
      if (finReceived || failure) continue;
      switch (p.type) {
        case PacketType.REQ: {
          const ref = files.get(p.id);
          if (ref === undefined) {
            fail(new Error(`invalid file id ${p.id}`), true);
            break;
          }
          files.delete(p.id);
          queue.push([p.id, ref]);
          pump();
          break;
        }
        case PacketType.FIN:
          finReceived = true;
          checkDone();
          // Keep draining instead of breaking out: ending the iteration could cancel the stream before
          // our FIN is out, and the peer closes its side only after seeing it.
          break;
        case PacketType.ERR:
          fail(new Error(`error from receiver: ${p.data?.toString('utf8') ?? ''}`), false);
          break;
        default:
        // STAT/DATA from a receiver mean nothing here; Go ignores them too
      }
    }
    if (!finReceived) fail(new Error('receiver closed the stream before the transfer finished'), false);
  };

  if (opts.signal?.aborted) throw opts.signal.reason;
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    walk().catch((err: unknown) => fail(err, true));
    readRequests().catch((err: unknown) => fail(err, false));
    await settled;
    if (failure) {
      const { err, local } = failure;
      if (local) {
        // best effort: the transport may already be gone or congested
        await raceTimeout(ch.send({ type: PacketType.ERR, id: 0, data: Buffer.from(describeError(err)) }), 1000);
      }
      throw err;
    }
    await ch.send({ type: PacketType.FIN, id: 0 });
    // a receiver that ends early leaves the walk nothing more to do
    stop.abort();
    return stats;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Files up to this size are read synchronously: three thread-pool round trips cost more than the read. */
const SYNC_READ_MAX = 256 * 1024;

function readSmallFile(abs: string, size: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    // One byte more than expected reveals a file that grew since the walk.
    const buf = Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) return undefined;
    }
    return buf.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    closeSync(fd);
  }
}

async function sendFile(id: number, ref: FileRef, ch: PacketChannel, stats: SendStats, signal: AbortSignal): Promise<void> {
  if (ref.size <= SYNC_READ_MAX) {
    const data = readSmallFile(ref.abs, ref.size);
    if (data !== undefined) {
      signal.throwIfAborted();
      if (data.length) {
        stats.bytesSent += data.length;
        await ch.send({ type: PacketType.DATA, id, data });
      }
      await ch.send({ type: PacketType.DATA, id });
      return;
    }
  }
  let fh: FileHandle | undefined;
  try {
    fh = await open(ref.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    // unreadable now (permissions, replaced, vanished): the receiver gets an empty file, as with Go
  }
  try {
    if (fh) {
      let total = 0;
      for (;;) {
        signal.throwIfAborted();
        // Sized to the expected remainder (+1 to see EOF) so small files need one read and no oversized buffer.
        const want = Math.min(CHUNK_SIZE, Math.max(ref.size - total + 1, 1024));
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        stats.bytesSent += bytesRead;
        await ch.send({ type: PacketType.DATA, id, data: bytesRead === want ? buf : buf.subarray(0, bytesRead) });
        // A short read at exactly the size seen by the walk is end of file; skip the extra empty read.
        if (bytesRead < want && total === ref.size) break;
      }
    }
  } finally {
    await fh?.close().catch(() => undefined);
  }
  signal.throwIfAborted();
  await ch.send({ type: PacketType.DATA, id });
}
