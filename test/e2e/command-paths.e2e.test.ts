// Words that name no command, at every depth, standalone and through the docker CLI: the same error line and
// exit code as reference buildx, with the help of the deepest command that matched on stdout.
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';

const REFERENCE_BUILDX = join(process.env.TSBUILDX_STATE ?? '/var/lib/tsbuildx-env', 'bin', 'buildx');

/** Command paths with an unknown word, and the commands the help printed for them must list. */
const PATHS: { args: string[]; lists: string[] }[] = [
  { args: ['foo'], lists: ['build', 'create', 'dial-stdio', 'inspect', 'ls', 'rm', 'stop', 'use', 'version'] },
  { args: ['foo', 'bar'], lists: ['build', 'ls'] },
  { args: ['nosuch', '--builder', 'x'], lists: ['build', 'ls'] },
];

e2eSuite('unknown commands', (ctx) => {
  let referenceConfig = '';
  before(async () => {
    referenceConfig = await ctx.tmp('ref-docker-config');
    await mkdir(join(referenceConfig, 'cli-plugins'));
    await symlink(REFERENCE_BUILDX, join(referenceConfig, 'cli-plugins', 'docker-buildx'));
  });

  const reference = (args: string[], plugin: boolean): Promise<RunResult> => plugin
    ? run('docker', ['buildx', ...args], { env: { DOCKER_CONFIG: referenceConfig }, timeoutMs: 30_000 }, ctx.env)
    : run(REFERENCE_BUILDX, args, { timeoutMs: 30_000 }, ctx.env);

  for (const { args, lists } of PATHS) {
    for (const plugin of [false, true]) {
      it(`${plugin ? 'docker buildx' : 'buildx'} ${args.join(' ')}`, { timeout: TEST_TIMEOUT }, async () => {
        const ours = plugin ? await ctx.docker(['buildx', ...args], { timeoutMs: 30_000 }) : await ctx.buildx(args, { timeoutMs: 30_000 });
        const ref = await reference(args, plugin);
        assert.equal(ref.code, 1, `reference: ${describeRun(ref)}`);
        assert.equal(ours.code, ref.code, describeRun(ours));
        assert.equal(ours.stderr, ref.stderr, describeRun(ours));
        assert.doesNotMatch(ours.stderr, /"[^"]*:[^"]*"/, 'never an oclif topic:sub id');
        const help = ours.stdout.toString('utf8');
        for (const name of lists) assert.match(help, new RegExp(`^\\s+${name}\\s`, 'm'), `help lists ${name}:\n${help}`);
      });
    }
  }
});
