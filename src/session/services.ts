// The gRPC services a BuildKit session serves to the daemon (protocol.md §3).
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { credentialsFor } from '../docker/credentials.js';
import { grpcHealth, moby } from '../proto/index.js';
import { decodePacket, encodePacket, PacketType } from './packet.js';
import type { PacketChannel, SendStats } from './diffcopy.js';
import { receiveDirectory } from './diffcopy-receive.js';
import { sendDirectory } from './diffcopy-send.js';
import { decodeBytesMessage, encodeBytesMessage } from './bytes-message.js';
import { Code, RpcError, type Metadata, type Method, type RpcStream } from './rpc-server.js';

const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Metadata values, URL-unescaped when the daemon marked them `<key>-encoded: 1` (non-ASCII content). */
export function metadataValues(md: Metadata, key: string): string[] {
  const values = [...(md.get(key) ?? [])];
  if (md.get(`${key}-encoded`)?.[0] !== '1') return values;
  return values.map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
}

/** DATA packets by hand: a small header, then the chunk itself, which is never copied. */
function dataPacketHead(id: number, length: number): Buffer {
  const head = Buffer.allocUnsafe(24);
  let i = 0;
  head[i++] = 0x08; // type
  head[i++] = 2; // DATA
  const varint = (n: number) => {
    while (n >= 0x80) {
      head[i++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    head[i++] = n;
  };
  if (id !== 0) {
    head[i++] = 0x18; // ID
    varint(id);
  }
  head[i++] = 0x22; // data
  varint(length);
  return head.subarray(0, i);
}

function packetChannel(call: RpcStream): PacketChannel {
  return {
    send: (p) => (p.type === PacketType.DATA && p.data && p.data.length > 0
      ? call.send([dataPacketHead(p.id, p.data.length), p.data])
      : call.send(encodePacket(p))),
    receive: async function* () {
      for await (const m of call.messages()) yield decodePacket(m);
    },
  };
}

export function healthService(): Method[] {
  const H = grpcHealth.health.v1;
  const serving = toBuffer(H.HealthCheckResponse.encode({ status: H.HealthCheckResponse.ServingStatus.SERVING }).finish());
  return [{ path: '/grpc.health.v1.Health/Check', kind: 'unary', handler: async () => serving }];
}

export interface TransferRecord {
  dirName: string;
  stats: SendStats;
}

/** FileSync: the client sends local directories (build context, Dockerfile dir) to the daemon. */
export function fileSyncService(dirs: ReadonlyMap<string, string>, onTransfer?: (r: TransferRecord) => void): Method[] {
  return [{
    path: '/moby.filesync.v1.FileSync/DiffCopy',
    kind: 'stream',
    handler: async (call, ctx) => {
      const dirName = ctx.metadata.get('dir-name')?.[0] ?? '';
      const root = dirs.get(dirName);
      if (root === undefined) throw new RpcError(Code.NOT_FOUND, `no access allowed to dir "${dirName}"`);
      const stats = await sendDirectory(root, {
        includePatterns: metadataValues(ctx.metadata, 'include-patterns'),
        excludePatterns: metadataValues(ctx.metadata, 'exclude-patterns'),
        followPaths: metadataValues(ctx.metadata, 'followpaths'),
        signal: ctx.signal,
      }, packetChannel(call));
      onTransfer?.({ dirName, stats });
    },
  }];
}

/** Where the daemon's exporter output goes, by exporter index. */
export type ExportSink =
  | { kind: 'dir'; path: string; mirror?: boolean }
  | { kind: 'stream'; open: (md: Metadata) => Promise<Writable> };

async function writeStream(call: RpcStream, out: Writable): Promise<void> {
  for await (const m of call.messages()) {
    const data = decodeBytesMessage(m);
    if (data.length && !out.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => { out.off('error', onError); resolve(); };
        const onError = (e: Error) => { out.off('drain', onDrain); reject(e); };
        out.once('drain', onDrain);
        out.once('error', onError);
      });
    }
  }
  out.end();
  await finished(out);
}

