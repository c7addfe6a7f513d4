// Failing builds and bad input: exit codes (cli.md §6), one clear error line, and nothing left on disk.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { e2eSuitePerDriver, type E2EDriver } from './drivers.js';
import { describeRun, randomName, TEST_TIMEOUT, writeTree, type RunResult } from './helpers.js';

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('ERROR: '));

e2eSuitePerDriver('build: failing RUN', (ctx, d) => {
  it('exits 1 with the error block, the daemon message and no result files', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('failing');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo before-${nonce}\nRUN echo output-${nonce} && exit 3\n` });
    const out = await ctx.tmp('failing-out');
    const iidfile = join(out, 'iid');
    const metadataFile = join(out, 'metadata.json');
    const r = await ctx.buildx(['build', '--progress=plain', '--iidfile', iidfile, '--metadata-file', metadataFile, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, `a failing RUN exits 1, not the step's code: ${describeRun(r)}`);
    assert.equal(r.stdout.length, 0);
    const cmd = `RUN echo output-${nonce} && exit 3`;
    // The error block after the progress: framed vertex name with its last log lines.
    const block = new RegExp(`\\n------\\n > \\[\\d+/\\d+\\] ${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\n(?:\\d+\\.\\d+ .*\\n)*------\\n`);
    assert.match(r.stderr, block);
    assert.match(r.stderr, new RegExp(`\\n------\\n > [^\\n]*:\\n\\d+\\.\\d+ output-${nonce}\\n`), 'the failing step\'s log is repeated in the block');
    const errs = errorLines(r.stderr);
    assert.equal(errs.length, 1, `one ERROR line: ${r.stderr}`);
    assert.match(errs[0]!, /^ERROR: failed to build: failed to solve: .*exit code: 3$/);
    assert.ok(r.stderr.endsWith(`${errs[0]}\n`), 'the ERROR line comes last');
    // buildkitd sends the failing step's source location and buildx prints the Dockerfile excerpt above
    // ERROR; dockerd 20.10's BuildKit v0.8 sends none, and buildx prints none there either.
    if (d.classicEngine) {
      assert.doesNotMatch(r.stderr, /\nDockerfile:\d+\n/, describeRun(r));
    } else {
      assert.match(r.stderr, /\nDockerfile:3\n-{20}\n/, describeRun(r));
      assert.match(r.stderr, new RegExp(`\\n {3}3 \\| >>> ${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`), 'the failing line is marked');
    }
    assert.ok(!existsSync(iidfile), 'no iidfile after a failed build');
    assert.ok(!existsSync(metadataFile), 'no metadata file after a failed build');
  });
});

interface BadCase {
  name: string;
  /** Arguments after `build`; CTX is replaced by a valid context directory. */
  args: string[];
  /** Must appear in the one error line. */
  message: RegExp;
  /** Exit code through `docker buildx` (standalone is always 1). */
  pluginCode: number;
  env?: Record<string, string>;
  /** Docker global flags for the plugin run (instead of `env`). */
  dockerGlobals?: string[];
  /** The case itself sets an output, so no extra `-o` run. */
  ownsOutput?: boolean;
  /** Whether the context holds a broken Dockerfile. */
  brokenDockerfile?: boolean;
  /** Only the docker driver on dockerd 20.10 refuses it. */
  classicEngineOnly?: boolean;
  /** The lines buildx prints after the ERROR line (a multi-line message). */
  trailer?: string;
  /** Only for builders on this driver (the case is about it), default every driver. */
  driver?: E2EDriver;
}

