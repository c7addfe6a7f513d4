// What the client does around a solve for local cache directories: imports pinned to the digest
// index.json names (or left out, with the reason), exports recorded in index.json afterwards.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTag, prepareLocalCaches } from '../../../src/solver/cache-local.js';
import type { ImageIndex } from '../../../src/solver/oci-layout.js';

const digestOf = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('local cache directories', () => {
  let root = '';
  const manifest = '{"cache":"manifest"}';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cache-local-'));
    const src = join(root, 'src');
    await mkdir(join(src, 'blobs/sha256'), { recursive: true });
    await writeFile(join(src, 'blobs/sha256', digestOf(manifest).slice(7)), manifest);
    await writeFile(join(src, 'index.json'), JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf('gone'), size: 4, annotations: { 'org.opencontainers.image.ref.name': 'gone' } },
      ],
    }));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('pins an import to the digest of its tag and serves the directory under local:<src>', async () => {
    const src = join(root, 'src');
    const c = await prepareLocalCaches([{ type: 'local', attrs: { src } }, { type: 'registry', attrs: { ref: 'r/c:1' } }], []);
    assert.deepEqual(c.cacheFrom, [{ type: 'local', attrs: { src, digest: digestOf(manifest) } }, { type: 'registry', attrs: { ref: 'r/c:1' } }]);
    assert.deepEqual([...c.stores.keys()], [`local:${src}`]);
    assert.deepEqual(c.warnings, []);
  });

  it('leaves out imports it cannot use, saying why', async () => {
    const src = join(root, 'src');
    const c = await prepareLocalCaches([
      { type: 'local', attrs: { src: join(root, 'missing') } },
      { type: 'local', attrs: { src, tag: 'other' } },
      { type: 'local', attrs: { src, tag: 'gone' } },
    ], []);
    assert.deepEqual(c.cacheFrom, []);
    assert.deepEqual(c.stores.size, 0);
    assert.equal(c.warnings.length, 3);
    assert.match(c.warnings[0]!, /^local cache import at .*missing skipped due to err: could not read (.*)index\.json: open \1index\.json: no such file or directory$/);
    assert.equal(c.warnings[1], `local cache import at ${src} skipped: no digest found for tag other`);
    assert.match(c.warnings[2]!, new RegExp(`^local cache import at ${src} skipped: digest ${digestOf('gone')} unavailable: `));
    assert.ok(!existsSync(join(root, 'missing')), 'an import never creates its directory');
  });

  it('refuses entries without their directory', async () => {
    await assert.rejects(prepareLocalCaches([], [{ type: 'local', attrs: {} }]), { message: 'local cache exporter requires dest' });
    await assert.rejects(prepareLocalCaches([{ type: 'local', attrs: {} }], []), { message: 'local cache importer requires src' });
    await assert.rejects(prepareLocalCaches([{ type: 'local', attrs: { src: join(root, 'src'), tag: '' } }], []),
      { message: 'local cache importer requires either explicit digest, "latest" tag or custom tag on index.json' });
  });

  it('creates an export directory and records the cache manifest under its tag afterwards', async () => {
    const dest = join(root, 'out', 'cache');
    const c = await prepareLocalCaches([], [{ type: 'local', attrs: { dest, mode: 'max' } }, { type: 'inline', attrs: {} }]);
    assert.ok(existsSync(join(dest, 'ingest')));
    assert.deepEqual(c.cacheTo.map((e) => e.type), ['local', 'inline']);
    const desc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf('m1'), size: 2 };
    await c.finish({ 'cache.manifest': JSON.stringify(desc) });
    assert.equal(await readFile(join(dest, 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
    assert.equal(await readFile(join(dest, 'index.json'), 'utf8'),
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${digestOf('m1')}","size":2,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}`);

    // A second export under another tag adds an entry; the same tag replaces its entry.
    const again = await prepareLocalCaches([], [{ type: 'local', attrs: { dest, tag: 'v2' } }]);
    await again.finish({ 'cache.manifest': JSON.stringify({ ...desc, digest: digestOf('m2') }) });
    const third = await prepareLocalCaches([], [{ type: 'local', attrs: { dest } }]);
    await third.finish({ 'cache.manifest': JSON.stringify({ ...desc, digest: digestOf('m3') }) });
    const index = JSON.parse(await readFile(join(dest, 'index.json'), 'utf8')) as ImageIndex;
    assert.deepEqual(index.manifests.map((m) => [m.annotations?.['org.opencontainers.image.ref.name'], m.digest]), [['v2', digestOf('m2')], ['latest', digestOf('m3')]]);
    assert.equal(findTag(index, 'v2')?.digest, digestOf('m2'));
  });
});
