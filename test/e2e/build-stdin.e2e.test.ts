// Build inputs from stdin: a Dockerfile with a directory context (-f -), a tar context (-), and a plain
// Dockerfile with no context at all (-).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, run, TEST_TIMEOUT, writeTree } from './helpers.js';

e2eSuitePerDriver('build: stdin', (ctx, d) => {
  it('-f - reads the Dockerfile from stdin and the context from the directory', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('stdin-df');
    // The context's own Dockerfile would fail: only the one on stdin may be used.
    await writeTree(dir, { 'data.txt': `data-${nonce}\n`, Dockerfile: `FROM ${d.baseImage}\nRUN echo wrong-dockerfile && exit 9\n` });
    const tag = ctx.tag('stdin-df');
    const r = await ctx.buildx(['build', '--progress=plain', '-f', '-', '-t', tag, ...d.loadArgs, dir], {
      input: `FROM ${d.baseImage}\nCOPY data.txt /data.txt\nRUN echo from-stdin-${nonce} > /which\n`,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(await ctx.runIn(tag, 'cat /data.txt /which'), `data-${nonce}\nfrom-stdin-${nonce}\n`);
  });

  for (const compress of [false, true]) {
    it(`- reads a ${compress ? 'gzip-compressed ' : ''}tar context from stdin`, { timeout: TEST_TIMEOUT }, async () => {
      const nonce = randomName();
      const dir = await ctx.tmp('stdin-tar');
      await writeTree(dir, {
        Dockerfile: `FROM ${d.baseImage}\nCOPY . /ctx\n`,
        'a.txt': `a-${nonce}\n`,
        'sub/b.txt': `b-${nonce}\n`,
      });
      const tarFile = `${ctx.path('ctx')}.tar${compress ? '.gz' : ''}`;
      const t = await run('tar', [compress ? '-czf' : '-cf', tarFile, '-C', dir, '.'], { timeoutMs: 30_000 });
      assert.equal(t.code, 0, describeRun(t));
      const tag = ctx.tag(compress ? 'stdin-tgz' : 'stdin-tar');
      const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, '-'], { input: readFileSync(tarFile), timeoutMs: 120_000 });
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(await ctx.runIn(tag, 'cat /ctx/a.txt /ctx/sub/b.txt'), `a-${nonce}\nb-${nonce}\n`);
    });
  }

  it('- with a tar context and -f picks that Dockerfile inside the archive', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('stdin-tar-f');
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\nRUN exit 9\n`,
      'docker/Other.Dockerfile': `FROM ${d.baseImage}\nCOPY x.txt /x.txt\n`,
      'x.txt': `x-${nonce}\n`,
    });
    const tarFile = `${ctx.path('ctx')}.tar`;
    assert.equal((await run('tar', ['-cf', tarFile, '-C', dir, '.'], { timeoutMs: 30_000 })).code, 0);
    const tag = ctx.tag('stdin-tar-f');
    const r = await ctx.buildx(['build', '--progress=plain', '-f', 'docker/Other.Dockerfile', '-t', tag, ...d.loadArgs, '-'], { input: readFileSync(tarFile), timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(await ctx.runIn(tag, 'cat /x.txt'), `x-${nonce}\n`);
  });

  it('- with a plain-text Dockerfile on stdin builds with an empty context', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const tag = ctx.tag('stdin-plain');
    // Run from a directory with files in it: none of them may end up in the context.
    const cwd = await ctx.tmp('stdin-plain-cwd');
    await writeTree(cwd, { 'stray.txt': 'must not be sent\n', Dockerfile: 'FROM scratch\n' });
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, '-'], {
      cwd,
      input: `FROM ${d.baseImage}\nCOPY . /ctx\nRUN echo plain-${nonce} > /marker\n`,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(await ctx.runIn(tag, 'cat /marker; ls -A /ctx | wc -l'), `plain-${nonce}\n0\n`);
  });

  it('refuses stdin for both the context and the Dockerfile', { timeout: TEST_TIMEOUT }, async () => {
    const r = await ctx.buildx(['build', '-f', '-', '-'], { input: `FROM ${d.baseImage}\n`, timeoutMs: 60_000 });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /^ERROR: .*stdin.*\n$/);
  });
});
