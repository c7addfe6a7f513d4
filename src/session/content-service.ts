// containerd's content service (`containerd.services.content.v1.Content`) over the session, for the
// stores a build attaches (protocol.md §3.9): the daemon names one with `buildkit-attachable-store-id`
// (`local:<dir>` for a local cache). Errors carry the gRPC codes containerd's proxy maps back to its
// error kinds; ALREADY_EXISTS on a write is how the daemon learns a blob need not be sent again.
import { asBuffer } from '../util/bytes.js';
import type Long from 'long';
import { containerd, google } from '../proto/index.js';
import { ContentError, type ContentInfo, type IngestStatus, type IngestWriter, type LocalContentStore } from './content-store.js';
import { Code, RpcError, type Method, type RpcContext, type RpcStream } from './rpc-server.js';

const C = containerd.services.content.v1;
const SERVICE = '/containerd.services.content.v1.Content';
export const STORE_ID_HEADER = 'buildkit-attachable-store-id';

const CODES: Record<ContentError['kind'], number> = {
  'not-found': Code.NOT_FOUND,
  'already-exists': Code.ALREADY_EXISTS,
  unavailable: Code.UNAVAILABLE,
  'failed-precondition': 9,
  'invalid-argument': Code.INVALID_ARGUMENT,
  'out-of-range': 11,
};

function rpcError(err: unknown): unknown {
  return err instanceof ContentError ? new RpcError(CODES[err.kind], err.message) : err;
}


