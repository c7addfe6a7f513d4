// `--load` for drivers other than docker: the image archive the daemon sends back is streamed into the
// engine's `POST /images/load` as it arrives (chunked upload, one chunk in flight), and the engine's
// JSON message stream is read for `Loaded image…` lines and errors, each message shown to an observer.
import type http from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { BuildxError } from '../util/errors.js';
import type { DockerCliOptions } from './config.js';
import { contextExists, currentEndpoint, resolveContext, type DockerEndpoint } from './context.js';
import { ANY_STATUS, asResponse, dial, engineInfo, errorMessage, ping, readAll, withEngine } from './engine.js';

/** One record of the engine's JSON message stream (moby `jsonmessage.JSONMessage`, the fields we use). */
export interface EngineMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** A line longer than this is not a progress message: the stream is broken. */
const MAX_MESSAGE_BYTES = 1 << 20;

/** Splits the engine's newline-delimited JSON messages, however the chunks fall. */
export async function* parseEngineMessages(body: AsyncIterable<Buffer | string>): AsyncGenerator<EngineMessage> {
  let pending = '';
  const parse = (line: string): EngineMessage | undefined => {
    const text = line.trim();
    if (text === '') return undefined;
    try {
      const m = JSON.parse(text) as unknown;
      if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error('not an object');
      return m as EngineMessage;
    } catch {
      throw new BuildxError(`invalid response from docker engine: ${JSON.stringify(text.slice(0, 200))}`);
    }
  };
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const m = parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (m) yield m;
    }
    if (pending.length > MAX_MESSAGE_BYTES) throw new BuildxError('invalid response from docker engine: message too long');
  }
  pending += decoder.decode();
  const last = parse(pending);
  if (last) yield last;
}

export function messageError(m: EngineMessage): string | undefined {
  return m.errorDetail?.message || m.error || undefined;
}

/** `Loaded image: <name>` / `Loaded image ID: <id>` from a `stream` message. */
export function loadedImage(m: EngineMessage): string | undefined {
  const hit = /^Loaded image(?: ID)?: (.+)$/.exec((m.stream ?? '').trim());
  return hit?.[1];
}

export interface LoadResult {
  /** Names (or `sha256:` ids, for untagged images) the engine reported as loaded. */
  images: string[];
}

/** Reads the engine's answer to a load; `observe` is handed each message as it comes. */
export type LoadReader = (observe?: (m: EngineMessage) => void) => Promise<LoadResult>;

async function readLoadResponse(res: http.IncomingMessage, wrap: ImageLoadOptions['wrap'], signal: AbortSignal): Promise<LoadResult> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new BuildxError(errorMessage(status, await readAll(res)));
  const read: LoadReader = async (observe) => {
    const images: string[] = [];
    let failure: string | undefined;
    for await (const m of parseEngineMessages(res)) {
      // Like buildx, the last error reported wins, once the stream is over.
      failure = messageError(m) ?? failure;
      const image = loadedImage(m);
      if (image) images.push(image);
      observe?.(m);
    }
    if (failure !== undefined) throw new BuildxError(failure);
    return { images };
  };
  return wrap ? wrap(read, signal) : read();
}

export interface ImageLoadOptions {
  signal?: AbortSignal;
  /**
   * Runs around the reading of the engine's answer (the solver shows it as a progress step). `signal`
   * aborts when the load is given up, the caller's signal or a failed upload.
   */
  wrap?: (read: LoadReader, signal: AbortSignal) => Promise<LoadResult>;
  /** Skips the version negotiation. */
  apiVersion?: string;
}

/**
 * A writable for one image archive: the upload starts with the first chunk, each chunk is handed on
 * only when the previous one left, and `end()` completes once the engine has finished loading (it fails
 * with the engine's message otherwise). `result` settles the same way.
 */
