// The local content store and the containerd content service in front of it, driven the way
// containerd's proxy client (what the daemon uses over the session) drives them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { containerd } from '../../../src/proto/index.js';
import { LocalContentStore, parseDigest } from '../../../src/session/content-store.js';
import { contentService, STORE_ID_HEADER } from '../../../src/session/content-service.js';
import { RpcError, RpcServer, type Method, type RpcContext } from '../../../src/session/rpc-server.js';
import http2 from 'node:http2';
import net from 'node:net';

const C = containerd.services.content.v1;
const digestOf = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function ctx(id?: string): RpcContext {
  return { metadata: new Map(id === undefined ? [] : [[STORE_ID_HEADER, [id]]]), signal: new AbortController().signal };
}

/** Runs a stream method with the given request messages; returns the responses and the outcome. */
async function callStream(m: Method, requests: Uint8Array[], c: RpcContext): Promise<{ responses: Buffer[]; error?: RpcError }> {
  assert.equal(m.kind, 'stream');
  const responses: Buffer[] = [];
  try {
    await (m as Extract<Method, { kind: 'stream' }>).handler({
      messages: async function* () { for (const r of requests) yield Buffer.from(r); },
      send: async (msg) => { responses.push(Buffer.isBuffer(msg) ? msg : Buffer.concat(msg as Buffer[])); },
    }, c);
    return { responses };
  } catch (err) {
    assert.ok(err instanceof RpcError, `expected an RpcError, got ${String(err)}`);
    return { responses, error: err };
  }
}

async function callUnary(m: Method, request: Uint8Array, c: RpcContext): Promise<Buffer> {
  assert.equal(m.kind, 'unary');
  return (m as Extract<Method, { kind: 'unary' }>).handler(Buffer.from(request), c);
}

const write = (p: { action: number; ref?: string; total?: number; expected?: string; offset?: number; data?: Buffer }) =>
  C.WriteContentRequest.encode(p).finish();
const decodeWrite = (b: Buffer) => C.WriteContentResponse.decode(b);
const num = (v: unknown) => Number(v ?? 0);

