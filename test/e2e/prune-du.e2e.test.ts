// `du` and `prune` on every driver, side by side with reference buildx on the same builder and store.
// Each test works on cache records of its own builds (a nonce in every RUN, selected with a
// `description~=` filter), so the shared docker driver builder only loses what a test made; the
// unfiltered checks (summary, `docker builder prune -af`) run on the suite's own builders only.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { e2eSuitePerDriver, type DriverUnderTest } from './drivers.js';
import { describeRun, randomName, run, TEST_TIMEOUT, writeTree, type E2E, type RunResult } from './helpers.js';
import { humanSize } from '../../src/util/go-units.js';
import { diskUsage, prune, resolveBuilder, type UsageRecord } from '../../src/index.js';
import { REFERENCE_BUILDX as REFERENCE } from './buildkitd-daemon.js';


/** `… ago` moves between two runs a moment apart; everything else must match byte for byte. */
function stable(s: string): string {
  return s.replace(/(Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes|About an hour|\d+ hours) ago/g, '<ago>');
}

async function reference(ctx: E2E, args: string[], input?: string): Promise<RunResult> {
  assert.ok(existsSync(REFERENCE), `reference buildx not found at ${REFERENCE} (bash scripts/setup.sh builds it)`);
  return run(REFERENCE, args, { timeoutMs: 120_000, input }, ctx.env);
}

/** The daemon's own records, straight from each node's control API. */
async function records(ctx: E2E, d: DriverUnderTest, nonce?: string): Promise<UsageRecord[]> {
  const b = await resolveBuilder({ name: d.builder, env: ctx.env });
  const out: UsageRecord[] = [];
  for (const n of b.nodes) {
    const c = await n.driver.client();
    try {
      out.push(...await c.diskUsage(['']));
    } finally {
      c.close();
    }
  }
  return nonce ? out.filter((r) => r.description.includes(nonce)) : out;
}

/** A build whose RUN steps leave cache records named with `nonce`. */
async function buildWith(ctx: E2E, d: DriverUnderTest, nonce: string): Promise<void> {
  const dir = await ctx.tmp('cache');
  await writeTree(dir, {
    Dockerfile: [
      `FROM ${d.baseImage}`,
      `RUN echo ${nonce} > /a && head -c 20000 /dev/zero > /b`,
      `RUN echo ${nonce}-two > /c && head -c 3000 /dev/zero > /d`,
      '',
    ].join('\n'),
  });
  const r = await ctx.buildx(['build', '--progress=plain', '--output', 'type=cacheonly', dir], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, describeRun(r));
}

/**
 * A prune filter for exactly these records: `id=` becomes BuildKit's regexp match `id~=`; dockerd
 * 20.10's BuildKit ignores a description filter when pruning.
 */
function idFilter(recs: readonly UsageRecord[]): string[] {
  return ['--filter', `id=^(${recs.map((r) => r.id).join('|')})$`];
}

/**
 * The docker driver on the containerd image store (dockerd v28) marks a build's records shared with the
 * engine's images, and BuildKit only prunes shared records with `--all` (reference buildx alike).
 */
function scopeFor(recs: readonly UsageRecord[]): { args: string[]; what: string } {
  return recs.some((r) => r.shared) ? { args: ['--all'], what: 'all build cache' } : { args: [], what: 'all dangling build cache' };
}

function rowIds(stdout: string): string[] {
  return stdout.split('\n').slice(1).filter((l) => l && !l.startsWith('Total:')).map((l) => l.split(/\s+/)[0]!.replace(/\*$/, ''));
}

