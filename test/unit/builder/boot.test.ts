// Booting state machine: which drivers get a boot vertex, how sub-steps and failures are reported, and
// how a deadline differs from a cancel. The driver is an in-process stand-in: nothing crosses a wire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootBuilder, bootDriver } from '../../../src/builder/boot.js';
import type { Builder } from '../../../src/builder/builder.js';
import type { BootstrapProgress, Driver, DriverName, DriverStatus } from '../../../src/drivers/driver.js';
import { CanceledError } from '../../../src/util/errors.js';
import type { ProgressWriter, SolveStatus } from '../../../src/progress/index.js';

function recorder(): ProgressWriter & { all: SolveStatus[] } {
  const all: SolveStatus[] = [];
  return { all, warnings: [], write: (s) => { all.push(s); }, close: async () => {} };
}

function fakeDriver(name: DriverName, status: DriverStatus, boot: (p: BootstrapProgress, signal?: AbortSignal) => Promise<void>): Driver & { boots: number } {
  const d = {
    boots: 0,
    name,
    config: { name: 'n0', endpoint: 'e', driverOpts: {} },
    isMobyDriver: false,
    async bootstrap(p: BootstrapProgress, opts: { signal?: AbortSignal } = {}) { d.boots++; await boot(p, opts.signal); },
    async status() { return status; },
    async version() { return ''; },
    async features() { return new Set(); },
    async stop() {},
    async rm() {},
    async client() { throw new Error('unused'); },
    async openSession() { throw new Error('unused'); },
  };
  return d as unknown as Driver & { boots: number };
}

const vertexNames = (w: { all: SolveStatus[] }) => [...new Set(w.all.flatMap((s) => s.vertexes.map((v) => v.name)))];
const lastVertex = (w: { all: SolveStatus[] }) => w.all.flatMap((s) => s.vertexes).at(-1)!;

test('a running driver is not booted and shows nothing', async () => {
  const w = recorder();
  const d = fakeDriver('docker-container', 'running', async () => {});
  assert.equal(await bootDriver(d, w), false);
  assert.equal(d.boots, 0);
  assert.deepEqual(w.all, []);
});

test('an inactive docker-container node boots under "[internal] booting buildkit" with its sub-steps', async () => {
  const w = recorder();
  const d = fakeDriver('docker-container', 'inactive', async (p) => {
    await p.wrap('creating container buildx_buildkit_n0', async () => {});
    await p.wrap('starting container buildx_buildkit_n0', async () => {});
  });
  assert.equal(await bootDriver(d, w), true);
  assert.deepEqual(vertexNames(w), ['[internal] booting buildkit']);
  const rows = w.all.flatMap((s) => s.statuses).filter((s) => s.completed !== undefined).map((s) => s.id);
  assert.deepEqual(rows, ['creating container buildx_buildkit_n0', 'starting container buildx_buildkit_n0']);
  assert.ok(lastVertex(w).completed !== undefined && !lastVertex(w).error);
});

test('a remote node is waited for under buildx\'s "[internal] waiting for connection"', async () => {
  const w = recorder();
  await bootDriver(fakeDriver('remote', 'inactive', async () => {}), w);
  assert.deepEqual(vertexNames(w), ['[internal] waiting for connection']);
});

test('a failing bootstrap marks the vertex with the error and rethrows it with its logs', async () => {
  const w = recorder();
  const d = fakeDriver('docker-container', 'stopped', async (p) => {
    p.log(2, 'buildkitd: config: unknown key\n');
    throw new Error('buildkitd exited');
  });
  await assert.rejects(bootDriver(d, w), /buildkitd exited/);
  assert.equal(lastVertex(w).error, 'buildkitd exited');
  assert.equal(w.all.flatMap((s) => s.logs).map((l) => l.data.toString()).join(''), 'buildkitd: config: unknown key\n');
});

test('a deadline is reported as buildx\'s "context deadline exceeded", a user abort as canceled', async () => {
  const waitForAbort = async (_p: BootstrapProgress, signal?: AbortSignal) => {
    await new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new Error('dial aborted')), { once: true }));
  };
  const w = recorder();
  // AbortSignal.timeout does not keep the process alive by itself.
  const keepAlive = setTimeout(() => {}, 5000);
  await assert.rejects(bootDriver(fakeDriver('remote', 'inactive', waitForAbort), w, AbortSignal.timeout(20)), (err: Error) => {
    assert.equal(err.message, 'context deadline exceeded');
    assert.ok(!(err instanceof CanceledError));
    return true;
  });
  clearTimeout(keepAlive);
  assert.equal(lastVertex(w).error, 'context deadline exceeded');

  const w2 = recorder();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(bootDriver(fakeDriver('remote', 'inactive', waitForAbort), w2, ac.signal), CanceledError);
  assert.match(lastVertex(w2).error ?? '', /context canceled$/);
});

test('bootBuilder boots nodes in parallel and names the node that failed', async () => {
  const w = recorder();
  const ok = fakeDriver('docker-container', 'inactive', async () => {});
  const bad = fakeDriver('docker-container', 'inactive', async () => { throw new Error('no space left'); });
  const b: Builder = { name: 'b', driverName: 'docker-container', dockerContext: false, nodes: [
    { name: 'b0', endpoint: 'e0', driver: ok }, { name: 'b1', endpoint: 'e1', driver: bad },
  ] };
  await assert.rejects(bootBuilder(b, w), /^Error: failed to boot b1: no space left$|failed to boot b1: no space left/);
  assert.equal(ok.boots, 1);
  assert.equal(bad.boots, 1);
});
