// The end-of-build summary on real builds (plain mode), its absence in rawjson/quiet, and the GitHub Actions
// grouping of plain output (GITHUB_ACTIONS=true).
//
// Format under test (src/progress/summary.ts), after the progress output and an empty line:
//   Summary: <secs>s · <n> steps: <ran> ran, <cached> cached[, <f> failed][, <c> canceled] (<p>% cache hits)
//   Context: [<sent> of ]<files> files (<bytes>) sent[, <x> excluded by .dockerignore]
//   Image:   <name>[, <name>…] <digest>
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { formatBytes } from '../../src/progress/format.js';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, TEST_TIMEOUT, writeTree, type E2E } from './helpers.js';

const SUMMARY = /^Summary: (\d+\.\d)s · (\d+) steps?: (\d+) ran, (\d+) cached(?:, (\d+) failed)?(?:, (\d+) canceled)? \((\d+)% cache hits\)$/m;
const CONTEXT = /^Context: (?:(\d+) of )?(\d+) files? \(([\d.]+k?M?B)\) sent(?:, (\d+) excluded by \.dockerignore)?$/m;
const IMAGE = /^Image: {3}(.+) (sha256:[0-9a-f]{64})$/m;

interface Parsed {
  secs: number;
  steps: number;
  ran: number;
  cached: number;
  failed: number;
  canceled: number;
  ratio: number;
}

function parseSummary(stderr: string): Parsed {
  const m = SUMMARY.exec(stderr);
  assert.ok(m, `a summary line in:\n${stderr}`);
  return {
    secs: Number(m[1]), steps: Number(m[2]), ran: Number(m[3]), cached: Number(m[4]),
    failed: Number(m[5] ?? 0), canceled: Number(m[6] ?? 0), ratio: Number(m[7]),
  };
}

/** A context with known sizes: 5 files sent, `build.log` and `node_modules/` (pruned whole) excluded. */
async function makeContext(ctx: E2E, baseImage: string, nonce: string, run: string): Promise<{ dir: string; bytes: number }> {
  const dir = await ctx.tmp('summary');
  const files: Record<string, string> = {
    Dockerfile: `FROM ${baseImage}\nCOPY . /ctx\nRUN ${run}\n`,
    '.dockerignore': '*.log\nnode_modules\n',
    'a.txt': `a-${nonce}\n`,
    'b.txt': 'bbbbbbbbbb\n',
    'sub/c.txt': 'c\n',
  };
  await writeTree(dir, { ...files, 'build.log': 'ignored\n', 'node_modules/pkg/index.js': 'ignored\n', 'node_modules/pkg/more.js': 'x\n' });
  const bytes = Object.values(files).reduce((n, s) => n + Buffer.byteLength(s), 0);
  return { dir, bytes };
}

/** The lines after the last empty line: the summary block ends the output of a successful build. */
function lastBlock(stderr: string): string[] {
  const lines = stderr.replace(/\n$/, '').split('\n');
  return lines.slice(lines.lastIndexOf('') + 1);
}

