// The engine's exec plumbing: the stdout/stderr demultiplexer, the exec stream over a hijacked socket
// (against an in-memory socket), and create/start/inspect against a fake engine on a unix socket.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../src/docker/engine.js';
import { ExecStream, StdDemuxer, TailBuffer, execRun, execStream, type ExecTarget } from '../../../src/docker/exec.js';

function frame(stream: number, payload: string | Buffer): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}

function collect(): { frames: [number, string][]; sink: (s: number, b: Buffer) => void; joined(stream: number): string } {
  const frames: [number, string][] = [];
  return {
    frames,
    sink: (s, b) => frames.push([s, b.toString()]),
    joined: (stream) => frames.filter(([s]) => s === stream).map(([, t]) => t).join(''),
  };
}

describe('StdDemuxer', () => {
  it('splits whole frames by stream', () => {
    const c = collect();
    const d = new StdDemuxer(c.sink);
    d.write(Buffer.concat([frame(1, 'out1'), frame(2, 'err1'), frame(1, 'out2')]));
    assert.deepEqual(c.frames, [[1, 'out1'], [2, 'err1'], [1, 'out2']]);
    assert.equal(d.partial, false);
  });

  it('reassembles frames split across chunks at every byte position', () => {
    const input = Buffer.concat([frame(1, 'hello '), frame(2, 'warning'), frame(1, 'world'), frame(1, '')]);
    for (let cut1 = 0; cut1 <= input.length; cut1++) {
      for (let cut2 = cut1; cut2 <= input.length; cut2 += 3) {
        const c = collect();
        const d = new StdDemuxer(c.sink);
        d.write(input.subarray(0, cut1));
        d.write(input.subarray(cut1, cut2));
        d.write(input.subarray(cut2));
        assert.equal(c.joined(1), 'hello world', `cuts ${cut1},${cut2}`);
        assert.equal(c.joined(2), 'warning');
        assert.equal(d.partial, false);
      }
    }
  });

  it('hands large payloads on in pieces, as they arrive', () => {
    const c = collect();
    const d = new StdDemuxer(c.sink);
    const f = frame(1, 'x'.repeat(1000));
    d.write(f.subarray(0, 100));
    assert.deepEqual(c.frames, [[1, 'x'.repeat(92)]]);
    assert.equal(d.partial, true);
    d.write(f.subarray(100));
    assert.equal(c.joined(1).length, 1000);
    assert.equal(d.partial, false);
  });

  it('skips zero-length frames and reports a header cut short', () => {
    const c = collect();
    const d = new StdDemuxer(c.sink);
    d.write(Buffer.concat([frame(1, ''), frame(2, ''), frame(1, 'a')]));
    assert.deepEqual(c.frames, [[1, 'a']]);
    d.write(frame(1, 'b').subarray(0, 5));
    assert.equal(d.partial, true);
  });

  it('maps stdin echoes to stdout, keeps system errors apart and rejects unknown streams', () => {
    const c = collect();
    const d = new StdDemuxer(c.sink);
    d.write(Buffer.concat([frame(0, 'in'), frame(3, 'boom')]));
    assert.deepEqual(c.frames, [[1, 'in'], [3, 'boom']]);
    assert.throws(() => d.write(frame(7, 'x')), /unrecognized input header: 7/);
  });
});

describe('TailBuffer', () => {
  it('keeps the last bytes only', () => {
    const t = new TailBuffer(10);
    for (let i = 0; i < 100; i++) t.push(Buffer.from(`${i % 10}`));
    assert.equal(t.toString(), '0123456789');
    t.push(Buffer.from('abcdefghijklmnop'));
    assert.equal(t.toString(), 'ghijklmnop');
  });
});

/** Two connected in-memory duplexes, like the two ends of a socket. */
function socketPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const mk = (readable: PassThrough, writable: PassThrough): Duplex => {
    const d: Duplex = new Duplex({
      read() {
        readable.resume();
      },
      write(chunk: Buffer, _e, cb) {
        writable.write(chunk, cb);
      },
      final(cb) {
        writable.end();
        cb();
      },
      destroy(err, cb) {
        readable.destroy();
        writable.destroy();
        cb(err);
      },
    });
    readable.on('data', (c: Buffer) => {
      if (!d.push(c)) readable.pause();
    });
    readable.on('end', () => d.push(null));
    return d;
  };
  return [mk(bToA, aToB), mk(aToB, bToA)];
}

async function readAllFrom(s: Duplex): Promise<string> {
  let out = '';
  for await (const c of s) out += (c as Buffer).toString();
  return out;
}

