// combine() and the inspect table over an OCI layout made here: two single-platform images whose
// platforms come only from their configs, as buildx reads them.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageTools, parseLocation, type Descriptor } from '../../../src/imagetools/index.js';
import { inspectTarget, printInspect } from '../../../src/imagetools/printer.js';
import { sha256, writeBlob } from './layout-blobs.js';

let dir = '';
const blobs = (content: string, mediaType: string): Promise<Descriptor> => writeBlob(dir, content, mediaType);

async function image(arch: string): Promise<Descriptor> {
  const layer = await blobs(`layer-${arch}`, 'application/vnd.oci.image.layer.v1.tar');
  const config = await blobs(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }), 'application/vnd.oci.image.config.v1+json');
  return blobs(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }), 'application/vnd.oci.image.manifest.v1+json');
}

describe('combine over an OCI layout', () => {
  let amd: Descriptor;
  let arm: Descriptor;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'it-combine-'));
    amd = await image('amd64');
    arm = await image('arm64');
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const src = (d: Descriptor) => ({ ref: parseLocation(`oci-layout://${dir}@${d.digest}`), desc: { ...d, mediaType: '' } });

  it('wraps two manifests in an OCI index with platforms from their configs', async () => {
    const it = new ImageTools({});
    const res = await it.combine([src(amd), src(arm)], { 'annotation-index.org.example': 'a<b' }, true);
    const text = res.bytes.toString();
    assert.equal(res.desc.digest, sha256(res.bytes));
    assert.equal(res.desc.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.ok(text.startsWith('{\n  "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.index.v1+json",\n  "manifests": [\n'));
    assert.ok(text.includes('"platform": {\n        "architecture": "arm64",\n        "os": "linux"\n      }'));
    assert.ok(text.endsWith('"annotations": {\n    "org.example": "a\\u003cb"\n  }\n}'), 'Go escapes HTML characters');
  });

  it('keeps a single manifest as it is without preferIndex, and filters platforms', async () => {
    const it = new ImageTools({});
    const one = await it.combine([src(amd)], {}, false);
    assert.equal(one.desc.digest, amd.digest);
    const both = await it.combine([src(amd), src(arm)], {}, true, [{ os: 'linux', architecture: 'arm64' }]);
    const idx = JSON.parse(both.bytes.toString()) as { manifests: Descriptor[] };
    assert.deepEqual(idx.manifests.map((m) => m.digest), [arm.digest]);
    await assert.rejects(it.combine([src(amd)], {}, true, [{ os: 'linux', architecture: 's390x' }]), { message: 'none of the manifests match the provided platforms' });
  });

  it('refuses annotations buildx refuses', async () => {
    const it = new ImageTools({});
    await assert.rejects(it.combine([src(amd), src(arm)], { 'annotation-manifest.k': 'v' }, true), { message: '"manifest" annotations are not supported yet' });
    await assert.rejects(it.combine([src(amd), src(arm)], { 'annotation-index-descriptor.k': 'v' }, true), { message: '"index-descriptor" annotations are invalid while creating an image' });
  });

  it('pushes into a layout by tag and prints the table as buildx', async () => {
    const it = new ImageTools({});
    const res = await it.combine([src(amd), src(arm)], {}, true);
    const target = parseLocation(`oci-layout://${dir}:v1`);
    await it.push(target, res.desc, res.bytes);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    assert.equal(index.manifests.at(-1)?.annotations?.['org.opencontainers.image.ref.name'], 'v1');
    const out = String(await printInspect(it.resolver, await inspectTarget(it.resolver, `oci-layout://${dir}:v1`), {}));
    const lines = out.split('\n');
    assert.equal(lines[0], `Name:      oci-layout://${dir}:v1`);
    assert.equal(lines[3], '           ');
    assert.equal(lines[4], 'Manifests: ');
    assert.equal(lines[5], `  Name:      oci-layout://${dir}@${amd.digest}`);
    assert.equal(lines[7], '  Platform:  linux/amd64');
    assert.equal(lines[8], '             ');
  });
});
