// Builders of several docker-container nodes against the real dockerd and the local registry: each
// platform is built on the node created for it, in parallel, and the nodes' images are combined into one
// index pushed to the tag; archives and pushes without a tag are refused as buildx refuses them; a single
// platform goes to its node; a registry cache written by a split build serves every platform of a rerun
// on a fresh builder (buildx keeps only the last node's, buildx#1044).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { listHistory } from '../../src/index.js';
import { REFERENCE_BUILDX } from './buildkitd-daemon.js';
import { containerBuilders, REGISTRY } from './container-builders.js';
import { describeRun, e2eSuite, parseRawJson, run, RUN_JS as RUN_JS_PATH, TEST_TIMEOUT, writeTree, type RunResult } from './helpers.js';
import { fetchManifest, fileInPlatformImage } from './registry-read.js';

const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const UNAME: Record<string, string> = { 'linux/amd64': 'x86_64\n', 'linux/arm64': 'aarch64\n' };

e2eSuite('multi-node builders', (ctx) => {
  const fx = containerBuilders(ctx);
  const extraNodes: string[] = [];
  let project = '';
  let context = '';
  const ok = async (p: Promise<RunResult>): Promise<RunResult> => {
    const r = await p;
    assert.equal(r.code, 0, describeRun(r));
    return r;
  };
  const ts = (args: string[]) => ctx.buildx(args, { timeoutMs: 170_000 });

  /** A builder of one node per platform; the second node reaches the same engine through a context of its own. */
  async function twoNodeBuilder(what: string): Promise<string> {
    const name = fx.name(what);
    await ok(ts([...fx.createArgs(name, '--node', `${name}0`, '--platform', PLATFORMS[0]!)]));
    await ok(ts([...fx.createArgs(name, '--append', '--node', `${name}1`, '--platform', PLATFORMS[1]!), context]));
    extraNodes.push(`${name}1`);
    return name;
  }

  before(async () => {
    context = `tsbx-mn-${ctx.id}`;
    await ctx.dockerOk(['context', 'create', context, '--docker', `host=${process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'}`]);
    project = await ctx.tmp('mn-project');
    await writeTree(project, {
      Dockerfile: `FROM ${REGISTRY}/busybox:latest\nARG NONCE\nRUN echo $NONCE > /nonce && uname -m > /arch\n`,
    });
  });

  after(async () => {
    for (const node of extraNodes) {
      await ctx.docker(['rm', '-f', '-v', `buildx_buildkit_${node}`], { timeoutMs: 60_000 }).catch(() => undefined);
      await ctx.docker(['volume', 'rm', '-f', `buildx_buildkit_${node}_state`], { timeoutMs: 60_000 }).catch(() => undefined);
    }
  }, { timeout: 120_000 });

  let builder = '';

  it('a 2-platform push builds each platform on its node and pushes one index with both', { timeout: TEST_TIMEOUT * 2 }, async () => {
    builder = await twoNodeBuilder('mn');
    const image = `${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:v1`;
    const meta = ctx.path('mn-meta.json');
    const r = await ok(ts(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '--build-arg', `NONCE=${ctx.id}`,
      '-t', image, '--push', '--metadata-file', meta, '--progress', 'rawjson', project]));

    const index = await fetchManifest(image);
    assert.ok(index, `${image} was not pushed`);
    const platforms = (index.manifest.manifests ?? []).map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort();
    assert.deepEqual(platforms, PLATFORMS);
    const metadata = JSON.parse(await readFile(meta, 'utf8')) as Record<string, unknown>;
    assert.equal(metadata['containerimage.digest'], index.digest, 'the metadata holds the merged index');
    for (const p of PLATFORMS) assert.equal(await fileInPlatformImage(image, p, 'arch'), UNAME[p], `uname -m of ${p}`);

    // Each node's daemon recorded the build for its platform only.
    const records = await listHistory({ builder, env: ctx.env });
    const newest = (node: string) => records.find((x) => x.node === node);
    assert.equal(newest(`${builder}0`)?.record.frontendAttrs['platform'], PLATFORMS[0]);
    assert.equal(newest(`${builder}1`)?.record.frontendAttrs['platform'], PLATFORMS[1]);
    assert.equal(newest(`${builder}0`)?.record.ref, newest(`${builder}1`)?.record.ref, 'one ref for both nodes, as buildx');

    const names = [...parseRawJson(r.stderr).vertices.values()].map((v) => v.name);
    assert.ok(names.includes(`[internal] ${builder}0 builds linux/amd64`), names.join('\n'));
    assert.ok(names.includes(`[internal] ${builder}1 builds linux/arm64`), names.join('\n'));
    assert.ok(names.includes(`merging manifest list ${image}`), names.join('\n'));
  });

  it('the combined index and the metadata file are byte for byte reference buildx\'s for a reproducible build', { timeout: TEST_TIMEOUT * 2 }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const env = { ...ctx.env, SOURCE_DATE_EPOCH: '1' };
    const build = (cmd: string, pre: string[], extra: string[], tag: string, meta: string) => run(cmd, [...pre, 'build', ...extra, '--builder', builder, '--platform', PLATFORMS.join(','),
      '--build-arg', `NONCE=repro-${ctx.id}`, '-t', `${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:${tag}`, '--push', '--metadata-file', meta, project], { timeoutMs: 170_000 }, env);
    const refMeta = ctx.path('mn-ref.json');
    const tsMeta = ctx.path('mn-ts.json');
    // tsbuildx adds no provenance attestation yet; reference is asked for none.
    const ref = await build(REFERENCE_BUILDX, [], ['--provenance=false'], 'ref', refMeta);
    assert.equal(ref.code, 0, describeRun(ref));
    const ours = await build(process.execPath, [RUN_JS_PATH], [], 'ts', tsMeta);
    assert.equal(ours.code, 0, describeRun(ours));
    assert.equal(await readFile(tsMeta, 'utf8'), await readFile(refMeta, 'utf8'));
    const a = await fetchManifest(`${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:ref`);
    const b = await fetchManifest(`${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:ts`);
    assert.ok(a && b);
    assert.equal(b.digest, a.digest);
  });

  it('imagetools inspect of a split build with provenance prints what reference buildx prints', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const image = `${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:prov`;
    await ok(ts(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '--provenance=mode=min', '--build-arg', 'NONCE=prov', '-t', image, '--push', project]));
    const index = await fetchManifest(image);
    const attestations = (index?.manifest.manifests ?? []).filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    assert.equal(attestations.length, 2, 'one attestation manifest per node');
    // buildx prints an entry's annotations in Go's map order, which varies run to run; compared sorted.
    const sortAnnotations = (text: string) => text.replace(/(?:^ {4}\S.*\n)+/gm, (block) => block.split('\n').filter(Boolean).sort().join('\n') + '\n');
    for (const extra of [[], ['--raw'], ['--format', '{{json .Manifest}}'], ['--format', '{{json .Image}}'], ['--format', '{{json .Provenance}}']]) {
      const args = ['imagetools', 'inspect', image, ...extra];
      const ours = await ok(ts(args));
      const ref = await ok(run(REFERENCE_BUILDX, args, { timeoutMs: 60_000 }, ctx.env));
      assert.equal(sortAnnotations(ours.stdout.toString('utf8')), sortAnnotations(ref.stdout.toString('utf8')), `imagetools inspect ${extra.join(' ')}`);
    }
  });

  it('--annotation reaches the combined index and every node\'s manifests', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const image = `${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:annotated`;
    await ok(ts(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '--build-arg', 'NONCE=annotated',
      '--annotation', 'index:org.example.index=on-index', '--annotation', 'org.example.manifest=on-manifest', '-t', image, '--push', project]));
    const index = await fetchManifest(image);
    assert.ok(index);
    assert.equal((index.manifest as { annotations?: Record<string, string> }).annotations?.['org.example.index'], 'on-index');
    for (const entry of index.manifest.manifests ?? []) {
      const m = await fetchManifest(`${image.replace(/:annotated$/, '')}@${entry.digest}`);
      assert.equal((m?.manifest as { annotations?: Record<string, string> }).annotations?.['org.example.manifest'], 'on-manifest', entry.digest);
    }
  });

  it('the same build on one node gives the same files per platform', { timeout: TEST_TIMEOUT }, async () => {
    const single = fx.name('mn-one');
    await ok(ts(fx.createArgs(single)));
    const image = `${REGISTRY}/tsbuildx-e2e-mn-${ctx.id}:one`;
    await ok(ts(['build', '--builder', single, '--platform', PLATFORMS.join(','), '--build-arg', `NONCE=${ctx.id}`, '-t', image, '--push', project]));
    for (const p of PLATFORMS) {
      assert.equal(await fileInPlatformImage(image, p, 'arch'), UNAME[p]);
      assert.equal(await fileInPlatformImage(image, p, 'nonce'), `${ctx.id}\n`);
    }
    await ok(ts(['rm', single]));
  });

  it('a single platform with --load goes to the node made for it', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const tag = ctx.tag('mn-load');
    await ok(ts(['build', '--builder', builder, '--platform', 'linux/arm64', '--build-arg', 'NONCE=load', '--load', '-t', tag, project]));
    const records = await listHistory({ builder, env: ctx.env });
    assert.equal(records[0]?.node, `${builder}1`, 'the newest record is on the arm64 node');
    assert.equal((await ctx.dockerOk(['image', 'inspect', '--format', '{{.Architecture}}', tag])).toString('utf8').trim(), 'arm64');
  });

  it('refuses archives and a push without a tag across nodes, writing nothing', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    for (const [output, message] of [['type=oci,dest=', 'oci'], ['type=tar,dest=', 'tar']] as const) {
      const dest = ctx.path('mn-archive.tar');
      const r = await ts(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '-o', `${output}${dest}`, project]);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, new RegExp(`^ERROR: failed to build: ${message} for multi-node builds currently not supported$`, 'm'));
      assert.equal(existsSync(dest), false);
    }
    const r = await ts(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '-o', 'type=image,push=true', project]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /^ERROR: failed to build: tag is needed when pushing to registry$/m);
  });

  it('a local output of a split build holds each node\'s platform, also from a context on stdin', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const dest = ctx.path('mn-local');
    // A tar context on stdin can be read once; both nodes get all of it.
    const tar = await ok(run('tar', ['-C', project, '-c', '.'], { timeoutMs: 30_000 }));
    await ok(ctx.buildx(['build', '--builder', builder, '--platform', PLATFORMS.join(','), '--build-arg', 'NONCE=local', '-o', `type=local,dest=${dest}`, '-'],
      { input: tar.stdout, timeoutMs: 170_000 }));
    assert.equal(await readFile(join(dest, 'linux_amd64', 'arch'), 'utf8'), UNAME['linux/amd64']);
    assert.equal(await readFile(join(dest, 'linux_arm64', 'arch'), 'utf8'), UNAME['linux/arm64']);
  });

  it('a registry cache of a split build serves every platform on a fresh builder (buildx#1044)', { timeout: TEST_TIMEOUT * 2 }, async () => {
    assert.ok(builder, 'needs the builder of the first test');
    const cache = `${REGISTRY}/tsbuildx-e2e-mn-cache-${ctx.id}:main`;
    const nonce = `cache-${ctx.id}`;
    const args = (b: string, ...extra: string[]) => ['build', '--builder', b, '--platform', PLATFORMS.join(','), '--build-arg', `NONCE=${nonce}`, '-o', 'type=cacheonly', '--progress', 'rawjson', ...extra, project];
    await ok(ts(args(builder, '--cache-to', `type=registry,ref=${cache},mode=max`)));
    for (const p of PLATFORMS) assert.ok(await fetchManifest(`${cache}-${p.replace('/', '-')}`), `cache of ${p}`);

    const fresh = await twoNodeBuilder('mn-fresh');
    const r = await ok(ts(args(fresh, '--cache-from', `type=registry,ref=${cache}`)));
    const runs = [...parseRawJson(r.stderr).vertices.values()].filter((v) => / RUN /.test(v.name ?? ''));
    assert.deepEqual(runs.map((v) => v.name).sort(), PLATFORMS.map((p) => `[${p} 2/2] RUN echo ${nonce} > /nonce && uname -m > /arch`).sort());
    for (const v of runs) assert.equal(v.cached, true, `${v.name} was not taken from the cache`);
    await ok(ts(['rm', fresh]));
  });
});