const CASES: BadCase[] = [
  { name: 'unknown flag', args: ['--no-such-flag', 'CTX'], message: /unknown flag: --no-such-flag/, pluginCode: 125 },
  { name: 'bad flag value (--shm-size)', args: ['--shm-size', 'lots', 'CTX'], message: /"?lots"?/, pluginCode: 125 },
  { name: 'empty output type', args: ['-o', 'type=', 'CTX'], message: /type is required for output/, pluginCode: 1, ownsOutput: true },
  { name: 'output without type', args: ['-o', 'dest=OUT,compression=gzip', 'CTX'], message: /type is required for output/, pluginCode: 1, ownsOutput: true },
  { name: 'unknown output type', args: ['-o', 'type=nosuchexporter,dest=OUT', 'CTX'], message: /nosuchexporter/, pluginCode: 1, ownsOutput: true },
  { name: 'malformed platform', args: ['--platform', 'linux/', 'CTX'], message: /"linux\/"/, pluginCode: 1 },
  { name: 'missing context directory', args: ['MISSING'], message: /unable to prepare context: path ".*no-such-context-dir.*" not found/, pluginCode: 1 },
  { name: 'unknown builder', args: ['--builder', 'nope', 'CTX'], message: /no builder "nope" found/, pluginCode: 1 },
  // Refused before anything is sent, as buildx refuses them (issue 20): a build must never run without a
  // secret the user named, nor create a cache directory for a build that cannot start.
  { name: 'secret file missing', args: ['--secret', 'id=x,src=/nonexistent-e2e-secret', 'CTX'], message: /^ERROR: failed to build: failed to stat \/nonexistent-e2e-secret: stat \/nonexistent-e2e-secret: no such file or directory$/, pluginCode: 1 },
  { name: 'registry cache import without ref', args: ['--cache-from', 'type=registry', 'CTX'], message: /^ERROR: failed to build: registry cache importer requires ref$/, pluginCode: 1 },
  {
    name: 'registry cache import without ref, with a local cache export', args: ['--cache-to', 'type=local,dest=OUT', '--cache-from', 'type=registry', 'CTX'],
    message: /^ERROR: failed to build: registry cache importer requires ref$/, pluginCode: 1, ownsOutput: true, driver: 'docker-container',
  },
  { name: 'ssh key file missing', args: ['--ssh', 'id=/nonexistent-e2e-key', 'CTX'], message: /^ERROR: failed to build: failed to convert agent config \{id \[\/nonexistent-e2e-key\] false\}: failed to convert agent config for ID: "id": stat \/nonexistent-e2e-key: no such file or directory$/, pluginCode: 1 },
  { name: 'local cache import without src', args: ['--cache-from', 'type=local', 'CTX'], message: /^ERROR: failed to build: local cache importer requires src$/, pluginCode: 1 },
  { name: 'cache export on the docker driver', args: ['--cache-to', 'type=local,dest=OUT', 'CTX'], message: /^ERROR: failed to build: Cache export is not supported for the docker driver\.$/, pluginCode: 1, ownsOutput: true, driver: 'docker',
    // dockerd v28's containerd image store exports caches (docker-engines.e2e.test.ts)
    classicEngineOnly: true,
    trailer: 'Switch to a different driver, or turn on the containerd image store, and try again.\nLearn more at https://docs.docker.com/go/build-cache-backends/\n' },
  { name: 'Dockerfile syntax error', args: ['CTX'], message: /unknown instruction: BOGUSINSTRUCTION/i, pluginCode: 1, brokenDockerfile: true },
  {
    name: 'unreachable daemon', args: ['CTX'], message: /^ERROR: failed to connect to the docker API at unix:\/\/\/nonexistent-e2e\.sock; check if the path is correct and if the daemon is running: dial unix \/nonexistent-e2e\.sock: connect: no such file or directory$/m, pluginCode: 1,
    env: { DOCKER_HOST: 'unix:///nonexistent-e2e.sock' }, dockerGlobals: ['-H', 'unix:///nonexistent-e2e.sock'],
    // A docker-container or remote node keeps the endpoint it was created with, so buildx builds there
    // whatever DOCKER_HOST says (the test below checks that).
    driver: 'docker',
  },
];

