// A typed client for BuildKit's control API (moby.buildkit.v1.Control) over any dialer.
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import { moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import type { SolveStatus } from '../progress/types.js';
import { startBridge, type Bridge, type Dialer } from './bridge.js';
import { toSolveStatus, toUsageRecord, toWorkerInfo, type UsageRecord, type WorkerInfo } from './convert.js';

const SERVICE = '/moby.buildkit.v1.Control/';
/** BuildKit's own limit both ways (protocol.md §0); grpc-js defaults to 4 MiB. */
export const MAX_MESSAGE = 16 << 20;

export type SolveRequestProps = moby.buildkit.v1.SolveRequest.$Properties;
export type WorkerRecord = moby.buildkit.v1.types.WorkerRecord.$Properties;
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
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(SERVICE + method, ser(reqCodec), (b: Buffer) => resCodec.decode(b), req,
        toMetadata(opts.metadata), {}, (err, res) => {
          unbind();
          if (err) reject(err);
          else resolve(res as Res);
        });
      const unbind = bindSignal(call, opts.signal);
    });
  }

  private async *serverStream<Req, Res>(method: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req, opts: CallOptions = {}): AsyncGenerator<Res> {
    const call = this.client.makeServerStreamRequest(SERVICE + method, ser(reqCodec), (b: Buffer) => resCodec.decode(b), req,
      toMetadata(opts.metadata), {});
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