/** FileSend: the daemon sends exporter results (local dirs, tar/oci/docker streams) to the client. */
export function fileSendService(sinks: readonly ExportSink[]): Method[] {
  return [{
    path: '/moby.filesync.v1.FileSend/DiffCopy',
    kind: 'stream',
    handler: async (call, ctx) => {
      const id = Number.parseInt(ctx.metadata.get('buildkit-attachable-exporter-id')?.[0] ?? '0', 10);
      const sink = sinks[Number.isNaN(id) ? 0 : id];
      if (!sink) throw new RpcError(Code.NOT_FOUND, `no export target for exporter ${id}`);
      if (sink.kind === 'dir') {
        // Older daemons send a delete-mode export like a merge, which would leave stale files behind.
        if (sink.mirror && ctx.metadata.get('buildkit-exporter-multi-platform')?.[0] !== '1') {
          throw new RpcError(Code.UNKNOWN, 'local exporter mode=delete requires a BuildKit daemon with multi-platform local export support');
        }
        await receiveDirectory(sink.path, packetChannel(call), { signal: ctx.signal, mode: sink.mirror ? 'delete' : 'copy' });
      }
      else await writeStream(call, await sink.open(ctx.metadata));
    },
  }];
}

/** Auth: registry credentials from the docker config; token signing is left to the daemon. */
export function authService(configDir?: string): Method[] {
  const A = moby.filesync.v1;
  return [
    {
      path: '/moby.filesync.v1.Auth/Credentials',
      kind: 'unary',
      handler: async (req) => {
        const { Host } = A.CredentialsRequest.decode(req);
        const creds = await credentialsFor(Host, configDir);
        return toBuffer(A.CredentialsResponse.encode({ Username: creds?.username ?? '', Secret: creds?.secret ?? '' }).finish());
      },
    },
    {
      path: '/moby.filesync.v1.Auth/GetTokenAuthority',
      kind: 'unary',
      // UNIMPLEMENTED makes the daemon fetch tokens itself with the credentials above (protocol.md §3.4).
      handler: async () => { throw new RpcError(Code.UNIMPLEMENTED, 'token authority not supported'); },
    },
  ];
}

export type SecretSource = () => Promise<Buffer>;

/** Secrets: values for RUN --mount=type=secret, looked up by id. */
export function secretsService(secrets: ReadonlyMap<string, SecretSource>): Method[] {
  const S = moby.buildkit.secrets.v1;
  return [{
    path: '/moby.buildkit.secrets.v1.Secrets/GetSecret',
    kind: 'unary',
    handler: async (req) => {
      const { ID } = S.GetSecretRequest.decode(req);
      const src = secrets.get(ID);
      if (!src) throw new RpcError(Code.NOT_FOUND, `secret ${ID} not found`);
      return toBuffer(S.GetSecretResponse.encode({ data: await src() }).finish());
    },
  }];
}

/** Upload: streams a body the daemon pulls by URL (`http://buildkit-session/<id>`), e.g. a tar context on stdin. */
export function uploadService(uploads: ReadonlyMap<string, () => AsyncIterable<Buffer>>): Method[] {
  const CHUNK = 3 << 20;
  return [{
    path: '/moby.upload.v1.Upload/Pull',
    kind: 'stream',
    handler: async (call, ctx) => {
      const urlpath = ctx.metadata.get('urlpath')?.[0] ?? '';
      const id = urlpath.slice(urlpath.lastIndexOf('/') + 1);
      const open = uploads.get(id);
      if (!open) throw new RpcError(Code.NOT_FOUND, `upload ${urlpath} not found`);
      for await (const chunk of open()) {
        for (let i = 0; i < chunk.length; i += CHUNK) await call.send(encodeBytesMessage(chunk.subarray(i, i + CHUNK)));
      }
    },
  }];
}
