// Ctrl-C during a build, on every driver: exit 130, the step's process goes away, and the daemon records the
// build as canceled (buildkitd's history; the engine's BuildKit v0.8 keeps none: no container is left there).
// How fast the client exits is a figure of bench/cancel.mjs, not a limit here.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILDCTL } from './buildkitd-daemon.js';
import { e2eSuitePerDriver, type DriverUnderTest } from './drivers.js';
import { describeRun, findProcesses, poll, randomName, run, TEST_TIMEOUT, writeTree, type E2E, type Running } from './helpers.js';

/** The build's RUN step runs as a host process `sleep <secs>`; a unique duration makes it ours alone. */
function uniqueSleep(): string {
  return String(100_000 + Math.floor(Math.random() * 800_000));
}

/** Running containers whose command mentions our unique sleep (other users of the daemon may run their own). */
async function containersRunning(ctx: E2E, secs: string): Promise<string[]> {
  const ps = (await ctx.dockerOk(['ps', '--no-trunc', '--format', '{{.ID}} {{.Command}}'])).toString('utf8');
  return ps.split('\n').filter((l) => l.includes(`sleep ${secs}`));
}

/**
 * Waits until the RUN step is really running (its marker is logged and its sleep process exists), sends
 * SIGINT, and checks exit 130 within the grace period and that the step's process goes away. Returns the
 * step's process id.
 */
async function interruptRunningStep(child: Running, marker: string, secs: string, how: 'child' | 'group', previousPids: number[] = []): Promise<number> {
  try {
    await child.waitForStderr(new RegExp(`#\\d+ \\d+\\.\\d+ ${marker}\\n`), 60_000);
    const pids = await poll(() => findProcesses(['sleep', secs]), (p) => p.length > 0, 15_000);
    assert.equal(pids.length, 1, `one step process 'sleep ${secs}' while the build runs`);
    assert.ok(!previousPids.includes(pids[0]!), 'a fresh step process, not a leftover');

    if (how === 'child') child.kill('SIGINT');
    else child.killGroup('SIGINT');
    // Only a guard against a client that never exits; the latency is measured in bench/cancel.mjs.
    const r = await child.resultWithin(60_000);
    assert.ok(r, `still running 60 s after SIGINT; stderr so far:\n${child.stderrSoFar()}`);
    assert.equal(r.code, 130, `exit 130 after SIGINT: ${describeRun(r)}`);
    assert.match(r.stderr, /ERROR: .*cancel/i, describeRun(r));
    const left = await poll(() => findProcesses(['sleep', secs]), (p) => p.length === 0, 10_000);
    assert.deepEqual(left, [], 'the step process is gone: the daemon stopped the build');
    return pids[0]!;
  } finally {
    // Whatever failed above, leave no client (and so no build) running: ending the client ends its session.
    child.killGroup('SIGKILL');
  }
}

/** The ref of the run's newest build, from the local state buildx keeps (refs/<builder>/<node>/<ref>). */
function lastBuildRef(ctx: E2E, d: DriverUnderTest): string {
  const dir = join(ctx.dockerConfig, 'buildx', 'refs', d.builder, d.nodeName);
  const refs = readdirSync(dir).map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => b.at - a.at);
  assert.ok(refs.length > 0, `no local build state in ${dir}`);
  return refs[0]!.name;
}

interface HistoryRecord { Ref: string; CompletedAt?: unknown; error?: { code?: number; message?: string } }

/**
 * What the daemon recorded for build `ref` (buildkitd's history API: `buildctl debug histories`, inside the
 * builder's container for docker-container).
 */
async function daemonRecord(ctx: E2E, d: DriverUnderTest, ref: string): Promise<HistoryRecord | undefined> {
  const args = ['debug', 'histories', '--format', 'json'];
  const r = d.name === 'remote'
    ? await run(BUILDCTL, ['--addr', d.endpoint, ...args], { timeoutMs: 30_000 })
    : await ctx.docker(['exec', `buildx_buildkit_${d.builder}0`, 'buildctl', ...args], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, describeRun(r));
  const records = r.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { record: HistoryRecord }).record);
  return records.find((x) => x.Ref === ref);
}

/** The daemon saw the build end canceled: no step left running there, whoever looks. */
async function assertDaemonCanceled(ctx: E2E, d: DriverUnderTest, secs: string): Promise<void> {
  if (d.isMoby) {
    assert.deepEqual(await containersRunning(ctx, secs), [], 'no container left behind');
    return;
  }
  const ref = lastBuildRef(ctx, d);
  const rec = await poll(() => daemonRecord(ctx, d, ref), (x) => x?.CompletedAt !== undefined, 15_000);
  assert.ok(rec?.CompletedAt, `the daemon completed build ${ref}: ${JSON.stringify(rec)}`);
  // gRPC code 1 is CANCELLED: the client's cancel reached the solve, it did not fail on its own.
  assert.deepEqual([rec.error?.code, rec.error?.message], [1, 'context canceled'], JSON.stringify(rec));
}

e2eSuitePerDriver('build: cancel', (ctx, d) => {
  it('SIGINT during RUN exits 130, stops the step, and an identical build is not blocked', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const secs = uniqueSleep();
    const marker = `sleeping-${nonce}`;
    const dir = await ctx.tmp('cancel');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo ${marker} && sleep ${secs}\n` });

    const first = ctx.startBuildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    const firstPid = await interruptRunningStep(first, marker, secs, 'child');
    await assertDaemonCanceled(ctx, d, secs);

    // Had the daemon kept the canceled step alive, this build would attach to it instead of starting a new one.
    const second = ctx.startBuildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    await interruptRunningStep(second, marker, secs, 'child', [firstPid]);
    await assertDaemonCanceled(ctx, d, secs);
  });

  for (const how of ['group', 'child'] as const) {
    const what = how === 'group'
      ? 'Ctrl-C (SIGINT to the process group) during `docker buildx build`'
      : 'SIGINT to the docker CLI alone (it closes the plugin socket)';
    it(`${what}: exit 130 and the step stops`, { timeout: TEST_TIMEOUT }, async () => {
      const nonce = randomName();
      const secs = uniqueSleep();
      const marker = `plugin-sleeping-${nonce}`;
      const dir = await ctx.tmp('cancel-plugin');
      await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo ${marker} && sleep ${secs}\n` });
      const child = ctx.startDocker(['buildx', 'build', '--progress=plain', dir], { timeoutMs: 120_000 });
      await interruptRunningStep(child, marker, secs, how);
      await assertDaemonCanceled(ctx, d, secs);
    });
  }
});
