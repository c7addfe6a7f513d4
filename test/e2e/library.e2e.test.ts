// The library API against the real dockerd: the example under examples/library (run as a user would run
// it), and build(), prepareBuild(), inspectBuilder() and listBuilders() called in-process, checked against
// what the engine holds and what the CLI prints for the same state.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import {
  build, formatInspect, formatLsTable, inspectBuilder, listBuilders, parseOutputs, prepareBuild, progressEvents,
  type SolveStatus,
} from '../../src/index.js';
import { BASE_IMAGE, describeRun, e2eSuite, randomName, REPO_ROOT, run, TEST_TIMEOUT, writeTree } from './helpers.js';

e2eSuite('library API', (ctx) => {
  it('the example builds examples/hello, prints its steps from the event stream, and the image runs', { timeout: TEST_TIMEOUT }, async () => {
    const tag = ctx.tag('library-example');
    const r = await run(process.execPath, [join(REPO_ROOT, 'examples/library/build.mjs'), tag], { timeoutMs: 120_000 }, ctx.env);
    assert.equal(r.code, 0, describeRun(r));
    const out = r.stdout.toString('utf8');
    assert.match(out, /^builder: default \(docker driver\)$/m);
    assert.match(out, /^(DONE  |CACHED) \[2\/2\] COPY greeting\.txt \/greeting\.txt$/m);
    const id = /^image: \S+ (sha256:[0-9a-f]{64})$/m.exec(out)?.[1];
    assert.equal(id, await ctx.imageId(tag));
    assert.match(out, /^Summary: .* 2 steps: /m);
    assert.equal(await ctx.runIn(tag, 'cat /greeting.txt'), 'Hello from tsbuildx\n');
  });

  it('build() streams every step as events, then returns the image, metadata and summary', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('api-build');
    await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo ${nonce} > /n\n` });
    const tag = ctx.tag('api-build');
    const events = progressEvents({ highWaterMark: 2 });
    const seen: SolveStatus[] = [];
    const reading = (async () => { for await (const s of events) seen.push(s); })();
    const result = await build({ context: dir, tags: [tag] }, { progress: events.writer, env: ctx.env });
    await reading;
    assert.equal(events.error, undefined);
    assert.equal(result.imageId, await ctx.imageId(tag));
    assert.equal(result.metadata['buildx.build.ref'], `default/default/${result.ref}`);
    assert.equal(result.metadata['containerimage.config.digest'] ?? result.metadata['containerimage.digest'], result.imageId);
    const names = new Set(seen.flatMap((s) => s.vertexes.map((v) => v.name)));
    assert.ok(names.has(`[2/2] RUN echo ${nonce} > /n`), [...names].join('\n'));
    assert.deepEqual([result.summary.steps.ran, result.summary.steps.failed], [1, 0]);
    assert.equal(result.summary.image?.digest, result.exporterResponse['containerimage.digest']);
    // The local state buildx keeps for every build, under the isolated config dir.
    assert.ok(existsSync(join(ctx.dockerConfig, 'buildx', 'refs', 'default', 'default', result.ref)));
  });

  it('prepareBuild() refuses a bad request with buildx\'s message before anything is written', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('api-bad');
    await writeTree(dir, { Dockerfile: `FROM ${BASE_IMAGE}\n` });
    const refs = join(ctx.dockerConfig, 'buildx', 'refs', 'default', 'default');
    const before = existsSync(refs) ? (await import('node:fs/promises')).readdir(refs) : Promise.resolve([]);
    await assert.rejects(prepareBuild({ context: dir, platforms: ['linux/amd64/v9/x'] }, { env: ctx.env }), (err: Error) => {
      assert.match(err.message, /^failed to build: .*linux\/amd64\/v9\/x/);
      return true;
    });
    await assert.rejects(prepareBuild({ context: dir, tags: ['Not/Lower:case'] }, { env: ctx.env }), { message: 'failed to build: invalid tag "Not/Lower:case": repository name must be lowercase' });
    await assert.rejects(prepareBuild({ context: dir, outputs: parseOutputs(['type=local']) }, { env: ctx.env }), { message: 'failed to build: dest is required for local exporter' });
    const after = existsSync(refs) ? await (await import('node:fs/promises')).readdir(refs) : [];
    assert.deepEqual(after, await before);
  });

  it('inspectBuilder() and listBuilders() return data that formats to what the CLI prints', { timeout: TEST_TIMEOUT }, async () => {
    const info = await inspectBuilder(undefined, { env: ctx.env });
    assert.equal(info.driver, 'docker');
    assert.equal(info.current, true);
    assert.equal(info.nodes[0]?.status, 'running');
    const cli = await ctx.buildx(['inspect'], { timeoutMs: 60_000 });
    assert.equal(cli.code, 0, describeRun(cli));
    assert.equal(formatInspect(info), cli.stdout.toString('utf8'));

    const ls = await ctx.buildx(['ls'], { timeoutMs: 60_000 });
    assert.equal(ls.code, 0, describeRun(ls));
    assert.equal(formatLsTable(await listBuilders({ env: ctx.env })).stdout, ls.stdout.toString('utf8'));
  });
});
