// Running a command inside a container through the engine's exec API (protocol.md §4.2): dockerode
// creates the exec, then starts it over a hijacked `Upgrade: tcp` connection. Without a TTY the engine
// frames what the process writes (8-byte header: stream, three zero bytes, big-endian u32 length); what
// we write is the process's stdin, unframed. The framing is read here, not by docker-modem's demuxer,
// which buffers whole frames, ignores backpressure and has no system-error stream.
import http from 'node:http';
import type { Socket } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { BuildxError } from '../util/errors.js';
import type { DockerEndpoint } from './context.js';
import { daemonError, engineClient, engineFailure, errorMessage, readAll, signalOption, withEngine } from './engine.js';

/** The stream byte of a frame: 0 is stdin echoed back (treated as stdout), 3 an engine-side error. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSERR = 3;

export type FrameSink = (stream: number, payload: Buffer) => void;

/**
 * Splits the engine's multiplexed output into frames. Payloads are handed on as they arrive, so a large
 * frame reaches the sink in several pieces and nothing is held back waiting for a frame to complete.
 */
export class StdDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  private stream = 0;
  private payloadLeft = 0;

  constructor(private readonly sink: FrameSink) {}

  /** Throws on a header naming an unknown stream: the rest of the input cannot be trusted. */
  write(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.payloadLeft === 0) {
        const n = Math.min(8 - this.headerBytes, chunk.length - i);
        chunk.copy(this.header, this.headerBytes, i, i + n);
        this.headerBytes += n;
        i += n;
        if (this.headerBytes < 8) return;
        this.headerBytes = 0;
        this.stream = this.header[0]!;
        if (this.stream > SYSERR) throw new Error(`unrecognized input header: ${this.stream}`);
        this.payloadLeft = this.header.readUInt32BE(4);
        continue;
      }
      const n = Math.min(this.payloadLeft, chunk.length - i);
      this.payloadLeft -= n;
      this.sink(this.stream === STDIN ? STDOUT : this.stream, chunk.subarray(i, i + n));
      i += n;
    }
  }

  /** True when the input stopped in the middle of a frame. */
  get partial(): boolean {
    return this.headerBytes > 0 || this.payloadLeft > 0;
  }
}

/** Keeps the last `max` bytes written to it: stderr of long-running execs must not grow without bound. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max = 64 * 1024) {}

  push(b: Buffer): void {
    // Copy: the demuxer hands out views of socket buffers.
    this.chunks.push(Buffer.from(b));
    this.size += b.length;
    while (this.size - this.chunks[0]!.length >= this.max) this.size -= this.chunks.shift()!.length;
  }

  get length(): number {
    return this.size;
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

export interface ExecStreamOptions {
  /** The process's stderr; it never mixes into the readable side. */
  onStderr?: (chunk: Buffer) => void;
}

/**
 * The process's stdio as one byte stream: reading gives its stdout (demultiplexed), writing feeds its
 * stdin, `end()` closes stdin, and destroying the stream drops the connection, which makes the engine
 * close the process's stdin and stop relaying its output.
 */
export class ExecStream extends Duplex {
  private readonly demux: StdDemuxer;
  private readonly syserr = new TailBuffer(4096);
  private sawEnd = false;