export class ImageLoadStream extends Writable {
  readonly result: Promise<LoadResult>;
  private body: PassThrough | undefined;
  private started: Promise<void> | undefined;
  private failure: Error | undefined;
  private settle!: { resolve: (r: LoadResult) => void; reject: (e: unknown) => void };
  /** Rejects as soon as the upload or the engine fails, to release a write waiting for drain. */
  private failed: Promise<never>;
  private fail!: (e: Error) => void;
  private readonly abort = new AbortController();

  constructor(private readonly endpoint: DockerEndpoint, private readonly opts: ImageLoadOptions = {}) {
    // Chunks arrive up to 3 MiB; keep at most one queued here.
    super({ highWaterMark: 1 });
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => {});
    this.failed = new Promise<never>((_, reject) => {
      this.fail = (e) => {
        this.failure ??= e;
        reject(this.failure);
      };
    });
    this.failed.catch(() => {});
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      try {
        const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, this.abort.signal]) : this.abort.signal;
        const api = this.opts.apiVersion ?? (await ping(this.endpoint, signal)).apiVersion;
        const body = new PassThrough({ highWaterMark: 1 << 20 });
        this.body = body;
        // Through the transport: dockerode's loadImage labels the archive application/tar; every status
        // is taken as an answer so that the engine's message is read as it sent it.
        const response = withEngine(this.endpoint, api, async (d) => asResponse(await dial(d, {
          path: '/images/load?', method: 'POST', options: { quiet: '0' }, file: body,
          headers: { 'Content-Type': 'application/x-tar' }, isStream: true, statusCodes: ANY_STATUS, abortSignal: signal,
        }))).then((res) => readLoadResponse(res, this.opts.wrap, signal));
        response.then((r) => this.settle.resolve(r), (err: unknown) => this.stop(err));
      } catch (err) {
        this.stop(err);
        throw err;
      }
    })();
    return this.started;
  }

  /** Records the first failure, releases waiting writes and abandons the upload. */
  private stop(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.fail(e);
    this.settle.reject(this.failure);
    this.body?.destroy();
    this.abort.abort(e);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void (async () => {
      await Promise.race([this.start(), this.failed]);
      if (this.failure) throw this.failure;
      const body = this.body!;
      if (!body.write(chunk)) {
        await Promise.race([new Promise<void>((r) => body.once('drain', r)), this.failed]);
      }
    })().then(() => cb(), (err: Error) => cb(this.failure ?? err));
  }

  override _final(cb: (err?: Error | null) => void): void {
    void (async () => {
      await Promise.race([this.start(), this.failed]);
      this.body!.end();
      await this.result;
    })().then(() => cb(), (err: Error) => cb(this.failure ?? err));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // An upload cut short must not be taken for a whole image: abort the request.
    if (err || !this.writableFinished) this.stop(err ?? new BuildxError('image load aborted'));
    cb(err);
  }
}

/** True when the engine stores images in containerd (it can then import OCI archives and manifest lists). */
export async function engineImportsOCI(ep: DockerEndpoint, signal?: AbortSignal): Promise<boolean> {
  try {
    const { apiVersion } = await ping(ep, signal);
    const info = await engineInfo<{ DriverStatus?: [string, string][] }>(ep, apiVersion, signal);
    return (info?.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1');
  } catch {
    // buildx treats an engine it cannot ask as one without the feature; the load itself reports the error.
    return false;
  }
}

/**
 * The engine to load into: the output's `context=` attribute, else the current docker context. A name
 * that is no context is taken as a daemon address, as the docker CLI does.
 */
export async function loadEndpoint(context: string | undefined, opts: DockerCliOptions = {}): Promise<DockerEndpoint> {
  if (!context) return currentEndpoint(opts);
  if (await contextExists(context, opts)) return resolveContext(context, opts);
  if (/^(unix|tcp|http|https):\/\/./.test(context)) return { contextName: context, host: context };
  throw new BuildxError(`unable to parse docker host \`${context}\``);
}
