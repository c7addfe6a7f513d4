// The Control.Session tunnel as a byte Duplex, against a fake call object that behaves like grpc-js's
// ClientDuplexStream (object mode, one message per write, write() → false under load).
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it, mock } from 'node:test';
import { MAX_TUNNEL_CHUNK, sessionMetadata, tunnelOver } from '../../../src/buildkit/session-tunnel.js';

class FakeCall extends Duplex {
  readonly sent: Buffer[] = [];
  private held: (() => void)[] = [];
  hold = false;
  ended = false;
  cancelled = false;

  constructor() {
    super({ objectMode: true, highWaterMark: 2 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.sent.push(chunk);
    if (this.hold) this.held.push(cb);
    else cb();
  }

  override _final(cb: () => void): void {
    this.ended = true;
    cb();
  }

  override _read(): void {}

  cancel(): void {
    this.cancelled = true;
    this.destroy(new Error('Cancelled on client'));
  }

  /** Lets every held and future message through. */
  release(): void {
    this.hold = false;
    for (const cb of this.held.splice(0)) cb();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('session tunnel', () => {
  it('sends writes in order as messages of at most MAX_TUNNEL_CHUNK bytes', async () => {
    const call = new FakeCall();
    const { duplex } = tunnelOver(call);
    const big = Buffer.alloc(MAX_TUNNEL_CHUNK * 2 + 12345);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    await new Promise<void>((resolve, reject) => duplex.write(Buffer.from('head'), (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve, reject) => duplex.write(big, (e) => (e ? reject(e) : resolve())));
    assert.deepEqual(call.sent.map((b) => b.length), [MAX_TUNNEL_CHUNK, MAX_TUNNEL_CHUNK, 12349]);
    assert.ok(Buffer.concat(call.sent).equals(Buffer.concat([Buffer.from('head'), big])));
  });

  it('joins the small writes of one event-loop turn into one message', async () => {
    const call = new FakeCall();
    const { duplex } = tunnelOver(call);
    for (let i = 0; i < 100; i++) duplex.write(Buffer.from([i]));
    assert.equal(call.sent.length, 0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(call.sent.map((b) => b.length), [100]);
    assert.deepEqual([...call.sent[0]!], Array.from({ length: 100 }, (_, i) => i));
    duplex.write(Buffer.from('later'));
    duplex.end();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(call.sent.map((b) => b.toString('latin1')).slice(1), ['later']);
  });

  it('holds the write callback until the call drains', async () => {
    const call = new FakeCall();
    call.hold = true;
    const { duplex } = tunnelOver(call);
    let done = false;
    duplex.write(Buffer.alloc(MAX_TUNNEL_CHUNK + 1), () => { done = true; });
    await tick();
    await tick();
    assert.equal(done, false, 'write completed while the call was full');
    assert.equal(duplex.writableLength > 0, true);
    call.release();
    await tick();
    await tick();
    assert.equal(done, true);
  });

  it('delivers message payloads as bytes and pauses the call while nobody reads', async () => {
    const call = new FakeCall();
    const { duplex } = tunnelOver(call);
    const chunk = Buffer.alloc(10 * 1024, 7);
    // More than the duplex buffers (16 KiB on Node 20, 64 KiB from Node 22): the call must stop flowing.
    const n = Math.ceil(duplex.readableHighWaterMark / chunk.length) + 2;
    for (let i = 0; i < n; i++) call.push(chunk);
    await tick();
    assert.equal(call.isPaused(), true);
    const got: Buffer[] = [];
    duplex.on('data', (b: Buffer) => got.push(b));
    await tick();
    assert.equal(Buffer.concat(got).length, n * chunk.length);
    assert.equal(call.isPaused(), false);
    const ended = new Promise<void>((r) => duplex.once('end', () => r()));
    call.push(null);
    await ended;
  });

  it('half-closes the call on end() and cancels it on destroy()', async () => {
    const call = new FakeCall();
    const { duplex } = tunnelOver(call);
    duplex.end();
    await tick();
    assert.equal(call.ended, true);
    assert.equal(call.cancelled, false);
    duplex.destroy();
    assert.equal(call.cancelled, true);
  });

  it('close() waits for the daemon to end the call, then tears down', async () => {
    const call = new FakeCall();
    const t = tunnelOver(call);
    t.duplex.resume();
    // The daemon answers the half-close by ending its side.
    call.on('finish', () => setImmediate(() => call.push(null)));
    // With the clock stopped the bounded wait can never run out: close() can only end with the call.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      await t.close(5000);
    } finally {
      mock.timers.reset();
    }
    assert.equal(call.ended, true);
    assert.equal(t.duplex.destroyed, true);
    // The call finished by itself: nothing to cancel.
    assert.equal(call.cancelled, false);
  });

  it('close() gives up after the bounded wait and cancels the call', async () => {
    const call = new FakeCall();
    const t = tunnelOver(call);
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let closed = false;
      const closing = t.close(100).then(() => { closed = true; });
      await new Promise<void>((r) => setImmediate(r));
      mock.timers.tick(99);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(closed, false, 'still waiting for the daemon before the bound');
      assert.equal(call.cancelled, false);
      mock.timers.tick(1);
      await closing;
    } finally {
      mock.timers.reset();
    }
    assert.equal(call.ended, true);
    assert.equal(call.cancelled, true);
  });

  it('fails the duplex when the call fails', async () => {
    const call = new FakeCall();
    const { duplex } = tunnelOver(call);
    const err = new Promise<Error>((r) => duplex.once('error', r));
    call.destroy(new Error('14 UNAVAILABLE: gone'));
    assert.match((await err).message, /UNAVAILABLE/);
  });

  it('turns session headers into lower-cased metadata with repeated method values', () => {
    const md = sessionMetadata({
      headers: () => [
        ['X-Docker-Expose-Session-Uuid', 'abc'],
        ['X-Docker-Expose-Session-Sharedkey', 'k'],
        ['X-Docker-Expose-Session-Grpc-Method', '/a.B/C'],
        ['X-Docker-Expose-Session-Grpc-Method', '/a.B/D'],
      ],
    });
    assert.deepEqual(md, {
      'x-docker-expose-session-uuid': ['abc'],
      'x-docker-expose-session-sharedkey': ['k'],
      'x-docker-expose-session-grpc-method': ['/a.B/C', '/a.B/D'],
    });
  });
});
