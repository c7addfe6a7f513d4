// `--progress=plain` on a real build follows BuildKit's plain grammar (protocol.md §5.2).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BASE_IMAGE, describeRun, e2eSuite, randomName, TEST_TIMEOUT, writeTree } from './helpers.js';

/** Every line plain mode may print (protocol.md §5.2); anything else is a grammar violation. */
const LINE = new RegExp([
  '^$',
  '^#0 building with "default" instance using docker driver$',
  '^#\\d+ \\S.*$', // header, status, log, warning, end lines all start with the vertex index
  '^------$', // error block frame
  '^ > .*:$', // error block title
  '^(WARNING|ERROR): .*$',
].join('|'));

function vertexIndex(stderr: string, nameRe: RegExp): string {
  const re = new RegExp(`^#(\\d+) ${nameRe.source}$`, 'm');
  const m = re.exec(stderr);
  assert.ok(m, `a vertex header matching ${re}:\n${stderr}`);
  return m[1]!;
}

e2eSuite('build: plain progress', (ctx) => {
  it('prints the preamble, vertex blocks, timed logs and DONE/CACHED lines', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('plain');
    await writeTree(dir, {
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo hello-${nonce} && echo second-line-${nonce}\n`,
    });
    const tag = ctx.tag('plain');
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    // The progress proper ends where the end-of-build summary (tested in build-summary) begins.
    const cut = r.stderr.indexOf('\nSummary: ');
    assert.ok(cut > 0, `a summary after the progress:\n${r.stderr}`);
    const err = r.stderr.slice(0, cut + 1);
    assert.ok(err.startsWith('#0 building with "default" instance using docker driver\n\n#'), `preamble:\n${err}`);
    for (const line of err.split('\n')) assert.match(line, LINE, `plain grammar:\n${err}`);
    assert.ok(err.endsWith('\n') && !err.endsWith('\n\n\n'), 'output ends with one block end');

    const def = vertexIndex(err, /\[internal\] load build definition from Dockerfile/);
    assert.match(err, new RegExp(`^#${def} DONE \\d+\\.\\ds$`, 'm'), 'the definition load ends with DONE <secs>s');
    assert.match(err, new RegExp(`^#${def} transferring dockerfile: \\d+(\\.\\d+)?k?B( \\d+\\.\\ds)? done$`, 'm'));

    const run = vertexIndex(err, new RegExp(`\\[\\d/\\d\\] RUN echo hello-${nonce} && echo second-line-${nonce}`));
    // Log lines carry seconds since the vertex started, 3 decimals below 10 s.
    assert.match(err, new RegExp(`^#${run} \\d\\.\\d{3} hello-${nonce}$`, 'm'));
    assert.match(err, new RegExp(`^#${run} \\d\\.\\d{3} second-line-${nonce}$`, 'm'));
    assert.match(err, new RegExp(`^#${run} DONE \\d+\\.\\ds$`, 'm'));

    // Vertex numbers are handed out in order of first appearance, starting at 1.
    const firstSeen: number[] = [];
    for (const m of err.matchAll(/^#(\d+) /gm)) {
      const n = Number(m[1]);
      if (n !== 0 && !firstSeen.includes(n)) firstSeen.push(n);
    }
    assert.deepEqual(firstSeen, firstSeen.map((_, i) => i + 1), 'indices 1, 2, 3, … in order of appearance');

    // The same build again: the RUN step now comes from the cache.
    const again = await ctx.buildx(['build', '--progress=plain', '-t', tag, dir], { timeoutMs: 120_000 });
    assert.equal(again.code, 0, describeRun(again));
    const againProgress = again.stderr.slice(0, again.stderr.indexOf('\nSummary: ') + 1);
    assert.ok(againProgress.length > 0, `a summary after the progress:\n${again.stderr}`);
    for (const line of againProgress.split('\n')) assert.match(line, LINE, `plain grammar:\n${again.stderr}`);
    const cachedRun = vertexIndex(again.stderr, new RegExp(`\\[\\d/\\d\\] RUN echo hello-${nonce} && echo second-line-${nonce}`));
    assert.match(again.stderr, new RegExp(`^#${cachedRun} CACHED$`, 'm'));
    assert.doesNotMatch(again.stderr, new RegExp(`^#\\d+ \\d+\\.\\d+ hello-${nonce}$`, 'm'), 'a cached step has no log');
  });

  it('BUILDKIT_PROGRESS picks the mode when --progress is auto', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('env-plain');
    await writeTree(dir, { Dockerfile: 'FROM scratch\nCOPY Dockerfile /Dockerfile\n' });
    const r = await ctx.buildx(['build', '-o', `type=local,dest=${ctx.path('env-plain-out')}`, dir], { env: { BUILDKIT_PROGRESS: 'rawjson' }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    // rawjson from the environment: every line is JSON, none is plain.
    for (const line of r.stderr.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), `JSON line: ${line}`);
  });
});
