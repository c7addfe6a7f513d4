// Booting a docker-container node against a scripted engine: image fallback, config copy, the
// create race between processes, readiness back-off and the failure report with the container's logs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { ExecResult } from '../../../../src/docker/exec.js';
import type { BootstrapProgress } from '../../../../src/drivers/driver.js';
import type { ContainerState } from '../../../../src/drivers/docker-container/engine.js';
import { bootContainer, type BootEngine, type BootTiming } from '../../../../src/drivers/docker-container/boot.js';
import { githubActionsContext } from '../../../../src/drivers/docker-container/gha.js';
import { parseContainerOptions } from '../../../../src/drivers/docker-container/options.js';
import type { ContainerCreateBody } from '../../../../src/drivers/docker-container/spec.js';

const NAME = 'buildx_buildkit_b0';
const FAST: BootTiming = { readyAttempts: 16, readyBackoffMs: 1, probeTimeoutMs: 1000, creatorGraceMs: 300, creatorPollMs: 10 };
const TOML = '[registry."127.0.0.1:5000"]\n  http = true\n';

class FakeEngine implements BootEngine {
  calls: string[] = [];
  container?: ContainerState;
  pullFails = true;
  localImages = new Set(['moby/buildkit:buildx-stable-1']);
  /** create answers 409: another process made the container (in `created` state) a moment ago. */
  takenBySomeoneElse = false;
  /** Inspections of a `created` container before its (simulated) creator starts it; Infinity = never. */
  creatorStartsAfter = Infinity;
  /** Inspections that still miss a container whose name is already taken (the engine is mid-create). */
  hiddenFor = 0;
  created?: ContainerCreateBody;
  archives: { dir: string; tar: Buffer }[] = [];
  logLines = ['time="…" level=info msg="starting"', 'MARKER: buildkitd exited'];
  private inspections = 0;

  async inspect(name: string): Promise<ContainerState | undefined> {
    this.calls.push(`inspect ${name}`);
    if (this.hiddenFor > 0 && this.hiddenFor--) return undefined;
    if (this.container?.status === 'created' && ++this.inspections > this.creatorStartsAfter) {
      this.container = { ...this.container, status: 'running', running: true };
    }
    return this.container && { ...this.container };
  }
  async info() { return { cgroupDriver: 'cgroupfs', userns: false }; }
  async gpusAvailable() { return false; }
  async imagePresent(ref: string) { return this.localImages.has(ref); }
  async pull(ref: string) {
    this.calls.push(`pull ${ref}`);
    if (this.pullFails) throw new Error('Error response from daemon: no such host');
  }
  async create(name: string, body: ContainerCreateBody) {
    this.calls.push(`create ${name}`);
    if (this.takenBySomeoneElse) {
      this.container = { id: 'other', status: 'created', running: false, volumes: [] };
      return false;
    }
    this.created = body;
    this.container = { id: 'c1', status: 'created', running: false, volumes: [`${name}_state`] };
    return true;
  }
  async putArchive(name: string, dir: string, tar: Readable) {
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    this.calls.push(`archive ${name} ${dir}`);
    this.archives.push({ dir, tar: Buffer.concat(chunks) });
  }
  async start(name: string) {
    this.calls.push(`start ${name}`);
    this.container = { ...this.container!, status: 'running', running: true };
  }
  async logs(_name: string, tail: number, onFrame: (stream: number, data: Buffer) => void) {
    this.calls.push(`logs ${tail}`);
    for (const l of this.logLines) onFrame(2, Buffer.from(`${l}\n`));
  }
}

function recorder(): BootstrapProgress & { steps: string[]; logs: string[] } {
  const steps: string[] = [];
  const logs: string[] = [];
  return {
    steps,
    logs,
    wrap: (name, fn) => { steps.push(name); return fn(); },
    log: (stream, data) => { logs.push(`${stream}:${data.toString()}`); },
  };
}

/** A readiness probe that fails `failures` times, then succeeds. */
function probe(failures: number, fail: () => Promise<ExecResult> = async () => ({ exitCode: 1, stdout: '', stderr: 'connection refused\n' })) {
  const seen: number[] = [];
  const t0 = Date.now();
  return {
    seen,
    run: async (cmd: string[]): Promise<ExecResult> => {
      assert.deepEqual(cmd, ['buildctl', 'debug', 'workers']);
      seen.push(Date.now() - t0);
      return seen.length > failures ? { exitCode: 0, stdout: 'ID\n', stderr: '' } : fail();
    },
  };
}

