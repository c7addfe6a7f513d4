// Ctrl-C during a build: exit 130 quickly, and the daemon must not keep running the step.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BASE_IMAGE, describeRun, e2eSuite, findProcesses, poll, randomName, TEST_TIMEOUT, writeTree, type E2E, type Running } from './helpers.js';

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

    const t0 = Date.now();
    if (how === 'child') child.kill('SIGINT');
    else child.killGroup('SIGINT');
    const r = await child.resultWithin(10_000);
    assert.ok(r, `still running 10 s after SIGINT; stderr so far:\n${child.stderrSoFar()}`);
    const elapsed = r.exitedAt - t0;
    assert.equal(r.code, 130, `exit 130 after SIGINT: ${describeRun(r)}`);
    assert.ok(elapsed < 3500, `exited ${elapsed} ms after SIGINT (limit ~3 s)`);
    assert.match(r.stderr, /ERROR: .*cancel/i, describeRun(r));
    const left = await poll(() => findProcesses(['sleep', secs]), (p) => p.length === 0, 10_000);
    assert.deepEqual(left, [], 'the step process is gone: the daemon stopped the build');
    return pids[0]!;
  } finally {
    // Whatever failed above, leave no client (and so no build) running: ending the client ends its session.
    child.killGroup('SIGKILL');
  }
}

e2eSuite('build: cancel', (ctx) => {
  it('SIGINT during RUN exits 130, stops the step, and an identical build is not blocked', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const secs = uniqueSleep();
    const marker = `sleeping-${nonce}`;
    const dir = await ctx.tmp('cancel');
    await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${marker} && sleep ${secs}\n` });

    const first = ctx.startBuildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    const firstPid = await interruptRunningStep(first, marker, secs, 'child');
    assert.deepEqual(await containersRunning(ctx, secs), [], 'no container left behind');

    // Had the daemon kept the canceled step alive, this build would attach to it instead of starting a new one.
    const second = ctx.startBuildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    await interruptRunningStep(second, marker, secs, 'child', [firstPid]);
    assert.deepEqual(await containersRunning(ctx, secs), [], 'no container left behind');
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
      await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${marker} && sleep ${secs}\n` });
      const child = ctx.startDocker(['buildx', 'build', '--progress=plain', dir], { timeoutMs: 120_000 });
      await interruptRunningStep(child, marker, secs, how);
    });
  }
});
