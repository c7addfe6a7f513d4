// A typed client for BuildKit's control API (moby.buildkit.v1.Control) over any dialer.
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import { containerd, moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import type { SolveStatus } from '../progress/types.js';
import { startBridge, type Bridge, type Dialer } from './bridge.js';
import { int64, toSolveStatus, toUsageRecord, toWorkerInfo, type UsageRecord, type WorkerInfo } from './convert.js';
import { toHistoryEvent, type BuildHistoryEvent } from './history-convert.js';

const SERVICE = '/moby.buildkit.v1.Control/';
/** buildkitd serves containerd's content API (read-only, history blobs included) on the control connection. */
const CONTENT = '/containerd.services.content.v1.Content/';
/** Response header of ListenBuildHistory with the daemon's current time (RFC 3339). */
const TIMESTAMP_HEADER = 'buildkit-current-timestamp';
/** BuildKit's own limit both ways (protocol.md §0); grpc-js defaults to 4 MiB. */
export const MAX_MESSAGE = 16 << 20;

export type SolveRequestProps = moby.buildkit.v1.SolveRequest.$Properties;
export type WorkerRecord = moby.buildkit.v1.types.WorkerRecord.$Properties;
export type BuildHistoryRequestProps = moby.buildkit.v1.BuildHistoryRequest.$Properties;
export type PruneRequestProps = moby.buildkit.v1.PruneRequest.$Properties;

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array };
  decode(b: Uint8Array): T;
}

function ser<T>(codec: Codec<T>): (m: T) => Buffer {
  return (m) => {
    return asBuffer(codec.encode(m).finish());
  };
}

export interface CallOptions {
  signal?: AbortSignal;
  metadata?: Record<string, string | string[]>;
}

function toMetadata(md?: Record<string, string | string[]>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(md ?? {})) for (const x of Array.isArray(v) ? v : [v]) m.add(k, x);
  return m;
}

function bindSignal(call: { cancel(): void }, signal?: AbortSignal): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    call.cancel();
    return () => {};
  }
  const onAbort = () => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

export class BuildkitClient {
  private constructor(private readonly client: grpc.Client, private readonly bridge: Bridge) {}

