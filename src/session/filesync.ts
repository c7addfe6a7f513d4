// FileSync: the local directories (build context, Dockerfile) the daemon syncs through DiffCopy.
import type { SendStats } from './diffcopy.js';
import { sendDirectory } from './diffcopy-send.js';
import { packetChannel } from './packet-channel.js';
import { Code, RpcError, type Metadata, type Method } from './rpc-server.js';

/** Metadata values, URL-unescaped when the daemon marked them `<key>-encoded: 1` (non-ASCII content). */
export function metadataValues(md: Metadata, key: string): string[] {
  const values = [...(md.get(key) ?? [])];
  if (md.get(`${key}-encoded`)?.[0] !== '1') return values;
  return values.map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
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
