// `--progress=plain` on a real build follows BuildKit's plain grammar (protocol.md §5.2).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, TEST_TIMEOUT, writeTree } from './helpers.js';

/**
 * BuildKit's plain grammar (protocol.md §5.2), checked block by block: the `#0` preamble, then blocks
 * separated by one blank line, each holding lines of one vertex `#N` only, the first its name (the same
 * name every time that vertex's block comes back), the others timed log lines, status lines or its end
 * (DONE <secs>s, CACHED, CANCELED, ERROR: …), which closes its block. A vertex the daemon reports again
 * after its end comes back as a new block, header first. Every vertex ends. Returns each vertex's name by
 * index.
 */
function checkPlainGrammar(progress: string, preamble: string): Map<number, string> {
  const blocks = progress.split('\n\n');
  assert.equal(blocks[0], preamble, 'the preamble is the first block');
  assert.equal(blocks.pop(), '', 'the output ends with one block end');
  const names = new Map<number, string>();
  const ended = new Set<number>();
  for (const block of blocks.slice(1)) {
    const lines = block.split('\n');
    const head = /^#(\d+) (.+)$/.exec(lines[0]!);
    assert.ok(head, `a block starts with "#N name": ${JSON.stringify(block)}`);
    const n = Number(head[1]);
    assert.ok(n > 0, `vertex indices start at 1: ${lines[0]}`);
    ended.delete(n);
    if (names.has(n)) assert.equal(head[2], names.get(n), `#${n} keeps its name`);
    names.set(n, head[2]!);
    for (const [i, line] of lines.slice(1).entries()) {
      const m = new RegExp(`^#${n} (.+)$`).exec(line);
      assert.ok(m, `a line of #${n}'s block belongs to #${n}: ${JSON.stringify(line)}`);
      const rest = m[1]!;
      const end = /^(DONE \d+\.\ds|CACHED|CANCELED|ERROR: .+)$/.test(rest);
      assert.ok(end || /^\d+\.\d{3} /.test(rest) || /^\S/.test(rest), `#${n}: ${JSON.stringify(line)}`);
      if (end) {
        assert.equal(i, lines.length - 2, `#${n}'s end is the last line of its block: ${JSON.stringify(block)}`);
        ended.add(n);
      }
    }
  }
  for (const n of names.keys()) assert.ok(ended.has(n), `#${n} (${names.get(n)}) ends`);
  return names;
}

function vertexIndex(stderr: string, nameRe: RegExp): string {
  const re = new RegExp(`^#(\\d+) ${nameRe.source}$`, 'm');
  const m = re.exec(stderr);
  assert.ok(m, `a vertex header matching ${re}:\n${stderr}`);
  return m[1]!;
}

e2eSuitePerDriver('build: plain progress', (ctx, d) => {
  it('prints the preamble, vertex blocks, timed logs and DONE/CACHED lines', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('plain');
    await writeTree(dir, {
      Dockerfile: `FROM ${d.baseImage}\nRUN echo hello-${nonce} && echo second-line-${nonce}\n`,
    });
    const tag = ctx.tag('plain');
    const preamble = `#0 building with "${d.builder}" instance using ${d.name} driver`;
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    // The progress proper ends where the end-of-build summary (tested in build-summary) begins.
    const cut = r.stderr.indexOf('\nSummary: ');
    assert.ok(cut > 0, `a summary after the progress:\n${r.stderr}`);
    const err = r.stderr.slice(0, cut + 1);
    const names = checkPlainGrammar(err, preamble);
    assert.ok([...names.values()].includes(`[2/2] RUN echo hello-${nonce} && echo second-line-${nonce}`), [...names.values()].join('\n'));

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
    const again = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(again.code, 0, describeRun(again));
    const againProgress = again.stderr.slice(0, again.stderr.indexOf('\nSummary: ') + 1);
    assert.ok(againProgress.length > 0, `a summary after the progress:\n${again.stderr}`);
    checkPlainGrammar(againProgress, preamble);
    const cachedRun = vertexIndex(again.stderr, new RegExp(`\\[\\d/\\d\\] RUN echo hello-${nonce} && echo second-line-${nonce}`));
    assert.match(again.stderr, new RegExp(`^#${cachedRun} CACHED$`, 'm'));
    assert.doesNotMatch(again.stderr, new RegExp(`^#\\d+ \\d+\\.\\d+ hello-${nonce}$`, 'm'), 'a cached step has no log');
  });

  it('BUILDKIT_PROGRESS picks the mode when --progress is auto', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('env-plain');
    await writeTree(dir, { Dockerfile: 'FROM scratch\nCOPY Dockerfile /Dockerfile\n' });
    const r = await ctx.buildx(['build', '-o', `type=local,dest=${ctx.path('env-plain-out')}`, dir], { env: { BUILDKIT_PROGRESS: 'rawjson' }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    // rawjson from the environment: every line is a status record, none is plain.
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.ok(lines.length >= 3, describeRun(r));
    const records = lines.map((line) => JSON.parse(line) as { vertexes?: { name?: string }[] });
    const names = records.flatMap((rec) => (rec.vertexes ?? []).map((v) => v.name));
    assert.ok(names.includes('[internal] load build definition from Dockerfile'), names.join('\n'));
    assert.ok(names.some((n) => n?.startsWith('[1/1] COPY Dockerfile /Dockerfile')), names.join('\n'));
  });
});
