// Streaming an image archive into a docker engine's image load: the engine is an in-process HTTP server
// on a unix socket that records what it received and answers the way dockerd does. The progress shown
// for it is the solver's `importing to docker` step.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ImageLoadStream, loadedImage, loadEndpoint, messageError, parseEngineMessages, type EngineMessage,
} from '../../../src/docker/image-load.js';
import { contextDirHash } from '../../../src/docker/context.js';
import type { SolveStatus } from '../../../src/progress/types.js';
import type { ProgressWriter } from '../../../src/progress/writer.js';
import { importingToDocker } from '../../../src/solver/load-progress.js';

async function messages(chunks: (string | Buffer)[]): Promise<EngineMessage[]> {
  const out: EngineMessage[] = [];
  for await (const m of parseEngineMessages((async function* () { yield* chunks; })())) out.push(m);
  return out;
}

describe('engine messages', () => {
  it('are split on newlines however the chunks fall, multi-byte characters included', async () => {
    const text = '{"stream":"Loaded image: café:1\\n"}\r\n{"status":"Loading layer","id":"a1","progressDetail":{"current":1,"total":2}}\n\n{"error":"boom"}';
    const bytes = Buffer.from(text.replace('café', 'caf\u00e9'));
    for (const size of [1, 2, 3, 10, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const got = await messages(chunks);
      assert.equal(got.length, 3, `chunk ${size}`);
      assert.equal(loadedImage(got[0]!), 'café:1');
      assert.equal(got[1]!.progressDetail?.total, 2);
      assert.equal(messageError(got[2]!), 'boom');
    }
  });

  it('reject anything that is not a JSON object per line', async () => {
    await assert.rejects(messages(['{"a":1}\nnot json\n']), { message: 'invalid response from docker engine: "not json"' });
    await assert.rejects(messages(['[1]\n']), /invalid response from docker engine/);
  });

  it('name loaded images and ids, and prefer errorDetail', () => {
    assert.equal(loadedImage({ stream: 'Loaded image ID: sha256:abc\n' }), 'sha256:abc');
    assert.equal(loadedImage({ stream: 'Loaded image: a/b:1\n' }), 'a/b:1');
    assert.equal(loadedImage({ stream: 'something else\n' }), undefined);
    assert.equal(messageError({ error: 'short', errorDetail: { message: 'detail' } }), 'detail');
    assert.equal(messageError({ status: 'ok' }), undefined);
  });
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: () => Promise<Buffer>) => void;

function recordingProgress(): ProgressWriter & { statuses: SolveStatus[] } {
  const statuses: SolveStatus[] = [];
  return { statuses, write: (s) => { statuses.push(s); }, close: async () => {}, warnings: [] };
}

function payload(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Writes `data` in `chunk`-sized pieces, honouring write()'s backpressure, then ends the stream. */
async function upload(w: ImageLoadStream, data: Buffer, chunk: number, onWritten?: (n: number) => void): Promise<void> {
  let written = 0;
  for (let i = 0; i < data.length; i += chunk) {
    const piece = data.subarray(i, i + chunk);
    const ok = w.write(piece, () => { written += piece.length; onWritten?.(written); });
    if (!ok) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => { w.off('error', onError); resolve(); };
        const onError = (e: Error) => { w.off('drain', onDrain); reject(e); };
        w.once('drain', onDrain);
        w.once('error', onError);
      });
    }
  }
  await new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

describe('ImageLoadStream against a fake engine', () => {
  let dir = '';
  let sock = '';
  let server: http.Server;
  let handler: Handler = () => {};
  const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders }[] = [];
  const endpoint = () => ({ contextName: 'test', host: `unix://${sock}` });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-load-'));
    sock = join(dir, 'engine.sock');
    server = http.createServer((req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.41' });
        res.end('OK');
        return;
      }
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      const body = async () => {
        const parts: Buffer[] = [];
        for await (const c of req) parts.push(c as Buffer);
        return Buffer.concat(parts);
      };
      handler(req, res, body);
    });
    await new Promise<void>((r) => server.listen(sock, r));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => { seen.length = 0; });

  it('uploads the archive chunked and reports what the engine loaded, with layer progress', async () => {
    const data = payload(5 << 20);
    let received: Buffer = Buffer.alloc(0);
    handler = (_req, res, body) => {
      void body().then((b) => {
        received = b;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"Loading layer","progressDetail":{"current":512,"total":1024},"id":"abc"}\r\n');
        res.end('{"stream":"Loaded image: example/app:1\\n"}\r\n');
      });
    };
    const progress = recordingProgress();
    const w = new ImageLoadStream(endpoint(), { wrap: importingToDocker(progress) });
    await upload(w, data, 3 << 20);
    assert.deepEqual(await w.result, { images: ['example/app:1'] });
    assert.ok(received.equals(data));
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/v1.41/images/load?quiet=0');
    assert.equal(seen[0]!.headers!['transfer-encoding'], 'chunked');
    assert.equal(seen[0]!.headers!['content-type'], 'application/x-tar');
    const vertices = progress.statuses.flatMap((s) => s.vertexes);
    assert.deepEqual(vertices.map((v) => [v.name, v.completed !== undefined, v.error]), [['importing to docker', false, undefined], ['importing to docker', true, undefined]]);
    const rows = progress.statuses.flatMap((s) => s.statuses);
    assert.deepEqual(rows.map((r) => [r.id, r.current, r.total, r.completed !== undefined]), [['loading layer abc', 512, 1024, false], ['loading layer abc', 512, 1024, true]]);
  });

  it('fails with the engine message from the JSON stream, and marks the step failed', async () => {
    handler = (_req, res, body) => {
      void body().then(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"errorDetail":{"message":"Error processing tar file(exit status 1): unexpected EOF"},"error":"x"}\r\n');
      });
    };
    const progress = recordingProgress();
    const w = new ImageLoadStream(endpoint(), { wrap: importingToDocker(progress) });
    await assert.rejects(upload(w, payload(1000), 100), { message: 'Error processing tar file(exit status 1): unexpected EOF' });
    await assert.rejects(w.result, { message: 'Error processing tar file(exit status 1): unexpected EOF' });
    const last = progress.statuses.flatMap((s) => s.vertexes).at(-1)!;
    assert.equal(last.error, 'Error processing tar file(exit status 1): unexpected EOF');
  });

  it('fails with the message of an HTTP error response', async () => {
    handler = (_req, res, body) => {
      void body().then(() => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"message":"write /var/lib/docker/tmp/x: no space left on device"}');
      });
    };
    const w = new ImageLoadStream(endpoint(), {});
    await assert.rejects(upload(w, payload(1000), 1000), { message: 'write /var/lib/docker/tmp/x: no space left on device' });
  });

  it('reports an engine that answers before reading everything, instead of a broken pipe', async () => {
    handler = (req, res) => {
      req.once('data', () => {
        res.writeHead(400, { 'Content-Type': 'application/json', Connection: 'close' });
        res.end('{"message":"refusing this archive"}', () => req.socket.destroy());
      });
    };
    const w = new ImageLoadStream(endpoint(), {});
    await assert.rejects(upload(w, payload(64 << 20), 1 << 20), { message: 'refusing this archive' });
  });

  it('holds writes while the engine does not read, then resumes (bounded buffering)', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let received = 0;
    handler = (req, res) => {
      req.pause();
      void released.then(async () => {
        for await (const c of req) received += (c as Buffer).length;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"stream":"Loaded image ID: sha256:1234\\n"}\n');
      });
    };
    const data = payload(48 << 20);
    let accepted = 0;
    const w = new ImageLoadStream(endpoint(), {});
    const done = upload(w, data, 1 << 20, (n) => { accepted = n; });
    await new Promise((r) => setTimeout(r, 400));
    // What the stream took before the engine read anything: socket buffers plus about a chunk here.
    assert.ok(accepted > 0 && accepted <= 16 << 20, `accepted ${accepted} bytes while the engine was not reading`);
    release();
    await done;
    assert.equal(received, data.length);
    assert.deepEqual(await w.result, { images: ['sha256:1234'] });
  });

  it('aborts the upload when destroyed half way, so the engine never sees a complete archive', async () => {
    let outcome!: (s: string) => void;
    const serverSaw = new Promise<string>((r) => { outcome = r; });
    let receiving!: () => void;
    const started = new Promise<void>((r) => { receiving = r; });
    handler = (req) => {
      req.once('data', () => receiving());
      req.on('data', () => {});
      req.on('end', () => outcome('end'));
      req.on('close', () => outcome(req.complete ? 'end' : 'aborted'));
    };
    const w = new ImageLoadStream(endpoint(), {});
    w.on('error', () => {});
    w.write(payload(100_000));
    await started;
    w.destroy(new Error('transfer failed'));
    assert.equal(await serverSaw, 'aborted');
    await assert.rejects(w.result, { message: 'transfer failed' });
  });

  it('says the engine cannot be reached, naming its address', async () => {
    const w = new ImageLoadStream({ contextName: 'x', host: `unix://${dir}/nothing.sock` }, {});
    // The wording is engine.ts's; what matters here is that the failure names the engine's address.
    await assert.rejects(upload(w, payload(10), 10), (e: Error) => e.message.includes(`unix://${dir}/nothing.sock`));
    await assert.rejects(w.result);
  });
});

describe('loadEndpoint', () => {
  let config = '';
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'load-ep-'));
    const meta = join(config, 'contexts', 'meta', contextDirHash('other'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: 'other', Endpoints: { docker: { Host: 'unix:///run/other.sock' } } }));
  });
  after(() => rm(config, { recursive: true, force: true }));
  const opts = () => ({ configDir: config, env: { DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///run/current.sock' } });

  it('uses the current context without a context attribute', async () => {
    assert.equal((await loadEndpoint(undefined, opts())).host, 'unix:///run/current.sock');
    assert.equal((await loadEndpoint('', opts())).host, 'unix:///run/current.sock');
  });

  it('resolves a context by name, takes an address as is, and refuses anything else like docker does', async () => {
    assert.deepEqual(await loadEndpoint('other', opts()), { contextName: 'other', host: 'unix:///run/other.sock', tls: undefined });
    assert.equal((await loadEndpoint('tcp://127.0.0.1:2375', opts())).host, 'tcp://127.0.0.1:2375');
    await assert.rejects(loadEndpoint('nope', opts()), { message: 'unable to parse docker host `nope`' });
  });
});