e2eSuitePerDriver('build: bad input', (ctx, d) => {
  for (const c of CASES.filter((x) => (!x.driver || x.driver === d.name) && (!x.classicEngineOnly || d.classicEngine))) {
    for (const mode of ['standalone', 'standalone -o local', 'plugin'] as const) {
      if (mode === 'standalone -o local' && c.ownsOutput) continue;
      it(`${c.name} (${mode})`, { timeout: TEST_TIMEOUT }, async () => {
        const dir = await ctx.tmp('bad');
        await writeTree(dir, {
          Dockerfile: c.brokenDockerfile ? `FROM ${d.baseImage}\nBOGUSINSTRUCTION foo\n` : `FROM ${d.baseImage}\nRUN echo fine\n`,
        });
        const out = await ctx.tmp('bad-out');
        const iidfile = join(out, 'iid');
        const metadataFile = join(out, 'metadata.json');
        const outDir = join(out, 'dest');
        const args = c.args.map((a) => a === 'CTX' ? dir : a === 'MISSING' ? join(out, 'no-such-context-dir') : a.replace('OUT', outDir));
        const extra = mode === 'standalone -o local'
          ? ['-o', `type=local,dest=${outDir}`, '--metadata-file', metadataFile]
          : ['--iidfile', iidfile, '--metadata-file', metadataFile];
        // Put our extra flags first so positional/flag order of the case is kept.
        const full = ['build', '--progress=plain', ...extra, ...args];
        let r: RunResult;
        if (mode === 'plugin') {
          r = await ctx.docker([...(c.dockerGlobals ?? []), 'buildx', ...full], { env: c.dockerGlobals ? {} : c.env, timeoutMs: 60_000 });
        } else {
          r = await ctx.buildx(full, { env: c.env, timeoutMs: 60_000 });
        }
        const want = mode === 'plugin' ? c.pluginCode : 1;
        assert.equal(r.code, want, `exit ${want} expected: ${describeRun(r)}`);
        assert.equal(r.stdout.length, 0, `nothing on stdout: ${describeRun(r)}`);
        if (want === 125) {
          // docker/cli's StatusError shape: the message, usage, and a pointer to --help; no ERROR: prefix.
          const first = r.stderr.split('\n')[0]!;
          assert.match(first, c.message, describeRun(r));
          assert.doesNotMatch(first, /^ERROR:/);
          assert.match(r.stderr, /\nUsage: {2}docker buildx build \[OPTIONS\] PATH \| URL \| -\n/);
          assert.match(r.stderr, /Run 'docker buildx build --help' for more information\n$/);
        } else {
          const errs = errorLines(r.stderr);
          assert.equal(errs.length, 1, `exactly one ERROR line: ${describeRun(r)}`);
          assert.match(errs[0]!, c.message);
          assert.ok(r.stderr.endsWith(`${errs[0]}\n${c.trailer ?? ''}`), `the ERROR line comes last: ${describeRun(r)}`);
        }
        assert.ok(!existsSync(iidfile), 'no iidfile written');
        assert.ok(!existsSync(metadataFile), 'no metadata file written');
        assert.ok(!existsSync(outDir), 'no output directory created');
      });
    }
  }

  if (!d.isMoby) {
    it('a builder with an endpoint of its own builds whatever DOCKER_HOST says, as buildx does', { timeout: TEST_TIMEOUT }, async () => {
      const dir = await ctx.tmp('own-endpoint');
      await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo fine\n` });
      const dest = join(await ctx.tmp('own-endpoint-out'), 'dest');
      const r = await ctx.buildx(['build', '--progress=plain', '-o', `type=local,dest=${dest}`, dir], { env: { DOCKER_HOST: 'unix:///nonexistent-e2e.sock' }, timeoutMs: 120_000 });
      assert.equal(r.code, 0, describeRun(r));
      assert.ok(existsSync(join(dest, 'bin', 'sh')), 'the result arrived');
    });
  }
}, { concurrency: 4 });