function ctx(engine: FakeEngine, run: (cmd: string[], s: AbortSignal) => Promise<ExecResult>, extra: { driverOpts?: Record<string, string>; files?: Record<string, string>; signal?: AbortSignal } = {}) {
  const progress = recorder();
  return {
    progress,
    boot: () => bootContainer({
      cfg: { name: 'b0', endpoint: 'unix:///var/run/docker.sock', driverOpts: extra.driverOpts ?? {}, flags: ['--debug'], files: extra.files },
      opts: parseContainerOptions(extra.driverOpts ?? {}), engine, run, container: NAME, progress, signal: extra.signal, timing: FAST,
    }),
  };
}

describe('docker-container bootstrap', () => {
  it('creates the container from the local image when the pull fails, copies the config in, starts it and waits', async () => {
    const e = new FakeEngine();
    const p = probe(3);
    const c = ctx(e, p.run, { files: { 'buildkitd.toml': Buffer.from(TOML).toString('base64') } });
    await c.boot();
    assert.deepEqual(c.progress.steps, [
      'pulling image moby/buildkit:buildx-stable-1', 'using local image moby/buildkit:buildx-stable-1', `creating container ${NAME}`,
    ]);
    assert.deepEqual(e.calls.filter((x) => !x.startsWith('inspect')), [
      'pull moby/buildkit:buildx-stable-1', `create ${NAME}`, `archive ${NAME} /etc`, `start ${NAME}`,
    ]);
    assert.deepEqual(e.created?.Cmd, ['--config', '/etc/buildkit/buildkitd.toml', '--debug']);
    assert.equal(e.created?.HostConfig.CgroupParent, '/docker/buildx');
    // The archive unpacks to /etc/buildkit/buildkitd.toml.
    const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-boot-'));
    try {
      await writeFile(join(dir, 'a.tar'), e.archives[0]!.tar);
      assert.equal(execFileSync('tar', ['-xOf', join(dir, 'a.tar'), 'buildkit/buildkitd.toml'], { encoding: 'utf8' }), TOML);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(p.seen.length, 4);
  });

  it('pulls without the local-image step when the pull works, and copies nothing without files', async () => {
    const e = new FakeEngine();
    e.pullFails = false;
    const c = ctx(e, probe(0).run);
    await c.boot();
    assert.deepEqual(c.progress.steps, ['pulling image moby/buildkit:buildx-stable-1', `creating container ${NAME}`]);
    assert.equal(e.archives.length, 0);
  });

  it('fails with a clear error when the image can be neither pulled nor found', async () => {
    const e = new FakeEngine();
    const c = ctx(e, probe(0).run, { driverOpts: { image: 'nowhere/buildkit:x' } });
    await assert.rejects(c.boot(), {
      message: `cannot create container ${NAME}: image nowhere/buildkit:x could not be pulled and is not available locally: Error response from daemon: no such host`,
    });
    assert.ok(!e.calls.some((x) => x.startsWith('create')));
  });

  it('starts an existing stopped container without creating anything', async () => {
    const e = new FakeEngine();
    e.container = { id: 'c1', status: 'exited', running: false, volumes: [] };
    const c = ctx(e, probe(1).run);
    await c.boot();
    assert.deepEqual(c.progress.steps, [`starting container ${NAME}`]);
    assert.deepEqual(e.calls.filter((x) => !x.startsWith('inspect')), [`start ${NAME}`]);
  });

  it('leaves a container another process just created to that process, then waits for buildkitd', async () => {
    const e = new FakeEngine();
    e.takenBySomeoneElse = true;
    e.creatorStartsAfter = 3;
    const c = ctx(e, probe(2).run, { files: { 'buildkitd.toml': 'eA==' } });
    await c.boot();
    assert.deepEqual(e.calls.filter((x) => !x.startsWith('inspect')), ['pull moby/buildkit:buildx-stable-1', `create ${NAME}`]);
  });

  it('waits for a container whose name is taken but which cannot be inspected yet', async () => {
    const e = new FakeEngine();
    e.takenBySomeoneElse = true;
    e.creatorStartsAfter = 2;
    const c = ctx(e, probe(0).run);
    const create = e.create.bind(e);
    e.create = async (name, body) => {
      const r = await create(name, body);
      e.hiddenFor = 4;
      return r;
    };
    await c.boot();
    assert.equal(e.hiddenFor, 0);
    assert.ok(!e.calls.some((x) => x.startsWith('start')));
  });

  it('takes over a container whose creator went away before starting it', async () => {
    const e = new FakeEngine();
    e.takenBySomeoneElse = true;
    const c = ctx(e, probe(0).run, { files: { 'buildkitd.toml': 'eA==' } });
    const t0 = Date.now();
    await c.boot();
    assert.ok(Date.now() - t0 >= FAST.creatorGraceMs);
    assert.deepEqual(e.calls.filter((x) => !x.startsWith('inspect')), [
      'pull moby/buildkit:buildx-stable-1', `create ${NAME}`, `archive ${NAME} /etc`, `start ${NAME}`,
    ]);
  });

  it('backs off k×step between tries and gives up after the 16th with the container log in the error', async () => {
    const e = new FakeEngine();
    const p = probe(Infinity, async () => { throw new Error('Error response from daemon: Container abc is restarting, wait until the container is running'); });
    const c = ctx(e, p.run);
    const err = await c.boot().then(() => undefined, (x: unknown) => x as Error);
    assert.ok(err);
    assert.equal(p.seen.length, 16);
    const lines = err.message.split('\n');
    assert.match(lines[0]!, new RegExp(`^buildkitd in container ${NAME} did not become ready \\(16 attempts, [\\d.]+s\\): Error response from daemon: Container abc is restarting`));
    assert.deepEqual(lines.slice(1), ["last 2 lines of the container's log:", '  time="…" level=info msg="starting"', '  MARKER: buildkitd exited']);
    assert.deepEqual(c.progress.logs, ['2:time="…" level=info msg="starting"\n', '2:MARKER: buildkitd exited\n']);
    // The pauses, k×step for k = 1..15, are the least the tries can have taken.
    assert.ok(p.seen[15]! >= 120 * FAST.readyBackoffMs, `${p.seen}`);
  });

  it('stops trying once the container has exited for good', async () => {
    const e = new FakeEngine();
    e.pullFails = false;
    const p = probe(Infinity, async () => {
      e.container = { ...e.container!, status: 'exited', running: false };
      throw new Error('Error response from daemon: Container abc is not running');
    });
    const c = ctx(e, p.run, { driverOpts: { 'restart-policy': 'no' } });
    await assert.rejects(c.boot(), /did not become ready \(1 attempts/);
    assert.equal(p.seen.length, 1);
  });

  it('stops at once when the caller cancels', async () => {
    const e = new FakeEngine();
    const ac = new AbortController();
    const p = probe(Infinity, async () => {
      ac.abort();
      return { exitCode: 1, stdout: '', stderr: '' };
    });
    const c = ctx(e, p.run, { signal: ac.signal });
    await assert.rejects(c.boot(), (err: Error) => err.name === 'AbortError');
    assert.equal(p.seen.length, 1);
    assert.ok(!e.calls.some((x) => x.startsWith('logs')));
  });
});

describe('GitHub Actions provenance context', () => {
  it('is written only inside GitHub Actions with a readable event', async () => {
    assert.equal(await githubActionsContext({}), undefined);
    assert.equal(await githubActionsContext({ GITHUB_ACTIONS: 'false', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: '/x' }), undefined);
    assert.equal(await githubActionsContext({ GITHUB_ACTIONS: 'true' }), undefined);
    const dir = await mkdtemp(join(tmpdir(), 'tsbuildx-gha-'));
    try {
      const ev = join(dir, 'event.json');
      await writeFile(ev, JSON.stringify({ ref: 'refs/heads/main', z: 1, a: '<b>' }));
      const out = await githubActionsContext({
        GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: ev,
        GITHUB_ACTOR: 'me', GITHUB_ACTOR_ID: '1', GITHUB_TRIGGERING_ACTOR: 'me', GITHUB_REF: 'refs/heads/main',
      });
      assert.equal(out?.toString(),
        '{"github_actor":"me","github_actor_id":"1","github_event_name":"push","github_event_payload":{"a":"\\u003cb\\u003e","ref":"refs/heads/main","z":1},"github_triggering_actor":"me"}');
      await assert.rejects(githubActionsContext({ GITHUB_ACTIONS: '1', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: join(dir, 'missing') }), /failed to read GITHUB_EVENT_PATH/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
