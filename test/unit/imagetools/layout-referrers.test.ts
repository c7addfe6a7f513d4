// Referrers and OCI layouts: a signature whose subject is an attestation manifest is listed in the
// layout's index.json under io.containerd.manifest.subject, found again from there, and carried over
// when the layout is copied; what the named roots already reach is never listed twice.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageTools, parseLocation, type Descriptor, type Index } from '../../../src/imagetools/index.js';
import { findLayoutReferrers, PendingReferrers, SUBJECT_ANNOTATION, writePendingReferrers } from '../../../src/imagetools/layout-referrers.js';
import { isNotFound } from '../../../src/registry/errors.js';
import { OCILayoutStore } from '../../../src/registry/oci-layout.js';
import { writeBlob } from './layout-blobs.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';

async function readIndex(root: string): Promise<Index> {
  return JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as Index;
}

interface Fixture {
  root: Descriptor;
  image: Descriptor;
  attestation: Descriptor;
  signature: Descriptor;
}

/** An index of one image and its attestation manifest; a signature of the attestation stands apart. */
async function makeSource(root: string): Promise<Fixture> {
  const layer = await writeBlob(root, 'layer', 'application/vnd.oci.image.layer.v1.tar');
  const config = await writeBlob(root, JSON.stringify({ architecture: 'amd64', os: 'linux' }), 'application/vnd.oci.image.config.v1+json');
  const image = await writeBlob(root, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }), OCI_MANIFEST);
  const statement = await writeBlob(root, '{"predicateType":"https://slsa.dev/provenance/v1"}', 'application/vnd.in-toto+json');
  const attConfig = await writeBlob(root, '{}', EMPTY);
  const attBody = await writeBlob(root, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: attConfig, layers: [statement], subject: image }), OCI_MANIFEST);
  const attestation: Descriptor = { ...attBody, annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' }, platform: { architecture: 'unknown', os: 'unknown' } };
  const sigLayer = await writeBlob(root, '{"kind":"fake-referrer"}', BUNDLE);
  const sigAnnotations = { 'dev.sigstore.bundle.content': 'dsse-envelope' };
  const sigBody = await writeBlob(root, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: BUNDLE, config: { ...attConfig, artifactType: BUNDLE }, layers: [sigLayer], subject: attestation, annotations: sigAnnotations }), OCI_MANIFEST);
  const signature: Descriptor = { ...sigBody, annotations: sigAnnotations, artifactType: BUNDLE };
  const rootIdx = await writeBlob(root, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...image, platform: { architecture: 'amd64', os: 'linux' } }, attestation] }), OCI_INDEX);
  await writeFile(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(root, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { ...rootIdx, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      { ...signature, annotations: { ...sigAnnotations, [SUBJECT_ANNOTATION]: attestation.digest } },
    ],
  }));
  return { root: rootIdx, image, attestation, signature };
}

describe('referrers in an OCI layout', () => {
  let dir = '';
  let src = '';
  let fx: Fixture;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'it-layout-referrers-'));
    src = join(dir, 'src');
    fx = await makeSource(src);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds referrers reachable from the roots and those listed by subject', async () => {
    const store = new OCILayoutStore(src);
    assert.deepEqual((await findLayoutReferrers(store, fx.image.digest)).map((d) => d.digest), [fx.attestation.digest]);
    const sigs = await findLayoutReferrers(store, fx.attestation.digest);
    assert.deepEqual(sigs.map((d) => d.digest), [fx.signature.digest]);
    assert.equal(sigs[0]!.annotations?.[SUBJECT_ANNOTATION], fx.attestation.digest);
    assert.deepEqual(await findLayoutReferrers(store, fx.attestation.digest, ['application/x-other']), []);
    await assert.rejects(findLayoutReferrers(store, fx.signature.digest), (err: unknown) => isNotFound(err));
  });

  it('lists copied referrers in the target index.json, once, and not what the root reaches', async () => {
    const dest = join(dir, 'dest');
    const tools = new ImageTools({});
    const target = parseLocation(`oci-layout://${dest}:v1`);
    await tools.copy({ ref: parseLocation(`oci-layout://${src}:latest`), desc: fx.root }, target);
    const bytes = await readFile(join(src, 'blobs/sha256', fx.root.digest.slice(7)));
    await tools.pushManifest(target, fx.root, bytes);

    const idx = await readIndex(dest);
    assert.equal(idx.manifests.length, 2);
    assert.equal(idx.manifests[0]!.digest, fx.root.digest);
    assert.equal(idx.manifests[0]!.annotations?.['org.opencontainers.image.ref.name'], 'v1');
    const sig = idx.manifests[1]!;
    assert.equal(sig.digest, fx.signature.digest);
    assert.equal(sig.artifactType, BUNDLE);
    assert.deepEqual(sig.annotations, { 'dev.sigstore.bundle.content': 'dsse-envelope', [SUBJECT_ANNOTATION]: fx.attestation.digest });
    assert.ok(!idx.manifests.some((d) => d.digest === fx.attestation.digest), 'the attestation is reached through the root');
    await readFile(join(dest, 'blobs/sha256', fx.signature.digest.slice(7)));

    // Publishing again under another tag has nothing pending left to list.
    await tools.pushManifest(parseLocation(`oci-layout://${dest}:v2`), fx.root, bytes);
    assert.equal((await readIndex(dest)).manifests.filter((d) => d.annotations?.[SUBJECT_ANNOTATION]).length, 1);
  });

  it('keeps pending referrers per layout and subject, without duplicates', () => {
    const p = new PendingReferrers();
    p.record('/a', 'sha256:s', [fx.signature, fx.signature]);
    p.record('/a', 'sha256:s', [fx.signature, fx.attestation]);
    p.record('/a', 'sha256:t', []);
    p.record('/b', 'sha256:s', [fx.image]);
    const a = p.take('/a');
    assert.deepEqual([...a.keys()], ['sha256:s']);
    assert.deepEqual(a.get('sha256:s')!.map((d) => d.digest), [fx.signature.digest, fx.attestation.digest]);
    assert.equal(p.take('/a').size, 0);
    assert.equal(p.take('/b').size, 1);
  });

  it('writes an unnamed entry per unreached referrer, keeping a subject annotation it carries', async () => {
    const root = join(dir, 'write');
    const f = await makeSource(root);
    await writeFile(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...f.root, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
    const other: Descriptor = { mediaType: OCI_MANIFEST, digest: `sha256:${'a'.repeat(64)}`, size: 3, annotations: { [SUBJECT_ANNOTATION]: 'sha256:elsewhere' } };
    await writePendingReferrers(new OCILayoutStore(root), new Map([[f.attestation.digest, [f.attestation, f.signature, other]]]));
    const idx = await readIndex(root);
    assert.equal(idx.mediaType, OCI_INDEX);
    assert.deepEqual(idx.manifests.map((d) => [d.digest, d.annotations?.[SUBJECT_ANNOTATION]]), [
      [f.root.digest, undefined],
      [f.signature.digest, f.attestation.digest],
      [other.digest, 'sha256:elsewhere'],
    ]);
    assert.equal(idx.manifests[1]!.annotations?.['org.opencontainers.image.ref.name'], undefined);
  });
});