e2eSuitePerDriver('du and prune', (ctx, d) => {
  it('du prints what reference buildx prints: table, verbose, json, a template', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName(8);
    await buildWith(ctx, d, nonce);
    const mine = await records(ctx, d, nonce);
    assert.ok(mine.length >= 2, `the build left records: ${(await records(ctx, d)).map((r) => `${r.id} ${r.description}`).join("\n")}`);
    const filter = ['--filter', `description~=${nonce}`];
    for (const args of [['du', ...filter], ['du', '--verbose', ...filter], ['du', '--format', 'json', ...filter],
      ['du', '--format', '{{.ID}}: {{.Size}} {{json .Parents}}', ...filter], ['du', '--format', 'table {{.ID}}\t{{.Type}}\t{{.UsageCount}}', ...filter]]) {
      const ours = await ctx.buildx(args, { timeoutMs: 60_000 });
      const ref = await reference(ctx, args);
      assert.equal(ours.code, 0, describeRun(ours));
      assert.equal(ref.code, 0, describeRun(ref));
      assert.equal(stable(ours.stdout.toString()), stable(ref.stdout.toString()), `${args.join(' ')}: same output`);
      assert.equal(ours.stderr, ref.stderr);
    }
    // Every record of ours is in the json output, sized as the daemon says.
    const json = (await ctx.buildx(['du', '--format', 'json', ...filter])).stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { ID: string; Size: string });
    assert.deepEqual(json.map((j) => j.ID).sort(), mine.map((r) => r.id).sort());
    for (const r of mine) assert.equal(json.find((j) => j.ID === r.id)!.Size, humanSize(r.size));
  });

  it('prune deletes the filtered records; its total is the sum of their sizes; output as reference prints it', { timeout: TEST_TIMEOUT }, async () => {
    const [a, b] = [randomName(8), randomName(8)];
    await buildWith(ctx, d, a);
    await buildWith(ctx, d, b);
    const beforeA = await records(ctx, d, a);
    const beforeB = await records(ctx, d, b);
    assert.ok(beforeA.length >= 2 && beforeB.length >= 2);
    const scope = scopeFor(beforeA);
    if (scope.args.length) {
      // Without --all, shared records stay, and both tools say nothing was reclaimed.
      const p = { ts: await ctx.buildx(['prune', '-f', ...idFilter(beforeA)], { timeoutMs: 120_000 }), ref: await reference(ctx, ['prune', '-f', ...idFilter(beforeA)]) };
      assert.equal(p.ts.stdout.toString(), 'Total:\t0B\n', describeRun(p.ts));
      assert.equal(p.ts.stdout.toString(), p.ref.stdout.toString());
      assert.equal((await records(ctx, d, a)).length, beforeA.length);
    }

    const ours = await ctx.buildx(['prune', '-f', ...scope.args, ...idFilter(beforeA)], { timeoutMs: 120_000 });
    assert.equal(ours.code, 0, describeRun(ours));
    const out = ours.stdout.toString();
    const deleted = rowIds(out);
    assert.deepEqual([...deleted].sort(), beforeA.map((r) => r.id).sort(), 'every record of the build, and only those');
    const sum = beforeA.reduce((s, r) => s + r.size, 0);
    assert.ok(out.endsWith(`Total:\t${humanSize(sum)}\n`), out);
    assert.deepEqual(await records(ctx, d, a), [], 'gone from the daemon');
    assert.equal((await records(ctx, d, b)).length, beforeB.length, 'the other build keeps its records');

    // The same shape of records pruned by reference buildx prints the same rows (IDs aside; the
    // daemon streams them in its own order).
    const ref = await reference(ctx, ['prune', '-f', ...scope.args, ...idFilter(beforeB)]);
    assert.equal(ref.code, 0, describeRun(ref));
    const shape = (s: string) => stable(s).replace(/^[a-z0-9]{25}(\*?)/gm, '<id>$1').split('\n').sort().join('\n');
    assert.equal(shape(out), shape(ref.stdout.toString()));
  });

  it('prune --verbose blocks and the confirmation prompt read like reference buildx', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName(8);
    await buildWith(ctx, d, nonce);
    const before = await records(ctx, d, nonce);
    const scope = scopeFor(before);
    const filter = [...scope.args, ...idFilter(before)];
    const prompt = `WARNING! This will remove ${scope.what}. Are you sure you want to continue? [y/N] `;
    // "no", an empty line and a closed stdin all mean no.
    for (const input of ['n\n', '\n', '', 'yes\n']) {
      const ours = await ctx.buildx(['prune', ...filter], { input, timeoutMs: 60_000 });
      const ref = await reference(ctx, ['prune', ...filter], input);
      assert.equal(ours.code, 0, describeRun(ours));
      assert.equal(ours.stdout.toString(), prompt);
      assert.equal(ours.stdout.toString(), ref.stdout.toString());
    }
    assert.equal((await records(ctx, d, nonce)).length, before.length, 'nothing deleted without a yes');
    const yes = await ctx.buildx(['prune', '--verbose', ...filter], { input: 'y\n', timeoutMs: 60_000 });
    assert.equal(yes.code, 0, describeRun(yes));
    const text = yes.stdout.toString();
    assert.ok(text.startsWith(`${prompt}ID:\t\t`), text);
    for (const r of before) assert.ok(text.includes(`ID:\t\t${r.id}\n`), `${r.id} in ${text}`);
    assert.match(text, new RegExp(`\\nCreated at:\\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\+0000 UTC\\nMutable:\\t(true|false)\\nReclaimable:\\ttrue\\nShared:\\t\\t${scope.args.length ? '(true|false)' : 'false'}\\nSize:\\t\\t`));
    assert.ok(text.endsWith(`\nTotal:\t${humanSize(before.reduce((s, r) => s + r.size, 0))}\n`), text);
    assert.deepEqual(await records(ctx, d, nonce), []);
  });

  it('library: diskUsage() returns the daemon\'s records, prune() streams the deleted ones', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName(8);
    await buildWith(ctx, d, nonce);
    const daemon = await records(ctx, d, nonce);
    const listed = await diskUsage({ builder: d.builder, env: ctx.env, filters: [`description~=${nonce}`] });
    assert.deepEqual(listed.map((r) => r.id).sort(), daemon.map((r) => r.id).sort());
    for (const r of listed) assert.equal(r.size, daemon.find((x) => x.id === r.id)!.size);
    const deleted: UsageRecord[] = [];
    for await (const r of prune({ builder: d.builder, env: ctx.env, all: scopeFor(daemon).args.length > 0, filters: [idFilter(daemon)[1]!] })) deleted.push(r);
    assert.deepEqual(deleted.map((r) => r.id).sort(), daemon.map((r) => r.id).sort());
    assert.deepEqual(await records(ctx, d, nonce), []);
    await assert.rejects(diskUsage({ builder: d.builder, env: ctx.env, filters: ['until=1x'] }),
      { message: '"until" filter expects a duration (e.g., \'24h\'): time: unknown unit "x" in duration "1x"' });
  });

  it('bad input: one line, exit 1, as reference, nothing deleted', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName(8);
    await buildWith(ctx, d, nonce);
    const recs = await records(ctx, d, nonce);
    const before = recs.map((r) => r.id).sort();
    const f = idFilter(recs)[1]!;
    for (const args of [
      ['prune', '-f', '--filter', f, '--keep-storage', 'foo'],
      ['prune', '-f', '--filter', f, '--reserved-space', '1.5.5'],
      ['prune', '-f', '--filter', f, '--max-used-space', '10xb'],
      ['prune', '-f', '--filter', f, '--filter', 'until=abc'],
      ['prune', '-f', '--filter', f, '--filter', 'until=1h', '--filter', 'unused-for=1h'],
      ['prune', '-f', '--filter', f, '--filter', 'nameonly'],
      ['prune', '-f', '--filter', f, '--filter', 'type=regular', '--filter', 'type=internal'],
      ['prune', '-f', '--filter', f, 'extra'],
      ['du', '--verbose', '--format', 'json'],
      ['du', '--format', '{{.Nope}}', '--filter', f],
      ['du', '--format', '{{nope}}'],
    ]) {
      const ours = await ctx.buildx(args, { timeoutMs: 60_000 });
      const ref = await reference(ctx, args);
      assert.equal(ours.code, 1, describeRun(ours));
      assert.equal(ours.stderr, ref.stderr, args.join(' '));
      assert.equal(ours.stdout.toString(), ref.stdout.toString());
      if (args.at(-1) !== 'extra') assert.equal(ours.stderr.split('\n').length, 2, `one line: ${ours.stderr}`);
    }
    assert.deepEqual((await records(ctx, d, nonce)).map((r) => r.id).sort(), before);
  });

  if (d.name !== 'docker') {
    it('a builder whose container does not exist: du and prune fail with the daemon\'s answer, as reference', { timeout: TEST_TIMEOUT }, async () => {
      const name = `duinact${ctx.id}`;
      const created = await ctx.buildx(['create', '--name', name, '--driver', 'docker-container'], { timeoutMs: 60_000 });
      assert.equal(created.code, 0, describeRun(created));
      try {
        for (const args of [['du', '--builder', name], ['prune', '-f', '--builder', name]]) {
          const ours = await ctx.buildx(args, { timeoutMs: 60_000 });
          const ref = await reference(ctx, args);
          assert.equal(ours.code, 1, describeRun(ours));
          assert.equal(ours.stderr, `ERROR: Error response from daemon: No such container: buildx_buildkit_${name}0\n`);
          assert.equal(ours.stderr, ref.stderr);
        }
      } finally {
        await ctx.buildx(['rm', name], { timeoutMs: 60_000 });
      }
    });

    // Unfiltered output covers every record of the builder: only on a builder of the suite's own.
    it('du with its summary matches reference; docker builder prune -af reaches the plugin and empties the builder', { timeout: TEST_TIMEOUT }, async () => {
      await buildWith(ctx, d, randomName(8));
      for (const args of [['du'], ['du', '--verbose']]) {
        const ours = await ctx.buildx(args, { timeoutMs: 60_000 });
        const ref = await reference(ctx, args);
        assert.equal(ours.code, 0, describeRun(ours));
        assert.equal(stable(ours.stdout.toString()), stable(ref.stdout.toString()));
        assert.match(ours.stdout.toString(), /\nReclaimable:\t\S+\nTotal:\t\t\S+\n$/);
      }
      const before = await records(ctx, d);
      const r = await ctx.docker(['builder', 'prune', '-af'], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, describeRun(r));
      const out = r.stdout.toString();
      assert.ok(out.startsWith('ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED\n') || out.startsWith('ID\t\t\t\t\t\tRECLAIMABLE'), out);
      const gone = rowIds(out).sort();
      assert.deepEqual(gone, before.filter((x) => !x.inUse).map((x) => x.id).sort());
      assert.ok(out.endsWith(`Total:\t${humanSize(before.filter((x) => !x.inUse).reduce((s, x) => s + x.size, 0))}\n`), out);
      assert.deepEqual((await records(ctx, d)).filter((x) => !x.inUse), []);
      const du = await ctx.docker(['buildx', 'du'], { timeoutMs: 60_000 });
      assert.equal(du.code, 0, describeRun(du));
      assert.equal(stable(du.stdout.toString()), stable((await reference(ctx, ['du'])).stdout.toString()));
    });
  }
});