  constructor(private readonly socket: Duplex, readonly execId: string, opts: ExecStreamOptions = {}) {
    super({ allowHalfOpen: true, writableHighWaterMark: 256 * 1024 });
    this.demux = new StdDemuxer((stream, payload) => {
      if (stream === STDOUT) {
        if (!this.push(payload)) socket.pause();
      } else if (stream === STDERR) opts.onStderr?.(payload);
      else this.syserr.push(payload);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.demux.write(chunk);
      } catch (err) {
        this.destroy(err as Error);
      }
    });
    socket.on('end', () => {
      this.sawEnd = true;
      if (this.syserr.length) this.destroy(new Error(this.syserr.toString().trim()));
      else if (this.demux.partial) this.destroy(new Error('exec output ended in the middle of a frame'));
      else this.push(null);
    });
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => {
      if (!this.sawEnd && !this.destroyed) this.destroy(new Error('exec connection closed'));
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  // A write completes when the socket has taken it; what is written meanwhile reaches _writev as one
  // batch, so the many small HTTP/2 frames a gRPC client writes cost one syscall instead of one each.
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.socket.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}

/** Where an exec runs: the engine, the API version negotiated with it, and the container. */
export interface ExecTarget {
  ep: DockerEndpoint;
  apiVersion: string;
  container: string;
}

export async function execCreate(t: ExecTarget, cmd: string[], opts: { stdin: boolean; signal?: AbortSignal }): Promise<string> {
  const exec = await withEngine(t.ep, t.apiVersion, (d) => d.getContainer(encodeURIComponent(t.container)).exec({
    AttachStdin: opts.stdin, AttachStdout: true, AttachStderr: true, Tty: false, Cmd: cmd, ...signalOption(opts.signal),
  }));
  if (!exec.id) throw new BuildxError('exec ID empty');
  return exec.id;
}

/** Starts a created exec and takes over its connection; an engine that answers without switching protocols is refused. */
async function execStart(t: ExecTarget, id: string, signal?: AbortSignal): Promise<Socket> {
  const docker = await engineClient(t.ep, t.apiVersion);
  // `_body` is what the engine gets: docker-modem would send its own switches (`hijack`) along otherwise.
  const opts: Dockerode.ExecStartOptions & { _body: object } = { hijack: true, _body: { Detach: false, Tty: false }, ...signalOption(signal) };
  let result: unknown;
  try {
    result = await docker.getExec(id).start(opts);
  } catch (err) {
    const d = daemonError(err);
    if (!d) throw engineFailure(t.ep, err);
    throw new BuildxError(`unable to upgrade to tcp, received ${d.status}: ${d.message}`);
  }
  if (result instanceof http.IncomingMessage) {
    const status = result.statusCode ?? 0;
    throw new BuildxError(`unable to upgrade to tcp, received ${status}: ${errorMessage(status, await readAll(result))}`);
  }
  const socket = result as Socket;
  socket.setNoDelay?.(true);
  return socket;
}

/** Creates and starts `cmd`; the returned stream is the process's stdio. */
export async function execStream(t: ExecTarget, cmd: string[], opts: ExecStreamOptions & { stdin?: boolean; signal?: AbortSignal } = {}): Promise<ExecStream> {
  const id = await execCreate(t, cmd, { stdin: opts.stdin ?? true, signal: opts.signal });
  return new ExecStream(await execStart(t, id, opts.signal), id, opts);
}

/**
 * The exit code of a finished exec. The engine may close the output stream a moment before it records
 * the exit code, so a still-running answer is asked again briefly.
 */
export async function execExitCode(t: ExecTarget, id: string, signal?: AbortSignal): Promise<number> {
  for (let i = 0; ; i++) {
    const r = await withEngine(t.ep, t.apiVersion, (d) => d.getExec(id).inspect(signalOption(signal)));
    if (!r.Running && typeof r.ExitCode === 'number') return r.ExitCode;
    if (i >= 50) throw new BuildxError(`exec ${id} did not report an exit code`);
    await sleep(20, undefined, { signal });
  }
}

export interface ExecResult {
  exitCode: number;
  /** The last 64 KiB of each stream: enough for the short commands this is used for. */
  stdout: string;
  stderr: string;
}

/** Runs a command without stdin to completion. */
export async function execRun(t: ExecTarget, cmd: string[], opts: { signal?: AbortSignal } = {}): Promise<ExecResult> {
  const stderr = new TailBuffer();
  const stdout = new TailBuffer();
  const s = await execStream(t, cmd, { stdin: false, signal: opts.signal, onStderr: (b) => stderr.push(b) });
  const onAbort = (): void => { s.destroy(new Error('exec aborted')); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    s.end();
    for await (const chunk of s as Readable) stdout.push(chunk as Buffer);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    s.destroy();
  }
  opts.signal?.throwIfAborted();
  return { exitCode: await execExitCode(t, s.execId, opts.signal), stdout: stdout.toString(), stderr: stderr.toString() };
}