describe('content service over a local store', () => {
  let root = '';
  let store: LocalContentStore;
  let methods: Map<string, Method>;
  const m = (name: string) => methods.get(`/containerd.services.content.v1.Content/${name}`)!;
  const c = () => ctx('local:cache');

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'content-'));
    store = new LocalContentStore(join(root, 'cache'));
    await store.init();
    methods = new Map(contentService(new Map([['local:cache', store]])).map((x) => [x.path, x]));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('writes a blob like containerd\'s proxy writer: STAT, WRITEs at the offset, COMMIT', async () => {
    const blob = Buffer.from('hello content store\n'.repeat(1000));
    const expected = digestOf(blob);
    const { responses, error } = await callStream(m('Write'), [
      write({ action: C.WriteAction.STAT, ref: 'layer-1', total: blob.length, expected }),
      write({ action: C.WriteAction.WRITE, offset: 0, data: blob.subarray(0, 7000) }),
      write({ action: C.WriteAction.WRITE, offset: 7000, data: blob.subarray(7000) }),
      write({ action: C.WriteAction.COMMIT, total: blob.length, offset: blob.length, expected }),
    ], c());
    assert.equal(error, undefined);
    const res = responses.map(decodeWrite);
    assert.deepEqual(res.map((r) => [r.action, num(r.offset)]), [[0, 0], [1, 7000], [1, blob.length], [2, blob.length]]);
    assert.equal(res[0]!.total?.toString(), String(blob.length));
    assert.equal(res[3]!.digest, expected);
    const path = join(root, 'cache/blobs/sha256', parseDigest(expected).hex);
    assert.ok((await readFile(path)).equals(blob));
    assert.equal(statSync(path).mode & 0o777, 0o444);
    assert.deepEqual(await readdir(join(root, 'cache/ingest')), [], 'the ingest is gone after the commit');

    const info = C.InfoResponse.decode(await callUnary(m('Info'), C.InfoRequest.encode({ digest: expected }).finish(), c()));
    assert.equal(info.info?.digest, expected);
    assert.equal(num(info.info?.size), blob.length);
  });

  it('answers ALREADY_EXISTS for content that is there, at STAT or at COMMIT', async () => {
    const blob = Buffer.from('dup');
    await callStream(m('Write'), [write({ action: C.WriteAction.COMMIT, ref: 'a', data: blob })], c());
    const atStat = await callStream(m('Write'), [write({ action: C.WriteAction.STAT, ref: 'b', expected: digestOf(blob) })], c());
    assert.equal(atStat.error?.code, 6);
    const atCommit = await callStream(m('Write'), [write({ action: C.WriteAction.STAT, ref: 'c' }), write({ action: C.WriteAction.COMMIT, data: blob })], c());
    assert.equal(atCommit.error?.code, 6);
    assert.match(atCommit.error!.message, /already exists/);
  });

  it('refuses a wrong offset, a wrong size or digest, and a second writer on the same ref', async () => {
    const bad = await callStream(m('Write'), [write({ action: C.WriteAction.STAT, ref: 'o' }), write({ action: C.WriteAction.WRITE, offset: 5, data: Buffer.from('x') })], c());
    assert.deepEqual([bad.error?.code, bad.error?.message], [11, 'write @5 must occur at current offset 0']);
    const size = await callStream(m('Write'), [write({ action: C.WriteAction.COMMIT, ref: 's', total: 10, data: Buffer.from('abc') })], c());
    assert.deepEqual([size.error?.code, size.error?.message], [9, 'unexpected commit size 3, expected 10']);
    const dig = await callStream(m('Write'), [write({ action: C.WriteAction.COMMIT, ref: 'd', expected: digestOf('other'), data: Buffer.from('abc') })], c());
    assert.equal(dig.error?.code, 9);
    assert.match(dig.error!.message, /^unexpected commit digest sha256:[0-9a-f]{64}, expected sha256:/);

    const held = await store.writer('busy', 0, '');
    const second = await callStream(m('Write'), [write({ action: C.WriteAction.STAT, ref: 'busy' })], c());
    assert.deepEqual([second.error?.code, second.error?.message], [14, 'ref busy locked']);
    const st = C.StatusResponse.decode(await callUnary(m('Status'), C.StatusRequest.encode({ ref: 'busy' }).finish(), c()));
    assert.equal(st.status?.ref, 'busy');
    await callUnary(m('Abort'), C.AbortRequest.encode({ ref: 'busy' }).finish(), c());
    await assert.rejects(held.write(0, Buffer.from('x')), /closed writer/);
    assert.deepEqual(await readdir(join(root, 'cache/ingest')), [], 'failed and aborted writes leave no ingest');
  });

  it('writing from offset 0 again starts the content over', async () => {
    const { error, responses } = await callStream(m('Write'), [
      write({ action: C.WriteAction.WRITE, ref: 'restart', data: Buffer.from('garbage') }),
      write({ action: C.WriteAction.COMMIT, offset: 0, data: Buffer.from('fresh') }),
    ], c());
    assert.equal(error, undefined);
    assert.equal(decodeWrite(responses.at(-1)!).digest, digestOf('fresh'));
  });

  it('reads whole blobs and ranges, in order', async () => {
    const blob = Buffer.alloc(3 * (1 << 20) + 5, 7);
    blob.write('tail', blob.length - 4);
    await callStream(m('Write'), [write({ action: C.WriteAction.COMMIT, ref: 'big', data: blob })], c());
    const read = async (offset: number, size: number) => {
      const { responses, error } = await callStream(m('Read'), [C.ReadContentRequest.encode({ digest: digestOf(blob), offset, size }).finish()], c());
      assert.equal(error, undefined);
      const parts = responses.map((r) => C.ReadContentResponse.decode(r));
      let at = offset;
      for (const p of parts) {
        assert.equal(num(p.offset), at);
        at += p.data.length;
      }
      return Buffer.concat(parts.map((p) => Buffer.from(p.data)));
    };
    assert.ok((await read(0, 0)).equals(blob));
    assert.equal((await read(blob.length - 4, 4)).toString(), 'tail');
    assert.equal((await read(blob.length - 4, 100)).toString(), 'tail');
    const past = await callStream(m('Read'), [C.ReadContentRequest.encode({ digest: digestOf(blob), offset: blob.length + 1 }).finish()], c());
    assert.equal(past.error?.code, 11);
  });

  it('maps a missing blob, a bad digest and the store header to gRPC codes', async () => {
    await assert.rejects(callUnary(m('Info'), C.InfoRequest.encode({ digest: digestOf('nope') }).finish(), c()), (e: RpcError) => e.code === 5);
    await assert.rejects(callUnary(m('Info'), C.InfoRequest.encode({ digest: 'sha256:xyz' }).finish(), c()),
      (e: RpcError) => e.code === 3 && e.message === 'invalid digest "sha256:xyz"');
    await assert.rejects(callUnary(m('Info'), C.InfoRequest.encode({ digest: digestOf('x') }).finish(), ctx()),
      (e: RpcError) => e.code === 3 && e.message === `request lacks metadata "${STORE_ID_HEADER}"`);
    await assert.rejects(callUnary(m('Info'), C.InfoRequest.encode({ digest: digestOf('x') }).finish(), ctx('local:other')),
      (e: RpcError) => e.code === 5 && e.message === 'unknown store local:other');
  });

  it('lists committed content', async () => {
    const { responses } = await callStream(m('List'), [C.ListContentRequest.encode({}).finish()], c());
    const infos = responses.flatMap((r) => C.ListContentResponse.decode(r).info);
    assert.ok(infos.some((i) => i.digest === digestOf('dup')));
    assert.ok(!existsSync(join(root, 'cache/blobs/sha256', parseDigest(digestOf('abc')).hex)), 'rejected commits stored nothing');
  });

  it('serves Read over HTTP/2 to a client that half-closes only after its request (no reset)', async () => {
    const blob = Buffer.alloc(1_500_000, 3);
    await callStream(m('Write'), [write({ action: C.WriteAction.COMMIT, ref: 'h2', data: blob })], c());
    const server = new RpcServer(contentService(new Map([['local:cache', store]])));
    const [a, b] = await new Promise<[net.Socket, net.Socket]>((resolve) => {
      let client: net.Socket;
      const srv = net.createServer((s) => { srv.close(); resolve([s, client]); });
      srv.listen(0, '127.0.0.1', () => { client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1'); });
    });
    server.serve(a);
    const session = http2.connect('http://localhost', { createConnection: () => b });
    try {
      const req = session.request({ ':method': 'POST', ':path': '/containerd.services.content.v1.Content/Read', 'content-type': 'application/grpc',
        te: 'trailers', [STORE_ID_HEADER]: 'local:cache' });
      const body = Buffer.from(C.ReadContentRequest.encode({ digest: digestOf(blob) }).finish());
      const head = Buffer.alloc(5);
      head.writeUInt32BE(body.length, 1);
      req.write(Buffer.concat([head, body]));
      setTimeout(() => req.end(), 50);
      const chunks: Buffer[] = [];
      let trailers: http2.IncomingHttpHeaders = {};
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('trailers', (t) => { trailers = t; });
      await new Promise<void>((resolve, reject) => { req.on('end', resolve); req.on('error', reject); });
      assert.equal(trailers['grpc-status'], '0');
      const all = Buffer.concat(chunks);
      let size = 0;
      for (let i = 0; i < all.length;) {
        const n = all.readUInt32BE(i + 1);
        size += C.ReadContentResponse.decode(all.subarray(i + 5, i + 5 + n)).data.length;
        i += 5 + n;
      }
      assert.equal(size, blob.length);
    } finally {
      session.close();
      server.close();
    }
  });
});