function int64(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function timestamp(d: Date): google.protobuf.ITimestamp {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function infoMessage(i: ContentInfo): containerd.services.content.v1.IInfo {
  return { digest: i.digest, size: i.size, created_at: timestamp(i.createdAt), updated_at: timestamp(i.updatedAt), labels: i.labels };
}

function statusMessage(s: IngestStatus): containerd.services.content.v1.IStatus {
  return { started_at: timestamp(s.startedAt), updated_at: timestamp(s.updatedAt), ref: s.ref, offset: s.offset, total: s.total, expected: s.expected };
}

/**
 * The one request of a server-streaming call. Read up to the client's half-close: leaving the loop
 * early would destroy the HTTP/2 stream, which the daemon sees as a CANCEL reset.
 */
async function firstMessage(call: RpcStream): Promise<Buffer> {
  let first: Buffer | undefined;
  for await (const m of call.messages()) first ??= m;
  return first ?? Buffer.alloc(0);
}

/** Serves `stores` by id; each method picks its store from the call's metadata. */
export function contentService(stores: ReadonlyMap<string, LocalContentStore>): Method[] {
  const choose = (ctx: RpcContext): LocalContentStore => {
    const id = ctx.metadata.get(STORE_ID_HEADER)?.[0];
    if (id === undefined) throw new RpcError(Code.INVALID_ARGUMENT, `request lacks metadata "${STORE_ID_HEADER}"`);
    const store = stores.get(id);
    if (!store) throw new RpcError(Code.NOT_FOUND, `unknown store ${id}`);
    return store;
  };
  const unary = (name: string, fn: (req: Buffer, store: LocalContentStore) => Promise<Uint8Array>): Method => ({
    path: `${SERVICE}/${name}`,
    kind: 'unary',
    handler: async (req, ctx) => {
      try {
        return asBuffer(await fn(req, choose(ctx)));
      } catch (err) {
        throw rpcError(err);
      }
    },
  });
  const stream = (name: string, fn: (call: RpcStream, store: LocalContentStore, ctx: RpcContext) => Promise<void>): Method => ({
    path: `${SERVICE}/${name}`,
    kind: 'stream',
    handler: async (call, ctx) => {
      try {
        await fn(call, choose(ctx), ctx);
      } catch (err) {
        throw rpcError(err);
      }
    },
  });
  const empty = new Uint8Array(0);

  return [
    unary('Info', async (req, store) => {
      const { digest } = C.InfoRequest.decode(req);
      return C.InfoResponse.encode({ info: infoMessage(await store.info(digest)) }).finish();
    }),
    // Labels are not kept (the Go client's local store keeps none either): the current info is the answer.
    unary('Update', async (req, store) => {
      const { info } = C.UpdateRequest.decode(req);
      return C.UpdateResponse.encode({ info: infoMessage(await store.info(info?.digest ?? '')) }).finish();
    }),
    unary('Delete', async (req, store) => {
      await store.delete(C.DeleteContentRequest.decode(req).digest);
      return empty;
    }),
    unary('Status', async (req, store) => {
      const { ref } = C.StatusRequest.decode(req);
      return C.StatusResponse.encode({ status: statusMessage(store.status(ref)) }).finish();
    }),
    unary('ListStatuses', async (_req, store) => C.ListStatusesResponse.encode({ statuses: store.statuses().map(statusMessage) }).finish()),
    unary('Abort', async (req, store) => {
      await store.abort(C.AbortRequest.decode(req).ref);
      return empty;
    }),
    stream('List', async (call, store) => {
      await firstMessage(call);
      const infos = await store.list();
      if (infos.length) await call.send(asBuffer(C.ListContentResponse.encode({ info: infos.map(infoMessage) }).finish()));
    }),
    stream('Read', async (call, store, ctx) => {
      const req = C.ReadContentRequest.decode(await firstMessage(call));
      for await (const chunk of store.read(req.digest, int64(req.offset), int64(req.size), ctx.signal)) {
        await call.send(asBuffer(C.ReadContentResponse.encode({ offset: chunk.offset, data: chunk.data }).finish()));
      }
    }),
    stream('Write', (call, store) => serveWrite(call, store)),
  ];
}

/** One Write stream: STAT, WRITE and COMMIT requests, each answered with the writer's state. */
async function serveWrite(call: RpcStream, store: LocalContentStore): Promise<void> {
  const requests = call.messages()[Symbol.asyncIterator]();
  const next = async () => {
    const r = await requests.next();
    return r.done ? undefined : C.WriteContentRequest.decode(r.value);
  };
  let req = await next();
  if (!req) return;
  if (!req.ref) throw new RpcError(Code.INVALID_ARGUMENT, 'first message must have a reference');
  const writer: IngestWriter = await store.writer(req.ref, int64(req.total), req.expected ?? '');
  let committed = false;
  try {
    while (req) {
      // Content that turned up meanwhile need not be written at all.
      if (req.expected && (await store.has(req.expected))) {
        throw new ContentError('already-exists', `blob with expected digest ${req.expected} exists`);
      }
      writer.setExpected(req.expected ?? '', int64(req.total));
      const action = req.action ?? C.WriteAction.STAT;
      const res: containerd.services.content.v1.IWriteContentResponse = { action };
      if (action === C.WriteAction.STAT) {
        const st = writer.status();
        Object.assign(res, { offset: st.offset, total: st.total, digest: writer.digest(), started_at: timestamp(st.startedAt), updated_at: timestamp(st.updatedAt) });
      } else {
        const data = req.data && req.data.length ? asBuffer(req.data) : undefined;
        const offset = int64(req.offset);
        if (data) await writer.write(offset, data);
        else if (offset === 0 && writer.status().offset > 0) await writer.write(0, Buffer.alloc(0));
        else if (offset > 0 && offset !== writer.status().offset) {
          throw new ContentError('out-of-range', `write @${offset} must occur at current offset ${writer.status().offset}`);
        }
        res.offset = writer.status().offset;
        res.digest = writer.digest();
        if (action === C.WriteAction.COMMIT) {
          const st = writer.status();
          res.digest = await writer.commit(st.total, st.expected);
          committed = true;
          Object.assign(res, { total: st.total, started_at: timestamp(st.startedAt), updated_at: timestamp(new Date()) });
        }
      }
      await call.send(asBuffer(C.WriteContentResponse.encode(res).finish()));
      if (committed) return;
      req = await next();
    }
  } finally {
    if (!committed) await writer.discard();
  }
}