describe('ExecStream', () => {
  it('reads demultiplexed stdout, sends stderr aside and writes stdin raw', async () => {
    const [ours, engine] = socketPair();
    const stderr: string[] = [];
    const s = new ExecStream(ours, 'id1', { onStderr: (b) => stderr.push(b.toString()) });
    const written: Buffer[] = [];
    engine.on('data', (c: Buffer) => written.push(c));
    const engineEnded = new Promise<void>((r) => engine.once('end', () => r()));
    s.write(Buffer.from([0x50, 0x52, 0x49, 0x00, 0x01]));
    s.end();
    await engineEnded;
    assert.deepEqual(Buffer.concat(written), Buffer.from([0x50, 0x52, 0x49, 0x00, 0x01]));
    const reading = readAllFrom(s);
    engine.write(frame(1, 'abc'));
    engine.write(frame(2, 'log line\n'));
    engine.write(Buffer.concat([frame(1, 'def'), frame(1, 'ghi')]).subarray(0, 13));
    engine.end(Buffer.concat([frame(1, 'def'), frame(1, 'ghi')]).subarray(13));
    assert.equal(await reading, 'abcdefghi');
    assert.deepEqual(stderr, ['log line\n']);
  });

  it('fails on a system error frame and on output cut mid-frame', async () => {
    const [a, ea] = socketPair();
    const s1 = new ExecStream(a, 'x');
    ea.end(Buffer.concat([frame(1, 'partial'), frame(3, 'exec failed')]));
    await assert.rejects(readAllFrom(s1), /exec failed/);

    const [b, eb] = socketPair();
    const s2 = new ExecStream(b, 'y');
    eb.end(frame(1, 'abcdef').subarray(0, 10));
    await assert.rejects(readAllFrom(s2), /middle of a frame/);
  });

  it('destroying it drops the connection', async () => {
    const [ours] = socketPair();
    const s = new ExecStream(ours, 'z');
    const closed = new Promise<void>((r) => ours.once('close', () => r()));
    s.destroy();
    await closed;
    assert.equal(ours.destroyed, true);
  });

  it('pauses the socket while the reader is not reading', async () => {
    const [ours, engine] = socketPair();
    const s = new ExecStream(ours, 'bp');
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 20; i++) engine.write(frame(1, big));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ours.isPaused(), true);
    engine.end();
    assert.equal((await readAllFrom(s)).length, 20 * big.length);
  });
});

/** A fake engine: exec create/start/inspect for one container, with scripted output per command. */
describe('exec against a fake engine', () => {
  let dir = '';
  let server: http.Server;
  let target: ExecTarget;
  const execs = new Map<string, string[]>();
  const inspected: string[] = [];
  const stdinSeen: Buffer[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuildx-exec-'));
    const sock = join(dir, 'engine.sock');
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const m = /^\/v1\.41\/containers\/([^/]+)\/exec$/.exec(req.url ?? '');
        if (req.method === 'POST' && m) {
          if (m[1] !== 'ctr') {
            res.writeHead(409, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `Container ${m[1]} is not running` }));
            return;
          }
          const id = `exec${execs.size}`;
          const parsed = JSON.parse(body) as { Cmd: string[]; Tty: boolean; AttachStdout: boolean };
          assert.equal(parsed.Tty, false);
          assert.equal(parsed.AttachStdout, true);
          execs.set(id, parsed.Cmd);
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Id: id }));
          return;
        }
        const j = /^\/v1\.41\/exec\/([^/]+)\/json$/.exec(req.url ?? '');
        if (j) {
          inspected.push(j[1]!);
          const cmd = execs.get(j[1]!) ?? [];
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Running: false, ExitCode: cmd[0] === 'false' ? 3 : 0 }));
          return;
        }
        res.writeHead(404).end('{"message":"page not found"}');
      });
    });
    server.on('upgrade', (req, socket: net.Socket) => {
      const m = /^\/v1\.41\/exec\/([^/]+)\/start$/.exec(req.url ?? '');
      const cmd = m ? execs.get(m[1]!) : undefined;
      if (!cmd || req.headers.upgrade !== 'tcp') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      if (cmd[0] === 'cat') {
        // Echoes stdin as stdout until stdin closes, like `buildctl dial-stdio` relaying bytes.
        socket.on('data', (c: Buffer) => {
          stdinSeen.push(c);
          socket.write(frame(1, c));
        });
        socket.on('end', () => socket.end());
        return;
      }
      socket.write(frame(1, `ran ${cmd.join(' ')}\n`));
      socket.write(frame(2, 'some stderr\n'));
      socket.end();
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    target = { ep: { contextName: 'test', host: `unix://${sock}` }, apiVersion: '1.41', container: 'ctr' };
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a command to completion and reports its output and exit code', async () => {
    const r = await execRun(target, ['buildkitd', '--version']);
    assert.deepEqual(r, { exitCode: 0, stdout: 'ran buildkitd --version\n', stderr: 'some stderr\n' });
    const f = await execRun(target, ['false']);
    assert.equal(f.exitCode, 3);
  });

  it('streams stdin to the process and its stdout back', async () => {
    const s = await execStream(target, ['cat']);
    const reading = readAllFrom(s);
    s.write('PRI * HTTP/2.0\r\n');
    s.end('bytes');
    assert.equal(await reading, 'PRI * HTTP/2.0\r\nbytes');
    assert.equal(Buffer.concat(stdinSeen).toString(), 'PRI * HTTP/2.0\r\nbytes');
  });

  it('reports the engine refusing the exec with its message and status', async () => {
    const err = await execRun({ ...target, container: 'stopped' }, ['true']).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EngineError);
    assert.equal(err.status, 409);
    assert.equal(err.message, 'Error response from daemon: Container stopped is not running');
  });
});
