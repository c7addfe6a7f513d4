// A pod exec as a byte stream: `buildctl dial-stdio` in the BuildKit container, reached through the API
// server's exec subresource over WebSocket (channel protocol v5, else v4). Its stdin/stdout carry the
// gRPC connection; stderr is kept to explain a connection that ends early.
import { Duplex } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { BuildxError } from '../../util/errors.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
/** Kept of stderr for the error of a failed exec. */
const STDERR_KEEP = 4096;

/** What this module needs of the `ws` socket the client library opens. */
interface ExecSocket {
  readonly protocol: string;
  send(data: Buffer, cb?: (err?: Error) => void): void;
  close(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

export function execPath(t: ExecTarget): string {
  const q = new URLSearchParams();
  q.set('container', t.container);
  for (const c of t.command) q.append('command', c);
  for (const s of ['stdin', 'stdout', 'stderr']) q.set(s, 'true');
  q.set('tty', 'false');
  return `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.pod)}/exec?${q}`;
}

/** The status frame of a finished exec, as an error when the command failed. */
export function statusError(frame: Buffer, stderr: string): Error | undefined {
  let st: { status?: string; message?: string; reason?: string };
  try {
    st = JSON.parse(frame.toString('utf8')) as typeof st;
  } catch {
    return new BuildxError(`invalid exec status: ${frame.toString('utf8')}`);
  }
  if (st.status === 'Success') return undefined;
  const why = stderr.trim() || st.message || st.reason || 'exec failed';
  return new BuildxError(why);
}

class ExecStream extends Duplex {
  private ws?: ExecSocket;
  private stderr = '';
  private paused = false;
  private ended = false;

  attach(ws: ExecSocket): void {
    this.ws = ws;
    ws.on('close', () => this.finish());
    ws.on('error', (err) => this.destroy(err));
  }

  /** A frame from the server; false when the exec is over. */
  frame(channel: number, data: Buffer): boolean {
    if (channel === STDOUT) {
      if (data.length && !this.push(data) && !this.paused) {
        // Backpressure: stop reading the socket until the gRPC side has caught up.
        this.paused = true;
        this.ws?.pause();
      }
    } else if (channel === STDERR) {
      this.stderr = (this.stderr + data.toString('utf8')).slice(-STDERR_KEEP);
    } else if (channel === STATUS) {
      const err = statusError(data, this.stderr);
      if (err) this.destroy(err);
      else this.finish();
      return false;
    }
    return true;
  }

  /** The server closed stdout (v5) or the socket closed. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
  }

  override _read(): void {
    if (this.paused) {
      this.paused = false;
      this.ws?.resume();
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const ws = this.ws;
    if (!ws) return cb(new Error('exec stream is not connected'));
    const frame = Buffer.allocUnsafe(chunk.length + 1);
    frame[0] = STDIN;
    chunk.copy(frame, 1);
    // The callback fires once the frame is handed to the socket: that is the write's backpressure.
    ws.send(frame, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Only v5 can close stdin alone; on v4 the stream stays open until destroyed.
    if (this.ws?.protocol === 'v5.channel.k8s.io') this.ws.send(Buffer.from([CLOSE, STDIN]), () => cb());
    else cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.ended = true;
    this.ws?.terminate();
    cb(err);
  }
}

/**
 * Runs `t.command` in the pod with stdin, stdout and stderr attached, resolving once the WebSocket is
 * open. The library authenticates the upgrade from the kubeconfig (certificates, tokens, exec plugins).
 */
export async function execConn(kc: KubeConfig, t: ExecTarget, signal?: AbortSignal): Promise<Duplex> {
  const { WebSocketHandler } = await import('./kube-client.js');
  const stream = new ExecStream();
  // The handler ends these streams on a v5 close frame; they stand for our stdout, never process.stdout.
  const ends = {
    stdin: new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }),
    stdout: new Duplex({ read() {}, write(_c, _e, cb) { cb(); }, final(cb) { stream.finish(); cb(); } }),
    stderr: new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }),
  };
  const handler = new WebSocketHandler(kc, undefined, ends);
  if (signal?.aborted) throw signal.reason ?? new Error('exec aborted');
  const ws = (await handler.connect(execPath(t), null, (channel: number, data: Buffer) => stream.frame(channel, data))) as unknown as ExecSocket;
  if (signal?.aborted) {
    ws.terminate();
    throw signal.reason ?? new Error('exec aborted');
  }
  stream.attach(ws);
  return stream;
}