  static async connect(dial: Dialer): Promise<BuildkitClient> {
    const bridge = await startBridge(dial);
    const client = new grpc.Client(bridge.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      // buildkitd rejects pings more frequent than every 5 minutes (too_many_pings).
      'grpc.keepalive_time_ms': -1,
      'grpc.enable_retries': 0,
      'grpc.default_authority': 'localhost',
    });
    return new BuildkitClient(client, bridge);
  }

  /** Why the underlying connection could not be made, when grpc-js reports only UNAVAILABLE. */
  get lastDialError(): unknown {
    return this.bridge.lastDialError;
  }

  private unary<Req, Res>(method: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req, opts: CallOptions = {}): Promise<Res> {
    return this.unaryAt(SERVICE + method, reqCodec, resCodec, req, opts);
  }

  private unaryAt<Req, Res>(path: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req, opts: CallOptions = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(path, ser(reqCodec), (b: Buffer) => resCodec.decode(b), req,
        toMetadata(opts.metadata), {}, (err, res) => {
          unbind();
          if (err) reject(err);
          else resolve(res as Res);
        });
      const unbind = bindSignal(call, opts.signal);
    });
  }

  private async *serverStream<Req, Res>(method: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req, opts: CallOptions = {},
    onHeader?: (md: grpc.Metadata) => void): AsyncGenerator<Res> {
    const path = method.startsWith('/') ? method : SERVICE + method;
    const call = this.client.makeServerStreamRequest(path, ser(reqCodec), (b: Buffer) => resCodec.decode(b), req,
      toMetadata(opts.metadata), {});
    if (onHeader) call.on('metadata', onHeader);
    const unbind = bindSignal(call, opts.signal);
    try {
      for await (const m of call) yield m as Res;
    } finally {
      unbind();
      call.cancel();
    }
  }

  solve(req: SolveRequestProps, opts?: CallOptions): Promise<Record<string, string>> {
    const S = moby.buildkit.v1;
    return this.unary('Solve', S.SolveRequest as Codec<SolveRequestProps>, S.SolveResponse, req, opts)
      .then((r) => ({ ...(r.ExporterResponse ?? {}) }));
  }

  async *status(ref: string, opts?: CallOptions): AsyncGenerator<SolveStatus> {
    const S = moby.buildkit.v1;
    for await (const r of this.serverStream('Status', S.StatusRequest, S.StatusResponse, S.StatusRequest.create({ Ref: ref }), opts)) {
      yield toSolveStatus(r);
    }
  }

  async listWorkers(opts?: CallOptions): Promise<WorkerInfo[]> {
    const S = moby.buildkit.v1;
    const r = await this.unary('ListWorkers', S.ListWorkersRequest, S.ListWorkersResponse, S.ListWorkersRequest.create({}), opts);
    return (r.record ?? []).map(toWorkerInfo);
  }

  async info(opts?: CallOptions): Promise<moby.buildkit.v1.types.BuildkitVersion.$Properties | undefined> {
    const S = moby.buildkit.v1;
    const r = await this.unary('Info', S.InfoRequest, S.InfoResponse, S.InfoRequest.create({}), opts);
    return r.buildkitVersion ?? undefined;
  }

  /**
   * Every history event the daemon has for `req` (with EarlyExit the stream ends after the existing
   * records), plus the daemon's clock when it answered, which running builds' durations are measured to.
   */
  async buildHistory(req: BuildHistoryRequestProps, opts?: CallOptions): Promise<{ events: BuildHistoryEvent[]; now?: Date }> {
    const S = moby.buildkit.v1;
    let now: Date | undefined;
    const events: BuildHistoryEvent[] = [];
    const onHeader = (md: grpc.Metadata) => {
      const v = md.get(TIMESTAMP_HEADER)[0];
      if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) now = new Date(v);
    };
    for await (const e of this.serverStream('ListenBuildHistory', S.BuildHistoryRequest, S.BuildHistoryEvent, S.BuildHistoryRequest.create(req), opts, onHeader)) {
      events.push(toHistoryEvent(e));
    }
    return { events, now };
  }

  async updateBuildHistory(req: moby.buildkit.v1.UpdateBuildHistoryRequest.$Properties, opts?: CallOptions): Promise<void> {
    const S = moby.buildkit.v1;
    await this.unary('UpdateBuildHistory', S.UpdateBuildHistoryRequest, S.UpdateBuildHistoryResponse, S.UpdateBuildHistoryRequest.create(req), opts);
  }

  /** The size of a blob in the daemon's content store; rejects (NOT_FOUND) when it is not there. */
  async contentInfo(digest: string, opts?: CallOptions): Promise<{ digest: string; size: number }> {
    const C = containerd.services.content.v1;
    const r = await this.unaryAt(CONTENT + 'Info', C.InfoRequest, C.InfoResponse, C.InfoRequest.create({ digest }), opts);
    return { digest: r.info?.digest ?? digest, size: int64(r.info?.size) };
  }

  /** A blob of the daemon's content store, chunk by chunk as the daemon sends it. */
  async *readContent(digest: string, opts?: CallOptions): AsyncGenerator<Buffer> {
    const C = containerd.services.content.v1;
    for await (const r of this.serverStream(CONTENT + 'Read', C.ReadContentRequest, C.ReadContentResponse, C.ReadContentRequest.create({ digest }), opts)) {
      if (r.data?.length) yield asBuffer(r.data);
    }
  }

  /**
   * Control.DiskUsage, ordered as BuildKit's Go client returns it: by size, then by ID, ascending.
   */
  async diskUsage(filter: string[], opts?: CallOptions): Promise<UsageRecord[]> {
    const S = moby.buildkit.v1;
    const r = await this.unary('DiskUsage', S.DiskUsageRequest, S.DiskUsageResponse, S.DiskUsageRequest.create({ filter }), opts);
    const recs = (r.record ?? []).map(toUsageRecord);
    return recs.sort((a, b) => (a.size === b.size ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.size - b.size));
  }

  /** Control.Prune: each deleted record as the daemon reports it. */
  async *prune(req: PruneRequestProps, opts?: CallOptions): AsyncGenerator<UsageRecord> {
    const S = moby.buildkit.v1;
    for await (const r of this.serverStream('Prune', S.PruneRequest as Codec<PruneRequestProps>, S.UsageRecord, req, opts)) yield toUsageRecord(r);
  }

  /**
   * Opens the `Control.Session` bidi stream used as a byte tunnel: returns the raw call whose messages
   * are BytesMessage payloads (each message one chunk of the session's HTTP/2 connection).
   */
  sessionCall(opts: CallOptions = {}): grpc.ClientDuplexStream<Buffer, Buffer> {
    const S = moby.buildkit.v1;
    const call = this.client.makeBidiStreamRequest(SERVICE + 'Session',
      (b: Buffer) => ser(S.BytesMessage)(S.BytesMessage.create({ data: b })),
      (b: Buffer) => {
        return asBuffer(S.BytesMessage.decode(b).data);
      }, toMetadata(opts.metadata), {});
    bindSignal(call, opts.signal);
    return call;
  }

  close(): void {
    this.client.close();
    this.bridge.close();
  }
}

export type { Dialer, Duplex, UsageRecord, WorkerInfo };
