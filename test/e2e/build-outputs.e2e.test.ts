// Where a build's result goes: local directory, tar file, tar on stdout, and the image store with labels,
// tags, --iidfile, --metadata-file and -q.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { e2eSuitePerDriver } from './drivers.js';
import { describeRun, randomName, run, TEST_TIMEOUT, writeTree } from './helpers.js';

/** A scratch result with known contents and modes, including a 0777 file (survives only if modes are set, not umasked). */
function outputDockerfile(nonce: string, baseImage: string): string {
  return [
    `FROM ${baseImage} AS files`,
    'RUN mkdir -p /out/sub/empty'
      + ` && echo hello-${nonce} > /out/hello.txt && chmod 0640 /out/hello.txt`
      + ' && printf "#!/bin/sh\\necho run\\n" > /out/sub/exec.sh && chmod 0755 /out/sub/exec.sh'
      + ' && echo open > /out/open.txt && chmod 0777 /out/open.txt'
      + ' && ln -s hello.txt /out/link',
    'FROM scratch',
    'COPY --from=files /out/ /',
    '',
  ].join('\n');
}

const perm = (p: string) => (lstatSync(p).mode & 0o7777).toString(8);

/** Checks a directory holding the tree `outputDockerfile` produces. */
function assertOutputTree(dir: string, nonce: string): void {
  assert.equal(readFileSync(join(dir, 'hello.txt'), 'utf8'), `hello-${nonce}\n`);
  assert.equal(perm(join(dir, 'hello.txt')), '640');
  assert.equal(readFileSync(join(dir, 'sub/exec.sh'), 'utf8'), '#!/bin/sh\necho run\n');
  assert.equal(perm(join(dir, 'sub/exec.sh')), '755');
  assert.equal(perm(join(dir, 'open.txt')), '777');
  assert.ok(lstatSync(join(dir, 'sub/empty')).isDirectory(), 'empty directory arrives');
  assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink(), 'symlink stays a link');
  assert.equal(readlinkSync(join(dir, 'link')), 'hello.txt');
}

async function tarList(file: string): Promise<string[]> {
  const r = await run('tar', ['-tf', file], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `tar -tf ${file}: ${describeRun(r)}`);
  return r.stdout.toString('utf8').split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).sort();
}

async function tarExtract(file: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const r = await run('tar', ['-xpf', file, '-C', dest], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `tar -xf ${file}: ${describeRun(r)}`);
}

const EXPECTED_ENTRIES = ['hello.txt', 'link', 'open.txt', 'sub', 'sub/empty', 'sub/exec.sh'];

e2eSuitePerDriver('build: outputs', (ctx, d) => {
  it('-o type=local,dest=DIR creates DIR with the files, contents and modes', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('local-ctx');
    await writeTree(dir, { Dockerfile: outputDockerfile(nonce, d.baseImage) });
    const dest = join(ctx.path('local-out'), 'nested', 'dest');
    assert.ok(!existsSync(dest));
    const r = await ctx.buildx(['build', '--progress=plain', '-o', `type=local,dest=${dest}`, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assertOutputTree(dest, nonce);
  });

  it('-o type=tar,dest=FILE writes a tar of the result', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('tar-ctx');
    await writeTree(dir, { Dockerfile: outputDockerfile(nonce, d.baseImage) });
    const file = `${ctx.path('tar-out')}.tar`;
    const r = await ctx.buildx(['build', '--progress=plain', '-o', `type=tar,dest=${file}`, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(await tarList(file), EXPECTED_ENTRIES);
    const x = ctx.path('tar-x');
    await tarExtract(file, x);
    assertOutputTree(x, nonce);
  });

  it('-o - writes a tar to stdout and progress to stderr', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('stdout-ctx');
    await writeTree(dir, { Dockerfile: outputDockerfile(nonce, d.baseImage) });
    const r = await ctx.buildx(['build', '--progress=plain', '-o', '-', dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /^#0 building with /);
    const file = `${ctx.path('stdout')}.tar`;
    await writeFile(file, r.stdout);
    assert.deepEqual(await tarList(file), EXPECTED_ENTRIES);
    const x = ctx.path('stdout-x');
    await tarExtract(file, x);
    assertOutputTree(x, nonce);
  });

  it('--label, repeated -t, --iidfile and --metadata-file describe the image in the store', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('meta-ctx');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo ${nonce} > /nonce\n` });
    const [t1, t2] = [ctx.tag('meta-one'), ctx.tag('meta-two')];
    const out = await ctx.tmp('meta-files');
    const iidfile = join(out, 'iid');
    const metadataFile = join(out, 'metadata.json');
    const r = await ctx.buildx([
      'build', '--progress=plain', '-t', t1, ...d.loadArgs, '-t', t2,
      '--label', `e2e.nonce=${nonce}`, '--label', 'e2e.spaces=a b  c', '--label', 'e2e.bare', '--label', 'e2e.eq=x=y',
      '--iidfile', iidfile, '--metadata-file', metadataFile, dir,
    ], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));

    const id = await ctx.imageId(t1);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await ctx.imageId(t2), id, 'both tags name the same image');
    const labels = JSON.parse((await ctx.dockerOk(['image', 'inspect', '--format', '{{json .Config.Labels}}', t1])).toString('utf8')) as Record<string, string>;
    assert.equal(labels['e2e.nonce'], nonce);
    assert.equal(labels['e2e.spaces'], 'a b  c');
    assert.equal(labels['e2e.bare'], '', 'a bare label key gets an empty value');
    assert.equal(labels['e2e.eq'], 'x=y');

    assert.equal(readFileSync(iidfile, 'utf8'), id, '--iidfile holds exactly the image id');
    const meta = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
    assert.match(String(meta['containerimage.digest']), /^sha256:[0-9a-f]{64}$/);
    // On the classic image store the config digest is the image id; where the daemon reports it, it must agree.
    assert.equal(meta['containerimage.config.digest'] ?? meta['containerimage.digest'], id);
    assert.match(String(meta['buildx.build.ref']), new RegExp(`^${d.builder}/${d.nodeName}/[a-z0-9]{20,}$`));
    assert.deepEqual(Object.keys(meta), [...Object.keys(meta)].sort(), 'keys are sorted');
  });

  it('-q prints only the image id on stdout', { timeout: TEST_TIMEOUT }, async () => {
    const nonce = randomName();
    const dir = await ctx.tmp('quiet-ctx');
    await writeTree(dir, { Dockerfile: `FROM ${d.baseImage}\nRUN echo quiet-${nonce} > /nonce\n` });
    const tag = ctx.tag('quiet');
    const r = await ctx.buildx(['build', '-q', '-t', tag, ...d.loadArgs, dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout.toString('utf8'), `${await ctx.imageId(tag)}\n`);
    assert.equal(r.stderr, '', 'no progress output');
  });
});
