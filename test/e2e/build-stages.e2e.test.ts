// Multi-stage builds, on every driver: independent stages run in parallel, --build-arg and --target
// reach the frontend.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, parseRawJson, randomName, rfc3339Nanos, TEST_TIMEOUT, writeTree, type RawVertex } from './helpers.js';

e2eSuitePerDriver('build: stages', (ctx, d) => {
  it('runs two independent stages in parallel and the final image has both results', { timeout: TEST_TIMEOUT }, async () => {
    // The nonce keeps the RUN steps out of the build cache, so they really run.
    const nonce = randomName();
    const dir = await ctx.tmp('parallel');
    await writeTree(dir, {
      Dockerfile: [
        `FROM ${d.baseImage} AS left`,
        `RUN sleep 2 && echo left-${nonce} > /left.txt`,
        `FROM ${d.baseImage} AS right`,
        `RUN sleep 2 && echo right-${nonce} > /right.txt`,
        `FROM ${d.baseImage}`,
        'COPY --from=left /left.txt /left.txt',
        'COPY --from=right /right.txt /right.txt',
        '',
      ].join('\n'),
    });
    const tag = ctx.tag('parallel');
    const r = await ctx.buildx(['build', '--progress=rawjson', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.length, 0, 'rawjson progress goes to stderr, stdout stays empty');

    const { lines, vertices } = parseRawJson(r.stderr);
    assert.ok(lines.length > 0, 'some status lines');
    const byName = (needle: string): RawVertex => {
      const found = [...vertices.values()].filter((v) => v.name?.includes(needle));
      assert.equal(found.length, 1, `one vertex named like ${JSON.stringify(needle)}; got ${JSON.stringify([...vertices.values()].map((v) => v.name))}`);
      return found[0]!;
    };
    const left = byName(`RUN sleep 2 && echo left-${nonce}`);
    const right = byName(`RUN sleep 2 && echo right-${nonce}`);
    for (const v of [left, right]) {
      assert.ok(!v.cached, `${v.name} must really run`);
      assert.ok(!v.error, `${v.name} failed: ${v.error}`);
      assert.ok(v.started && v.completed, `${v.name} has started and completed times: ${JSON.stringify(v)}`);
    }
    const [ls, le, rs, re] = [left.started!, left.completed!, right.started!, right.completed!].map(rfc3339Nanos);
    assert.ok(ls! < le! && rs! < re!, 'intervals are well-formed');
    // Overlap: each started before the other completed. Sequential steps could not satisfy both.
    assert.ok(ls! < re! && rs! < le!, `RUN intervals overlap: left ${left.started}..${left.completed}, right ${right.started}..${right.completed}`);

    assert.equal(await ctx.runIn(tag, 'cat /left.txt /right.txt'), `left-${nonce}\nright-${nonce}\n`);
  });

  it('passes --build-arg KEY=VAL and bare KEY from the environment, and --target stops at that stage', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('args');
    await writeTree(dir, {
      Dockerfile: [
        `FROM ${d.baseImage} AS base`,
        'ARG FROM_FLAG',
        'ARG FROM_ENV',
        'ARG NOT_IN_ENV',
        'ARG WITH_DEFAULT=default-value',
        // ${X-unset} distinguishes "not set at all" from "set to empty".
        `RUN printf '%s|%s|%s|%s|${nonce}\\n' "$FROM_FLAG" "$FROM_ENV" "\${NOT_IN_ENV-unset}" "$WITH_DEFAULT" > /args`,
        'FROM base AS later',
        // Reaching this stage fails the build, and its marker would show in the progress output.
        `RUN echo later-stage-ran-${nonce} && exit 7`,
        '',
      ].join('\n'),
    });
    const tag = ctx.tag('args');
    const r = await ctx.buildx([
      'build', '--progress=plain', '--target', 'base', '-t', tag, ...d.loadArgs,
      '--build-arg', 'FROM_FLAG=a value=with equals',
      '--build-arg', 'FROM_ENV',
      '--build-arg', 'NOT_IN_ENV',
      dir,
    ], { env: { FROM_ENV: `env-${nonce}`, NOT_IN_ENV: undefined }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.doesNotMatch(r.stderr, new RegExp(`later-stage-ran-${nonce}`), 'the stage after --target must not run');
    assert.equal(await ctx.runIn(tag, 'cat /args'), `a value=with equals|env-${nonce}|unset|default-value|${nonce}\n`);
    // The image is the target stage's: the failing later stage has no say in it.
    assert.equal(await ctx.runIn(tag, 'test -e /args && echo ok'), 'ok\n');
  });

  it('without --target the later stage runs (so the --target test can fail)', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('notarget');
    await writeTree(dir, {
      Dockerfile: [`FROM ${d.baseImage} AS base`, `RUN echo base-${nonce}`, 'FROM base AS later', `RUN echo later-stage-ran-${nonce} && exit 7`, ''].join('\n'),
    });
    const r = await ctx.buildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, new RegExp(`later-stage-ran-${nonce}`));
  });
});
