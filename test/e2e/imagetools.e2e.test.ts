// `imagetools inspect` and `imagetools create` against the real local registry, compared byte for byte
// with reference buildx on the same content: the provisioned two-platform busybox index and its two
// manifests as sources, indexes each tool creates in repositories of this run, OCI layouts, bad input.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { REFERENCE_BUILDX as REF } from './buildkitd-daemon.js';
import { describeRun, e2eSuite, run, TEST_TIMEOUT, type RunResult } from './helpers.js';

const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';
const BASE = `${REGISTRY}/busybox:latest`;

interface Raw { mediaType: string; manifests: { digest: string; platform?: { architecture: string } }[] }

e2eSuite('imagetools inspect and create match reference buildx', (ctx) => {
  const repo = (name: string) => `${REGISTRY}/tsbuildx-e2e-${ctx.id}-it/${name}`;
  const ts = (args: string[]): Promise<RunResult> => ctx.buildx(['imagetools', ...args], { timeoutMs: 120_000 });
  const ref = (args: string[]): Promise<RunResult> => run(REF, ['imagetools', ...args], { timeoutMs: 120_000 }, ctx.env);
  const ok = async (p: Promise<RunResult>): Promise<string> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r.stdout.toString('utf8');
  };
  /** Same exit status, stdout and stderr from both tools. */
  const same = async (a: string[], b = a): Promise<string> => {
    const [x, y] = [await ts(a), await ref(b)];
    assert.equal(x.code, y.code, `${a.join(' ')}: exit codes differ\n${describeRun(x)}\n${describeRun(y)}`);
    assert.equal(x.stdout.toString('utf8'), y.stdout.toString('utf8'), `${a.join(' ')}: stdout differs`);
    assert.equal(x.stderr, y.stderr, `${a.join(' ')}: stderr differs`);
    return x.stdout.toString('utf8');
  };
  const manifests = async (): Promise<string[]> => {
    const raw = JSON.parse(await ok(ref(['inspect', '--raw', BASE]))) as Raw;
    return raw.manifests.map((m) => `${REGISTRY}/busybox@${m.digest}`);
  };

  it('inspect: the table, --raw and every --format field of an index', { timeout: TEST_TIMEOUT }, async () => {
    for (const f of [[], ['--raw'], ['--format', '{{json .Manifest}}'], ['--format', '{{json .Image}}'], ['--format', '{{json .Provenance}}'],
      ['--format', '{{json .SBOM}}'], ['--format', '{{json .}}'], ['--format', '{{.Name}} {{.Manifest.Digest}}'], ['--format', '{{.Manifest}}']]) {
      await same([...f, BASE]);
    }
  });

  it('inspect: one manifest by digest, and a missing tag, an unreachable registry and a bad name fail alike', { timeout: TEST_TIMEOUT }, async () => {
    const [amd] = await manifests();
    await same([amd!]);
    await same(['--format', '{{json .Image}}', amd!]);
    await same([`${repo('none')}:latest`]);
    await same(['127.0.0.1:5999/nothing:latest']);
    await same(['Bad Name']);
    await same(['--raw', '--format', '{{.Name}}', BASE]);
  });

  it('create: two manifests become the same index reference buildx makes, dry-run and pushed', { timeout: TEST_TIMEOUT }, async () => {
    const [amd, arm] = await manifests();
    const dry = await same(['create', '--dry-run', amd!, arm!]);
    assert.equal((JSON.parse(dry) as Raw).manifests.length, 2);
    await ok(ts(['create', '--progress', 'quiet', '-t', `${repo('pair')}:ts`, '--metadata-file', ctx.path('md-ts'), amd!, arm!]));
    await ok(ref(['create', '--progress', 'quiet', '-t', `${repo('pair')}:ref`, amd!, arm!]));
    assert.equal(await ok(ts(['inspect', '--raw', `${repo('pair')}:ts`])), await ok(ref(['inspect', '--raw', `${repo('pair')}:ref`])));
    assert.equal(await ok(ts(['inspect', `${repo('pair')}:ts`])), (await ok(ref(['inspect', `${repo('pair')}:ts`]))));
  });

  it('create: --append, --annotation, --platform and --prefer-index=false as buildx', { timeout: TEST_TIMEOUT }, async () => {
    const [amd, arm] = await manifests();
    await ok(ts(['create', '--progress', 'quiet', '-t', `${repo('app')}:ts`, amd!]));
    await ok(ref(['create', '--progress', 'quiet', '-t', `${repo('app')}:ref`, amd!]));
    await ok(ts(['create', '--progress', 'quiet', '--append', '-t', `${repo('app')}:ts`, arm!]));
    await ok(ref(['create', '--progress', 'quiet', '--append', '-t', `${repo('app')}:ref`, arm!]));
    assert.equal(await ok(ts(['inspect', '--raw', `${repo('app')}:ts`])), await ok(ref(['inspect', '--raw', `${repo('app')}:ref`])));
    await same(['create', '--dry-run', '--annotation', 'index:org.opencontainers.image.title=t<1>', '--annotation', 'manifest-descriptor[linux/arm64]:k=v', amd!, arm!]);
    await same(['create', '--dry-run', '--platform', 'linux/arm64', BASE]);
    await same(['create', '--dry-run', '--prefer-index=false', amd!]);
    await same(['create', '--dry-run', '--annotation', 'manifest:k=v', amd!, arm!]);
    await same(['create', '--dry-run', '--platform', 'linux/s390x', BASE]);
  });

  it('create: an OCI layout target gets the same files, and inspects alike', { timeout: TEST_TIMEOUT }, async () => {
    const [amd, arm] = await manifests();
    const [a, b] = [ctx.path('layout-ts'), ctx.path('layout-ref')];
    await ok(ts(['create', '--progress', 'quiet', '-t', `oci-layout://${a}:v1`, amd!, arm!]));
    await ok(ref(['create', '--progress', 'quiet', '-t', `oci-layout://${b}:v1`, amd!, arm!]));
    assert.equal(await readFile(`${a}/index.json`, 'utf8'), await readFile(`${b}/index.json`, 'utf8'));
    assert.deepEqual((await readdir(`${a}/blobs/sha256`)).sort(), (await readdir(`${b}/blobs/sha256`)).sort());
    await same(['inspect', `oci-layout://${b}:v1`]);
    await same(['inspect', '--format', '{{json .Manifest}}', `oci-layout://${b}:v1`]);
  });

  it('create: bad input fails as buildx does and pushes nothing', { timeout: TEST_TIMEOUT }, async () => {
    const [amd] = await manifests();
    const digest = amd!.slice(amd!.indexOf('@') + 1);
    await same(['create', '-t', `${repo('bad')}:x`]);
    await same(['create', amd!]);
    await same(['create', '-t', `${repo('bad')}:x`, `${repo('bad')}:Bad Tag`]);
    await same(['create', '-t', `${repo('bad')}:x`, '-t', `${repo('bad2')}:x`, digest]);
    await same(['create', '-t', `${repo('bad')}:x`, `${repo('missing')}:latest`]);
    await same(['create', '-t', `${repo('bad')}:x`, '127.0.0.1:5999/nothing:latest']);
    await same(['create', '-t', `${repo('bad')}:x`, '--annotation', 'nokey', amd!]);
    const tags = await fetch(`http://${REGISTRY}/v2/tsbuildx-e2e-${ctx.id}-it/bad/tags/list`);
    assert.equal(tags.status, 404, 'nothing was pushed');
  });
});
