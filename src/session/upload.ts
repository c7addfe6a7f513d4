// Upload: bodies the daemon pulls by URL (`http://buildkit-session/<id>`), e.g. a tar context on stdin.
import { encodeBytesMessage } from './bytes-message.js';
import { Code, RpcError, type Method } from './rpc-server.js';

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
