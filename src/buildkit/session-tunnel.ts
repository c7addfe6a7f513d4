// The session tunnel (protocol.md §2.3): the `Control.Session` bidi call carries one HTTP/2 connection
// as BytesMessage chunks, on which the daemon is the HTTP/2 client and we serve the session services.
// This module turns the call into a plain byte Duplex so the session server can be handed it.
import { Duplex } from 'node:stream';
import type { BuildkitClient } from './client.js';

/** What the tunnel needs of a session (src/session/session.ts): its headers, and serving it on a connection. */
export interface TunnelledSession {
  /** The session headers as [name, value] pairs, one per advertised method. */
  headers(): [string, string][];
  /** Serves the session on a connection on which the daemon is the HTTP/2 client. */
  serve(conn: Duplex): void;
}

/**
 * Upper bound for one BytesMessage. The daemon accepts up to 16 MiB; smaller messages keep a big write
 * from being one huge allocation on either side.
 */
export const MAX_TUNNEL_CHUNK = 1 << 20;

/** Pending bytes that are sent at once rather than at the end of the event-loop turn. */
const COALESCE_BYTES = 256 * 1024;

/** How long closing waits for the daemon to end the call after our half-close. */
const CLOSE_WAIT_MS = 3000;

/**
 * What the tunnel needs from a grpc-js ClientDuplexStream<Buffer, Buffer> (an object-mode duplex whose
 * messages are already-unwrapped payloads); kept narrow so tests can supply a fake.
 */
export interface TunnelCall {
  write(chunk: Buffer): boolean;
  end(): void;
  cancel(): void;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'drain' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'drain' | 'close' | 'end', listener: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

/** A byte Duplex over a session call. */
export interface Tunnel {
  duplex: Duplex;
  /** Half-closes, waits (bounded) for the daemon to end the call, then cancels whatever is left. */
  close(waitMs?: number): Promise<void>;
}

export function tunnelOver(call: TunnelCall): Tunnel {
  let callDone = false;
  const doneWaiters: (() => void)[] = [];
  const markDone = (): void => {
    if (callDone) return;
    callDone = true;
    for (const w of doneWaiters.splice(0)) w();
  };

  // Waits for the call to accept more after write() said no; gives up if the call goes away meanwhile.
  const waitDrain = (cb: (err?: Error | null) => void): void => {
    const cleanup = (): void => {
      call.off('drain', onDrain);
      call.off('close', onClose);
      call.off('error', onError);
    };
    const onDrain = (): void => { cleanup(); cb(); };
    const onClose = (): void => { cleanup(); cb(new Error('session call closed')); };
    const onError = (err: Error): void => { cleanup(); cb(err); };
    call.once('drain', onDrain);
    call.once('close', onClose);
    call.once('error', onError);
  };

  // HTTP/2 writes a frame's header and its payload separately, and many frames are small: one message
  // per write would send most bytes in tiny messages, each with its own gRPC and HTTP/2 framing.
  // Writes of one turn of the event loop are joined into one message instead.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let flushScheduled = false;
  let backedUp = false;
  call.on('drain', () => { backedUp = false; });
  /** Sends what is pending; false when the call wants us to wait for 'drain'. */
  const flush = (): boolean => {
    if (!pendingBytes) return true;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    let ok = true;
    // Message boundaries carry no meaning on the tunnel, so large writes can simply be cut.
    for (let off = 0; off < data.length; off += MAX_TUNNEL_CHUNK) {
      ok = call.write(data.subarray(off, off + MAX_TUNNEL_CHUNK));
    }
    return ok;
  };

  const duplex = new Duplex({
    // Bytes, not messages: the HTTP/2 layer above sees an ordinary socket.
    allowHalfOpen: true,
    read() {
      call.resume();
    },
    write(chunk: Buffer, _encoding, cb) {
      if (callDone) {
        cb(new Error('session call closed'));
        return;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= COALESCE_BYTES || backedUp) {
        if (flush()) cb();
        else waitDrain(cb);
        return;
      }
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          if (!callDone && !flush()) backedUp = true;
        });
      }
      cb();
    },
    final(cb) {
      if (!callDone) flush();
      call.end();
      cb();
    },
    destroy(err, cb) {
      if (!callDone) call.cancel();
      cb(err);
    },
  });

  call.on('data', (b: Buffer) => {
    if (!duplex.push(b)) call.pause();
  });
  call.on('end', () => {
    duplex.push(null);
    markDone();
  });
  call.on('close', markDone);
  call.on('error', (err: Error) => {
    markDone();
    // A cancel we asked for surfaces as an error on the call; the duplex is already gone then.
    if (!duplex.destroyed) duplex.destroy(err);
  });

  const ended = (): Promise<void> => new Promise((resolve) => {
    if (callDone) resolve();
    else doneWaiters.push(resolve);
  });

  return {
    duplex,
    async close(waitMs = CLOSE_WAIT_MS) {
      if (!duplex.destroyed && !duplex.writableEnded) duplex.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended(), new Promise<void>((r) => { timer = setTimeout(r, waitMs); })]);
      clearTimeout(timer);
      duplex.destroy();
    },
  };
}

/** Session headers as gRPC metadata: lower-cased keys, one value per advertised method. */
export function sessionMetadata(session: Pick<TunnelledSession, 'headers'>): Record<string, string[]> {
  const md: Record<string, string[]> = {};
  for (const [k, v] of session.headers()) (md[k.toLowerCase()] ??= []).push(v);
  return md;
}

/** Opens the session over `Control.Session` on `client` and starts serving it; returns the closer. */
export function openTunnelSession(client: BuildkitClient, session: TunnelledSession, opts: { signal?: AbortSignal } = {}): () => Promise<void> {
  const call = client.sessionCall({ metadata: sessionMetadata(session), signal: opts.signal });
  const tunnel = tunnelOver(call);
  // The daemon may send its preface before anyone reads; the duplex buffers it until the server does.
  tunnel.duplex.on('error', () => {});
  session.serve(tunnel.duplex);
  return () => tunnel.close();
}
