// The session's gRPC server against a real HTTP/2 client in-process: framing, trailers, repeated
// metadata, unknown methods, errors and streaming both ways.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { test } from 'node:test';
import { Code, RpcError, RpcServer } from '../../../src/session/rpc-server.js';
import { decodeBytesMessage, encodeBytesMessage } from '../../../src/session/bytes-message.js';

function frame(m: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(m.length, 1);
  return Buffer.concat([h, m]);
}

function unframe(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length;) {
    const n = b.readUInt32BE(i + 1);
    out.push(b.subarray(i + 5, i + 5 + n));
    i += 5 + n;
  }
  return out;
}

async function withServer(server: RpcServer, fn: (client: http2.ClientHttp2Session) => Promise<void>): Promise<void> {
  const [a, b] = await new Promise<[net.Socket, net.Socket]>((resolve) => {
    const srv = net.createServer((s) => { srv.close(); resolve([s, c]); });
    let c: net.Socket;
    srv.listen(0, '127.0.0.1', () => { c = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1'); });
  });
  server.serve(a);
  const client = http2.connect('http://localhost', { createConnection: () => b });
  try {
    await fn(client);
  } finally {
    client.close();
    server.close();
  }
}

interface Reply { headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }

function call(client: http2.ClientHttp2Session, path: string, body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => { headers = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.end(body);
  });
}

test('unary call: request decoded, response framed, OK trailer', async () => {
  const server = new RpcServer([{ path: '/t.S/Echo', kind: 'unary', handler: async (req) => Buffer.concat([Buffer.from('re:'), req]) }]);
  await withServer(server, async (client) => {
    const r = await call(client, '/t.S/Echo', frame(Buffer.from('hello')));
    assert.equal(r.headers['content-type'], 'application/grpc');
    assert.deepEqual(unframe(r.body).map(String), ['re:hello']);
    assert.equal(r.trailers['grpc-status'], '0');
  });
});

test('repeated metadata keys stay separate values, even with commas inside', async () => {
  let seen: readonly string[] = [];
  const server = new RpcServer([{ path: '/t.S/Md', kind: 'unary', handler: async (_req, ctx) => { seen = ctx.metadata.get('exclude-patterns') ?? []; return Buffer.alloc(0); } }]);
  await withServer(server, async (client) => {
    const r = await call(client, '/t.S/Md', frame(Buffer.alloc(0)), { 'exclude-patterns': ['a, b', '**/*.log', '!keep'] });
    assert.equal(r.trailers['grpc-status'], '0');
  });
  assert.deepEqual(seen, ['a, b', '**/*.log', '!keep']);
});

test('unknown method answers UNIMPLEMENTED in a trailers-only response', async () => {
  const server = new RpcServer([]);
  await withServer(server, async (client) => {
    const r = await call(client, '/t.S/Nope', frame(Buffer.alloc(0)));
    assert.equal(r.headers['grpc-status'], String(Code.UNIMPLEMENTED));
    assert.match(decodeURIComponent(String(r.headers['grpc-message'])), /unknown method \/t.S\/Nope/);
  });
});

test('handler errors become gRPC statuses with their message', async () => {
  const server = new RpcServer([{ path: '/t.S/Fail', kind: 'unary', handler: async () => { throw new RpcError(Code.NOT_FOUND, 'no access allowed to dir "x"'); } }]);
  await withServer(server, async (client) => {
    const r = await call(client, '/t.S/Fail', frame(Buffer.alloc(0)));
    assert.equal(r.headers['grpc-status'], String(Code.NOT_FOUND));
    assert.equal(decodeURIComponent(String(r.headers['grpc-message'])), 'no access allowed to dir "x"');
  });
});

test('bidi stream: many messages across frame boundaries both ways', async () => {
  const server = new RpcServer([{
    path: '/t.S/Stream', kind: 'stream', handler: async (c) => {
      for await (const m of c.messages()) await c.send(encodeBytesMessage(Buffer.from(decodeBytesMessage(m).toString().toUpperCase())));
    },
  }]);
  await withServer(server, async (client) => {
    const msgs = Array.from({ length: 200 }, (_, i) => `msg-${i}-${'x'.repeat(i * 37)}`);
    const r = await call(client, '/t.S/Stream', Buffer.concat(msgs.map((m) => frame(encodeBytesMessage(Buffer.from(m))))));
    assert.equal(r.trailers['grpc-status'], '0');
    assert.deepEqual(unframe(r.body).map((b) => decodeBytesMessage(b).toString()), msgs.map((m) => m.toUpperCase()));
  });
});

test('BytesMessage codec: empty, small and large payloads', () => {
  assert.equal(encodeBytesMessage(Buffer.alloc(0)).length, 0);
  assert.deepEqual([...encodeBytesMessage(Buffer.from('hi'))], [0x0a, 2, 0x68, 0x69]);
  const big = Buffer.alloc(300_000, 7);
  assert.ok(decodeBytesMessage(encodeBytesMessage(big)).equals(big));
  assert.equal(decodeBytesMessage(Buffer.alloc(0)).length, 0);
});
