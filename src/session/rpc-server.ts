// A minimal gRPC server on Node's http2, used for the BuildKit session, where the daemon is the
// gRPC client. Written by hand (instead of grpc-js's Server) for two reasons: BuildKit sends repeated
// metadata (include/exclude patterns) as separate headers, which only the raw header list preserves;
// and file transfer is the hot path, so framing and backpressure are kept in our hands.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';

/** gRPC status codes used here. */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Request metadata with repeated keys kept apart, keys lower-cased. */
export type Metadata = ReadonlyMap<string, readonly string[]>;

export interface RpcContext {
  metadata: Metadata;
  /** Aborted when the peer cancels the call or the connection goes away. */
  signal: AbortSignal;
}

export interface RpcStream {
  /** Incoming messages; ends when the peer half-closes. */
  messages(): AsyncIterable<Buffer>;
  /**
   * Sends one message, given whole or as pieces to be sent back to back (so large payloads are not
   * copied into one buffer); resolves once the transport can take more (backpressure).
   */
  send(message: Buffer | readonly Buffer[]): Promise<void>;
}

export type UnaryHandler = (request: Buffer, ctx: RpcContext) => Promise<Buffer>;
export type StreamHandler = (call: RpcStream, ctx: RpcContext) => Promise<void>;

export type Method =
  | { path: string; kind: 'unary'; handler: UnaryHandler }
  | { path: string; kind: 'stream'; handler: StreamHandler };

const HEADER_LENGTH = 5;
/** The most we accept in one message, like BuildKit's own limit. */
const MAX_MESSAGE = 16 << 20;
/** Large windows keep file transfers from stalling on flow control. */
const WINDOW = 8 << 20;

function metadataFrom(raw: string[]): Map<string, string[]> {
  const md = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!.toLowerCase();
    if (key.startsWith(':')) continue;
    const list = md.get(key);
    if (list) list.push(raw[i + 1]!);
    else md.set(key, [raw[i + 1]!]);
  }
  return md;
}

/** Splits the gRPC length-prefixed framing of a request body into messages. */
async function* readMessages(stream: http2.ServerHttp2Stream): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    pending = rest.length ? [rest] : [];
    size = rest.length;
    return out;
  };
  let need = -1;
  for await (const chunk of stream) {
    pending.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    for (;;) {
      if (need < 0) {
        if (size < HEADER_LENGTH) break;
        const head = take(HEADER_LENGTH);
        if (head[0] !== 0) throw new RpcError(Code.UNIMPLEMENTED, 'compressed messages are not supported');
        need = head.readUInt32BE(1);
        if (need > MAX_MESSAGE) throw new RpcError(Code.INVALID_ARGUMENT, `message of ${need} bytes exceeds the limit`);
      }
      if (size < need) break;
      // Copy so that callers may keep the message after the next chunk arrives.
      const msg = Buffer.from(take(need));
      need = -1;
      yield msg;
    }
  }
  if (need >= 0 || size > 0) throw new RpcError(Code.INTERNAL, 'truncated gRPC message');
}

/** The gRPC length prefix followed by the message pieces. */
function frame(message: Buffer | readonly Buffer[]): Buffer[] {
  const pieces = Buffer.isBuffer(message) ? [message] : message;
  let length = 0;
  for (const p of pieces) length += p.length;
  const head = Buffer.allocUnsafe(HEADER_LENGTH);
  head[0] = 0;
  head.writeUInt32BE(length, 1);
  return [head, ...pieces.filter((p) => p.length > 0)];
}

function grpcMessage(text: string): string {
  // grpc-message is percent-encoded; keep printable ASCII readable.
  return encodeURIComponent(text).replace(/%20/g, ' ');
}

function writeAsync(stream: http2.ServerHttp2Stream, pieces: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed || stream.closed) {
      reject(new RpcError(Code.CANCELLED, 'stream closed'));
      return;
    }
    // Corked pieces leave in one writev: one DATA frame batch, no concatenation copy.
    stream.cork();
    let ok = true;
    for (const p of pieces) ok = stream.write(p);
    stream.uncork();
    if (ok) {
      resolve();
      return;
    }
    const done = () => {
      stream.off('drain', done);
      stream.off('close', closed);
      resolve();
    };
    const closed = () => {
      stream.off('drain', done);
      reject(new RpcError(Code.CANCELLED, 'stream closed'));
    };
    stream.once('drain', done);
    stream.once('close', closed);
  });
}

export class RpcServer {
  private readonly methods = new Map<string, Method>();
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(methods: Method[]) {
    for (const m of methods) this.methods.set(m.path, m);
    this.server = http2.createServer({
      settings: { initialWindowSize: WINDOW, maxFrameSize: 1 << 20 },
      maxSessionMemory: 64,
    });
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
      s.on('error', () => {});
      s.once('connect', () => s.setLocalWindowSize(WINDOW));
    });
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      void this.dispatch(stream, String(headers[':path'] ?? ''), rawHeaders);
    });
  }

  /** Paths of the methods served, for the session's advertised method list. */
  get paths(): string[] {
    return [...this.methods.keys()];
  }

  /** Serves gRPC on a connection where the peer speaks first as HTTP/2 client. */
  serve(conn: Duplex): void {
    this.server.emit('connection', conn);
  }

  close(): void {
    for (const s of this.sessions) s.destroy();
    this.server.close();
  }

  private async dispatch(stream: http2.ServerHttp2Stream, path: string, raw: string[]): Promise<void> {
    stream.on('error', () => {});
    const method = this.methods.get(path);
    if (!method) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(Code.UNIMPLEMENTED),
        'grpc-message': grpcMessage(`unknown method ${path}`) }, { endStream: true });
      return;
    }
    const abort = new AbortController();
    stream.on('close', () => abort.abort());
    const ctx: RpcContext = { metadata: metadataFrom(raw), signal: abort.signal };
    let headersSent = false;
    const sendHeaders = () => {
      if (headersSent) return;
      headersSent = true;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    };
    const finish = (code: number, message?: string) => {
      if (stream.destroyed || stream.closed) return;
      const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': String(code) };
      if (message) trailers['grpc-message'] = grpcMessage(message);
      if (!headersSent) {
        headersSent = true;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
        return;
      }
      stream.once('wantTrailers', () => stream.sendTrailers(trailers));
      stream.end();
    };
    try {
      const messages = readMessages(stream);
      if (method.kind === 'unary') {
        let request: Buffer | undefined;
        for await (const m of messages) request ??= m;
        const response = await method.handler(request ?? Buffer.alloc(0), ctx);
        sendHeaders();
        await writeAsync(stream, frame(response));
      } else {
        await method.handler({
          messages: () => messages,
          send: (m) => {
            sendHeaders();
            return writeAsync(stream, frame(m));
          },
        }, ctx);
      }
      finish(Code.OK);
    } catch (err) {
      if (err instanceof RpcError) finish(err.code, err.message);
      else finish(Code.UNKNOWN, err instanceof Error ? err.message : String(err));
    }
  }
}