e2eSuitePerDriver('build: end-of-build summary', (ctx, d) => {
  it('plain: ends with time, steps and cache hits, context sent and excluded, and the image', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const { dir, bytes } = await makeContext(ctx, d.baseImage, nonce, `echo built-${nonce}`);
    const tag = ctx.tag('summary');
    const metadataFile = join(await ctx.tmp('summary-meta'), 'metadata.json');
    const r = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, '--metadata-file', metadataFile, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));

    const block = lastBlock(r.stderr);
    assert.equal(block.length, 3, `three summary lines at the end:\n${r.stderr}`);
    assert.match(block[0]!, SUMMARY);
    assert.match(block[1]!, CONTEXT);
    assert.match(block[2]!, IMAGE);

    const s = parseSummary(r.stderr);
    assert.equal(s.steps, 3, 'FROM, COPY, RUN');
    assert.equal(s.ran + s.cached, 3);
    assert.ok(s.ran >= 2, 'the new COPY and RUN ran');
    assert.ok(Number.isFinite(s.secs) && s.secs > 0, `build time ${s.secs}`);

    // a fresh directory: everything is sent; the .dockerignore probe does not count twice
    const c = CONTEXT.exec(r.stderr)!;
    assert.equal(c[1], undefined, 'all files sent');
    assert.equal(c[2], '5');
    assert.equal(c[3], formatBytes(bytes));
    assert.equal(c[4], '2', 'build.log and node_modules/ (once)');

    const img = IMAGE.exec(r.stderr)!;
    assert.ok([tag, `docker.io/library/${tag}`].includes(img[1]!), `image name ${img[1]}`); // as tagged, or normalized by newer daemons
    // The digest the build reported: the engine's image id on the docker driver, the manifest digest of the
    // image a buildkitd exported (and loaded) elsewhere.
    const meta = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, string>;
    assert.equal(img[2], meta['containerimage.digest']);
    if (d.isMoby) assert.equal(img[2], await ctx.imageId(tag));

    // The same build again: COPY and RUN come from the cache, unchanged files are not sent again.
    const again = await ctx.buildx(['build', '--progress=plain', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(again.code, 0, describeRun(again));
    const s2 = parseSummary(again.stderr);
    assert.equal(s2.steps, 3);
    assert.ok(s2.cached >= 2, `COPY and RUN cached:\n${again.stderr}`);
    assert.ok(s2.ratio >= 67, `cache hits: ${s2.ratio}%`);
    const c2 = CONTEXT.exec(again.stderr)!;
    assert.equal(c2[2], '5');
    assert.ok(Number(c2[1] ?? c2[2]) < 5, `unchanged files are not sent again: ${c2[0]}`);
    assert.equal(c2[4], '2');
  });

  it('rawjson and quiet print no summary', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const { dir } = await makeContext(ctx, d.baseImage, nonce, `echo quiet-${nonce}`);
    const raw = await ctx.buildx(['build', '--progress=rawjson', dir], { timeoutMs: 120_000 });
    assert.equal(raw.code, 0, describeRun(raw));
    // buildkitd drivers log buildx's no-output warning after the display, in every mode.
    const warning = `WARNING: No output specified with ${d.name} driver.`;
    const rawLines = raw.stderr.split('\n').filter((l) => l !== '' && !(l.startsWith(warning) && !d.isMoby));
    assert.equal(raw.stderr.includes(warning), !d.isMoby, describeRun(raw));
    assert.ok(rawLines.length >= 3, describeRun(raw));
    for (const line of rawLines) assert.ok(Array.isArray((JSON.parse(line) as { vertexes?: unknown }).vertexes ?? []), `JSON line: ${line}`);
    const quiet = await ctx.buildx(['build', '-q', ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(quiet.code, 0, describeRun(quiet));
    assert.doesNotMatch(quiet.stderr, /Summary:/);
    assert.match(quiet.stdout.toString(), /^sha256:[0-9a-f]{64}\n$/);
  });

  it('a failed build still gets a summary, with the failed step counted and no image', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const { dir } = await makeContext(ctx, d.baseImage, nonce, `echo boom-${nonce} && exit 3`);
    const r = await ctx.buildx(['build', '--progress=plain', dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, describeRun(r));
    const s = parseSummary(r.stderr);
    assert.equal(s.failed, 1);
    assert.doesNotMatch(r.stderr, IMAGE);
    const summaryAt = r.stderr.search(SUMMARY);
    const errorAt = r.stderr.search(/^ERROR: /m);
    assert.ok(errorAt > summaryAt, 'the summary comes before the final ERROR line');
  });

  it('GITHUB_ACTIONS=true: each step in a ::group::, the failing step in the open, then the summary', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const lines = Array.from({ length: 30 }, (_, i) => `line-${i + 1}-${nonce}`);
    const { dir } = await makeContext(ctx, d.baseImage, nonce, `for l in ${lines.join(' ')}; do echo $l; done; exit 4`);
    const r = await ctx.buildx(['build', '--progress=plain', dir], { timeoutMs: 120_000, env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(r.code, 1, describeRun(r));

    let open = false;
    let groups = 0;
    const outside: string[] = [];
    for (const line of r.stderr.split('\n')) {
      if (line.startsWith('::group::')) {
        assert.ok(!open, `nested group:\n${r.stderr}`);
        open = true;
        groups++;
      } else if (line === '::endgroup::') {
        assert.ok(open, `stray ::endgroup::\n${r.stderr}`);
        open = false;
      } else if (!open) outside.push(line);
    }
    assert.ok(!open, 'no group left open');
    assert.ok(groups >= 3, `internal steps, FROM and COPY are grouped:\n${r.stderr}`);
    assert.match(r.stderr, /^::group::\[2\/3\] COPY \. \/ctx$/m);
    // all 30 lines of the failing step, outside any group (not only the last 10 of the error block)
    const shown = outside.join('\n');
    for (const l of lines) assert.match(shown, new RegExp(`^#\\d+ \\d+\\.\\d+ ${l}$`, 'm'), `${l} shown in the open`);
    assert.equal(parseSummary(r.stderr).failed, 1);
  });
});
