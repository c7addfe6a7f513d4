// Words that name no command, at every depth, standalone and through the docker CLI: the same error line and
// exit code as reference buildx, with the help of the deepest command that matched on stdout.
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';
import { REFERENCE_BUILDX } from './buildkitd-daemon.js';


/** Command paths with an unknown word, and the commands the help printed for them must list. */
const PATHS: { args: string[]; lists: string[] }[] = [
  { args: ['foo'], lists: ['build', 'create', 'dial-stdio', 'inspect', 'ls', 'rm', 'stop', 'use', 'version'] },
  { args: ['foo', 'bar'], lists: ['build', 'ls'] },
  { args: ['nosuch', '--builder', 'x'], lists: ['build', 'ls'] },
  { args: ['history', 'foo'], lists: ['export', 'import', 'inspect', 'logs', 'ls', 'open', 'rm', 'trace'] },
  { args: ['--builder', 'x', 'history', 'nosuch', 'deeper'], lists: ['ls', 'rm'] },
];

/** Arguments a command does not take: cobra's and docker's wordings, each where buildx uses it. */
const ARG_ERRORS: string[][] = [
  ['dial-stdio', 'foo'], ['du', 'foo'], ['prune', 'foo'], ['ls', 'foo'], ['history', 'ls', 'foo'], ['history', 'import', 'x'],
  ['history', 'inspect', 'a', 'b'], ['history', 'inspect', 'attachment', 'a', 'b', 'c'], ['history', 'logs', 'a', 'b'],
  ['history', 'open', 'a', 'b'], ['history', 'trace', 'a', 'b'], ['version', 'x'],
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

  it('a command group alone prints its help and exits 0, like cobra', { timeout: TEST_TIMEOUT }, async () => {
    const [ours, ref] = [await ctx.buildx(['history'], { timeoutMs: 30_000 }), await reference(['history'], false)];
    assert.equal(ref.code, 0, describeRun(ref));
    assert.equal(ours.code, 0, describeRun(ours));
    assert.equal(ours.stderr, '');
    for (const name of ['inspect', 'ls', 'rm']) assert.match(ours.stdout.toString('utf8'), new RegExp(`^\\s+${name}\\s`, 'm'));
  });

  for (const args of ARG_ERRORS) {
    for (const plugin of [false, true]) {
      it(`${plugin ? 'docker buildx' : 'buildx'} ${args.join(' ')}: the same refusal as buildx`, { timeout: TEST_TIMEOUT }, async () => {
        const ours = plugin ? await ctx.docker(['buildx', ...args], { timeoutMs: 30_000 }) : await ctx.buildx(args, { timeoutMs: 30_000 });
        const ref = await reference(args, plugin);
        assert.notEqual(ref.code, 0, `reference: ${describeRun(ref)}`);
        assert.equal(ours.code, ref.code, describeRun(ours));
        assert.equal(ours.stderr, ref.stderr, describeRun(ours));
        assert.equal(ours.stdout.length, 0);
      });
    }
  }
});
