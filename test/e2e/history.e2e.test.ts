// `history` on real daemons, against reference Go buildx on the same builder and store: builds made by either
// tool show in both tools' history with the same names; ls, inspect, logs, attachments, export bundles and
// traces match buildx's output; rm removes the record from the daemon; bad refs fail the way buildx does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { e2eSuitePerDriver, type DriverUnderTest } from './drivers.js';
import { describeRun, randomName, run, TEST_TIMEOUT, writeTree, type E2E, type RunResult } from './helpers.js';
import { REFERENCE_BUILDX } from './buildkitd-daemon.js';


function reference(ctx: E2E, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(REFERENCE_BUILDX, args, { timeoutMs }, ctx.env);
}

interface LsRecord { ref: string; name: string; status: string; created_at: string; completed_at?: string; total_steps: number }

function lsRecords(r: RunResult): LsRecord[] {
  assert.equal(r.code, 0, describeRun(r));
  return r.stdout.toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LsRecord);
}

/** A fresh project (its RUN is never cached) built by `tool`; returns the record's short ref. */
async function buildProject(ctx: E2E, d: DriverUnderTest, tool: 'ts' | 'ref', name: string): Promise<string> {
  const dir = join(await ctx.tmp('hist'), name);
  await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo ${name}-${randomName()}\n` });
  const md = join(dir, 'md.json');
  const args = ['build', '--metadata-file', md, dir];
  const r = tool === 'ts' ? await ctx.buildx(args, { timeoutMs: 120_000 }) : await reference(ctx, args);
  assert.equal(r.code, 0, describeRun(r));
  const full = (JSON.parse(await readFile(md, 'utf8')) as Record<string, string>)['buildx.build.ref']!;
  const parts = full.split('/');
  assert.equal(parts.length, 3, full);
  assert.equal(parts[0], d.builder);
  return parts[2]!;
}

/** Both tools' outputs for the same arguments. */
async function both(ctx: E2E, args: string[]): Promise<{ ts: RunResult; ref: RunResult }> {
  return { ts: await ctx.buildx(args, { timeoutMs: 120_000 }), ref: await reference(ctx, args) };
}

function same(p: { ts: RunResult; ref: RunResult }, what: string): void {
  assert.equal(p.ts.code, p.ref.code, `${what}: exit code\n${describeRun(p.ts)}\n${describeRun(p.ref)}`);
  assert.equal(p.ts.stderr, p.ref.stderr, `${what}: stderr`);
  assert.equal(p.ts.stdout.toString('utf8'), p.ref.stdout.toString('utf8'), `${what}: stdout`);
}

/** The table with the CREATED AT cells (which tick between two runs) blanked, columns re-split on 3+ spaces. */
function tableCells(text: string): string[][] {
  // A record without a name has one cell less, so the relative time is found by its shape too.
  return text.split('\n').filter((l) => l !== '').map((l) => l.split(/ {3,}/).map((c, i) => (i === 3 || / ago$/.test(c.trimEnd()) ? '<created>' : c.trimEnd())));
}

/** Every file of a gzipped tar, by path, with its bytes (hex digest of content) and mode. */
function bundleFiles(file: string, into: string): Map<string, string> {
  execFileSync('tar', ['-xzf', file, '-C', into]);
  const listing = execFileSync('tar', ['-tvzf', file]).toString('utf8');
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(into, p), readFileSync(p).toString('base64'));
    }
  };
  walk(into);
  out.set('<listing>', listing.split('\n').map((l) => l.replace(/\s+/g, ' ')).join('\n'));
  return out;
}

e2eSuitePerDriver('history', (ctx, d) => {
  if (d.classicEngine) {
    it('docker driver on dockerd 20.10: the embedded BuildKit has no history API, reported as buildx reports it', { timeout: TEST_TIMEOUT }, async () => {
      const p = await both(ctx, ['history', 'ls']);
      same(p, 'history ls');
      assert.equal(p.ts.code, 1);
      assert.match(p.ts.stderr, /^ERROR: rpc error: code = Unimplemented desc = unknown method ListenBuildHistory/);
    });
    return;
  }

  let tsRef = '';
  let goRef = '';

  it('builds by tsbuildx and by Go buildx are in both tools\' history, named alike; ls matches buildx', { timeout: TEST_TIMEOUT }, async () => {
    tsRef = await buildProject(ctx, d, 'ts', 'tsproj');
    goRef = await buildProject(ctx, d, 'ref', 'goproj');
    const p = await both(ctx, ['history', 'ls', '--format', 'json']);
    same(p, 'ls --format json');
    const recs = lsRecords(p.ts);
    const byRef = new Map(recs.map((r) => [r.ref, r]));
    const ts = byRef.get(`${d.builder}/${d.nodeName}/${tsRef}`);
    const go = byRef.get(`${d.builder}/${d.nodeName}/${goRef}`);
    assert.ok(ts && go, p.ts.stdout.toString('utf8'));
    assert.equal(ts.name, 'tsproj');
    assert.equal(go.name, 'goproj');
    assert.equal(ts.status, 'Completed');
    // Newest first: the Go build ran second.
    assert.ok(recs.indexOf(go) < recs.indexOf(ts));

    const table = await both(ctx, ['history', 'ls']);
    assert.equal(table.ts.code, 0, describeRun(table.ts));
    assert.deepEqual(tableCells(table.ts.stdout.toString('utf8')), tableCells(table.ref.stdout.toString('utf8')));
    assert.match(table.ts.stdout.toString('utf8'), /^BUILD ID {3,}NAME {3,}STATUS {3,}CREATED AT {3,}DURATION {3}\n/);

    same(await both(ctx, ['history', 'ls', '--filter', `ref=${tsRef}`, '--format', 'json']), 'ls --filter ref=');
    same(await both(ctx, ['history', 'ls', '--filter', 'status=error', '--format', 'json']), 'ls --filter status=error');
    same(await both(ctx, ['history', 'ls', '--filter', 'bogus']), 'ls --filter bogus');
    // Go templates, as the peer tests use them (`{{.Ref}}` per line) and with a table header.
    const refs = await both(ctx, ['history', 'ls', '--format', '{{.Ref}}']);
    same(refs, 'ls --format {{.Ref}}');
    assert.ok(refs.ts.stdout.toString('utf8').split('\n').includes(tsRef));
    same(await both(ctx, ['history', 'ls', '--format', 'table {{.Ref}}\t{{.Name}}\t{{.Status}}']), 'ls --format table …');
    same(await both(ctx, ['history', 'ls', '--format', '{{.Nope}}']), 'ls --format {{.Nope}}');
    // --local outside a repository with a remote: buildx's error.
    const cwd = await ctx.tmp('nogit');
    const local = { ts: await ctx.buildx(['history', 'ls', '--local'], { cwd }), ref: await run(REFERENCE_BUILDX, ['history', 'ls', '--local'], { cwd }, ctx.env) };
    same(local, 'ls --local');
    assert.equal(local.ts.code, 1);
  });

  it('inspect: json and text as buildx prints them, by ref, by ^N and for the newest', { timeout: TEST_TIMEOUT }, async () => {
    for (const args of [[tsRef, '--format', 'json'], [tsRef], [goRef], ['^1'], [], ['--format', 'json'],
      [tsRef, '--format', '{{.Name}} {{.Status}} {{.NumTotalSteps}} {{.Duration}}'], [tsRef, '--format', '{{.Bad}}']]) {
      same(await both(ctx, ['history', 'inspect', ...args]), `inspect ${args.join(' ')}`);
    }
    const j = JSON.parse((await ctx.buildx(['history', 'inspect', tsRef, '--format', 'json'])).stdout.toString('utf8')) as Record<string, unknown>;
    assert.equal(j.Ref, tsRef);
    assert.equal(j.Name, 'tsproj');
    assert.equal(j.Status, 'completed');
    assert.equal(typeof j.Duration, 'number');
    same(await both(ctx, ['history', 'inspect', 'attachment', tsRef, '--type', 'provenance']), 'inspect attachment --type provenance');
  });

  it('logs replays the record through the plain and rawjson renderers as buildx does', { timeout: TEST_TIMEOUT }, async () => {
    const plain = await both(ctx, ['history', 'logs', tsRef]);
    same(plain, 'logs');
    assert.match(plain.ts.stderr, /RUN echo tsproj-/);
    same(await both(ctx, ['history', 'logs', '--progress', 'rawjson', goRef]), 'logs --progress rawjson');
  });

  it('export writes the same .dockerbuild bundle buildx writes (every blob byte-identical)', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('export');
    const ours = join(dir, 'ts.dockerbuild');
    const theirs = join(dir, 'go.dockerbuild');
    const a = await ctx.buildx(['history', 'export', tsRef, '--finalize', '-o', ours], { timeoutMs: 120_000 });
    assert.equal(a.code, 0, describeRun(a));
    const b = await reference(ctx, ['history', 'export', tsRef, '--finalize', '-o', theirs]);
    assert.equal(b.code, 0, describeRun(b));
    const x = bundleFiles(ours, await ctx.tmp('x'));
    const y = bundleFiles(theirs, await ctx.tmp('y'));
    assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
    for (const [k, v] of x) assert.equal(v, y.get(k), `bundle entry ${k}`);
    const index = JSON.parse(Buffer.from(x.get('index.json')!, 'base64').toString('utf8')) as { manifests: Array<{ digest: string }> };
    const manifest = JSON.parse(Buffer.from(x.get(`blobs/sha256/${index.manifests[0]!.digest.slice(7)}`)!, 'base64').toString('utf8')) as { config: { mediaType: string } };
    assert.equal(manifest.config.mediaType, 'application/vnd.buildkit.historyrecord.v0');

    const all = join(dir, 'all.dockerbuild');
    const c = await ctx.buildx(['history', 'export', '--all', '-o', all], { timeoutMs: 120_000 });
    assert.equal(c.code, 0, describeRun(c));
    const allFiles = bundleFiles(all, await ctx.tmp('z'));
    const top = JSON.parse(Buffer.from(allFiles.get('index.json')!, 'base64').toString('utf8')) as { manifests: Array<{ mediaType: string }> };
    assert.equal(top.manifests[0]!.mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  it('import needs Docker Desktop, and fails as buildx does without it', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('import');
    const file = join(dir, 'b.dockerbuild');
    assert.equal((await ctx.buildx(['history', 'export', tsRef, '-o', file], { timeoutMs: 120_000 })).code, 0);
    const home = await ctx.tmp('home');
    const args = ['history', 'import', '-f', file];
    const p = {
      ts: await ctx.buildx(args, { env: { HOME: home }, timeoutMs: 60_000 }),
      ref: await run(REFERENCE_BUILDX, args, { env: { HOME: home }, timeoutMs: 60_000 }, ctx.env),
    };
    same(p, 'import');
    assert.equal(p.ts.code, 1);
    assert.match(p.ts.stderr, /check if Docker Desktop is running/);
  });

  it('trace: the Jaeger JSON buildx prints off a terminal; with --compare it is served on a local port', { timeout: TEST_TIMEOUT }, async () => {
    const p = await both(ctx, ['history', 'trace', tsRef]);
    same(p, 'trace');
    const doc = JSON.parse(p.ts.stdout.toString('utf8')) as { data: Array<{ traceID: string; spans: unknown[] }> };
    assert.ok(doc.data[0]!.spans.length > 0);
    const srv = ctx.startBuildx(['history', 'trace', tsRef, '--compare', goRef]);
    try {
      const m = await srv.waitForStderr(/Trace available at (http:\/\/127\.0\.0\.1:\d+)\/trace\/([0-9a-f]+)\.\.\.([0-9a-f]+)\n/, 60_000);
      const [, base, , id] = m;
      assert.equal(id, doc.data[0]!.traceID);
      const served = await (await fetch(`${base}/api/traces/${id}`)).text();
      assert.equal(`${served}\n`, p.ts.stdout.toString('utf8'));
      assert.match(await (await fetch(`${base}/trace/${id}`)).text(), /<title>build trace<\/title>/);
    } finally {
      srv.kill('SIGTERM');
      const end = await srv.result;
      assert.equal(end.code, 0, describeRun(end));
    }
  });

  it('bad refs fail with buildx\'s one line and exit code', { timeout: TEST_TIMEOUT }, async () => {
    // Unknown refs of this run only: BuildKit before v0.29 remembers a ref that was asked for and then
    // deleted as "deleted" until it restarts, and reference buildx then answers differently.
    const missing = `nosuchref${ctx.id}`;
    for (const args of [['inspect', missing.padEnd(25, '0')], ['logs', missing], ['inspect', '^x'], ['inspect', '^999'], ['rm'],
      ['export', missing], ['inspect', 'attachment', tsRef]]) {
      const p = await both(ctx, ['history', ...args]);
      same(p, args.join(' '));
      assert.equal(p.ts.code, 1, args.join(' '));
      assert.equal(p.ts.stderr.trimEnd().split('\n').length, 1, p.ts.stderr);
    }
    // Deleting a ref the daemon does not know: whatever the daemon answers, both tools report it alike.
    same(await both(ctx, ['history', 'rm', missing]), 'rm of an unknown ref');
  });

  it('a failed build: inspect shows its Dockerfile excerpt, failed step and logs as buildx does', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await ctx.tmp('fail');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo failing-${randomName()} && exit 3\n` });
    const b = await ctx.buildx(['build', dir], { timeoutMs: 120_000 });
    assert.equal(b.code, 1, describeRun(b));
    const text = await both(ctx, ['history', 'inspect', '^0']);
    same(text, 'inspect of a failed build');
    assert.match(text.ts.stdout.toString('utf8'), /\nError:\t+Unknown process .* did not complete successfully: exit code: 3\n/);
    assert.match(text.ts.stdout.toString('utf8'), /\nLogs:\n> => \[2\/2\] RUN echo failing-.*:\n> failing-/);
    const json = await both(ctx, ['history', 'inspect', '^0', '--format', 'json']);
    // Go buildx puts its own process's stack trace in Error.Stack; everything else must match.
    const strip = (r: RunResult) => {
      const v = JSON.parse(r.stdout.toString('utf8')) as { Error: { Stack?: string; Sources?: string } };
      assert.ok(v.Error.Stack && v.Error.Sources);
      delete v.Error.Stack;
      return v;
    };
    assert.deepEqual(strip(json.ts), strip(json.ref));
    assert.equal((strip(json.ts) as unknown as { Status: string }).Status, 'failed');
  });

  it('rm deletes the record from the daemon (buildx no longer lists it)', { timeout: TEST_TIMEOUT }, async () => {
    // BuildKit before v0.29 (dockerd v28's) never finishes deleting a record that a client once asked
    // for by ref, and reference buildx's next history query then panics the engine. Reference asked for
    // goRef by ref above, so there the record removed is one that only tsbuildx looked up (it asks those
    // daemons without a ref): if tsbuildx poisoned it too, reference's ls below would kill the engine.
    let victim = goRef;
    if (d.variant === 'docker-v28') {
      victim = await buildProject(ctx, d, 'ts', 'victim');
      for (const args of [['history', 'inspect', victim], ['history', 'logs', victim]]) {
        const r = await ctx.buildx(args, { timeoutMs: 60_000 });
        assert.equal(r.code, 0, describeRun(r));
      }
    }
    const r = await ctx.buildx(['history', 'rm', victim], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, describeRun(r));
    const refs = lsRecords(await reference(ctx, ['history', 'ls', '--format', 'json'])).map((x) => x.ref.split('/')[2]);
    assert.ok(!refs.includes(victim), refs.join(','));
    assert.ok(refs.includes(tsRef));
    const filtered = lsRecords(await reference(ctx, ['history', 'ls', '--format', 'json', '--filter', 'status=completed'])).map((x) => x.ref.split('/')[2]);
    assert.ok(filtered.includes(tsRef) && !filtered.includes(victim), filtered.join(','));
    const ours = lsRecords(await ctx.buildx(['history', 'ls', '--format', 'json', '--filter', 'status=completed'], { timeoutMs: 60_000 })).map((x) => x.ref.split('/')[2]);
    assert.deepEqual(ours, filtered);
  });

  if (d.name === 'docker-container') {
    it('ls on a stopped builder boots it first, as buildx does', { timeout: TEST_TIMEOUT }, async () => {
      const stop = await ctx.buildx(['stop', d.builder], { timeoutMs: 60_000 });
      assert.equal(stop.code, 0, describeRun(stop));
      const r = await ctx.buildx(['history', 'ls', `--filter=ref=${tsRef}`, '--format=json'], { timeoutMs: 120_000 });
      const recs = lsRecords(r);
      assert.deepEqual(recs.map((x) => x.ref), [`${d.builder}/${d.nodeName}/${tsRef}`]);
    });
  }
});
