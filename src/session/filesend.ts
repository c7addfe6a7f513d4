// FileSend: exporter results the daemon sends to the client (local directories, tar/oci/docker streams).
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { decodeBytesMessage } from './bytes-message.js';
import { receiveDirectory } from './diffcopy-receive.js';
import { packetChannel } from './packet-channel.js';
import { Code, RpcError, type Metadata, type Method, type RpcStream } from './rpc-server.js';

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
