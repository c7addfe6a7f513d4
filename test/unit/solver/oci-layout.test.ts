// Unpacking image archives into an OCI layout directory, and merging into an existing one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import {
  commitLayout, IMAGE_NAME_ANNOTATION, layoutMember, layoutWriter, mergeIndex, REF_NAME_ANNOTATION, type Descriptor,
} from '../../../src/solver/oci-layout.js';

/** One ustar member (enough for these tests; the reader's own tests cover GNU/pax archives). */
function member(name: string, data: Buffer | string = '', type = '0'): Buffer {
  const body = Buffer.from(data);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([h, body, pad]);
}

const archive = (...members: Buffer[]) => Buffer.concat([...members, Buffer.alloc(1024)]);
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

function desc(digest: string, annotations?: Record<string, string>): Descriptor {
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1, ...(annotations ? { annotations } : {}) };
}

const named = (img: string, ref: string) => ({ [IMAGE_NAME_ANNOTATION]: img, [REF_NAME_ANNOTATION]: ref });

async function unpack(dir: string, data: Buffer, chunk = 100): Promise<void> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
  await pipeline(Readable.from(pieces), layoutWriter(dir));
}

describe('layoutMember', () => {
  it('keeps layout files and blob dirs, skips docker-archive files', () => {
    const hex = 'a'.repeat(64);
    assert.deepEqual(layoutMember({ name: `blobs/sha256/${hex}`, type: 'file' }), { kind: 'blob', path: `blobs/sha256/${hex}`, algorithm: 'sha256', hex });
    assert.deepEqual(layoutMember({ name: './index.json', type: 'file' }), { kind: 'meta', path: 'index.json' });
    assert.deepEqual(layoutMember({ name: 'oci-layout', type: 'file' }), { kind: 'meta', path: 'oci-layout' });
    assert.deepEqual(layoutMember({ name: 'blobs/', type: 'dir' }), { kind: 'dir', path: 'blobs' });
    assert.deepEqual(layoutMember({ name: 'blobs/sha256/', type: 'dir' }), { kind: 'dir', path: 'blobs/sha256' });
    assert.equal(layoutMember({ name: 'manifest.json', type: 'file' }), undefined);
    assert.equal(layoutMember({ name: 'repositories', type: 'file' }), undefined);
    assert.equal(layoutMember({ name: './', type: 'dir' }), undefined);
  });

  it('refuses names that leave the layout, links, and blobs not named by their digest', () => {
    assert.throws(() => layoutMember({ name: '../index.json', type: 'file' }), { message: 'invalid OCI layout archive: unsafe path "../index.json"' });
    assert.throws(() => layoutMember({ name: '/etc/passwd', type: 'file' }), /unsafe path/);
    assert.throws(() => layoutMember({ name: 'blobs/sha256/../../x', type: 'file' }), /unsafe path/);
    assert.throws(() => layoutMember({ name: 'index.json', type: 'symlink' }), { message: 'invalid OCI layout archive: symlink entry "index.json"' });
    assert.throws(() => layoutMember({ name: 'blobs/sha256/abc', type: 'file' }), /unexpected blob "blobs\/sha256\/abc"/);
    assert.throws(() => layoutMember({ name: 'blobs/md5/abc', type: 'file' }), /unexpected blob/);
  });
});

describe('mergeIndex', () => {
  it('starts a fresh index like the daemon writes one', () => {
    const idx = mergeIndex(undefined, [desc('sha256:1', named('docker.io/a/b:1', '1'))]);
    assert.deepEqual(Object.keys(idx), ['schemaVersion', 'mediaType', 'manifests']);
    assert.equal(idx.schemaVersion, 2);
    assert.equal(idx.mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  it('replaces entries with the same image and reference names, keeps the rest in order', () => {
    const existing = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [desc('sha256:1', named('docker.io/a/b:1', '1')), desc('sha256:2', named('docker.io/a/b:2', '2')), desc('sha256:3'),
        desc('sha256:4', { [REF_NAME_ANNOTATION]: '1' })],
    };
    const idx = mergeIndex(existing, [desc('sha256:9', named('docker.io/a/b:1', '1'))]);
    assert.deepEqual(idx.manifests.map((m) => m.digest), ['sha256:2', 'sha256:3', 'sha256:4', 'sha256:9']);
    // Unnamed entries are only ever added.
    assert.deepEqual(mergeIndex(idx, [desc('sha256:3')]).manifests.map((m) => m.digest), ['sha256:2', 'sha256:3', 'sha256:4', 'sha256:9', 'sha256:3']);
    assert.equal(existing.manifests.length, 4, 'input not modified');
  });
});

describe('layoutWriter and commitLayout', () => {
  let root = '';
  const config = '{"config":1}';
  const manifest = '{"manifest":1}';
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [desc(`sha256:${sha(manifest)}`, named('docker.io/a/b:1', '1'))] });
  const good = () => archive(
    member('blobs/', '', '5'), member('blobs/sha256/', '', '5'),
    member(`blobs/sha256/${sha(config)}`, config), member(`blobs/sha256/${sha(manifest)}`, manifest),
    member('index.json', index), member('manifest.json', '[]'), member('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
  );

  before(async () => { root = await mkdtemp(join(tmpdir(), 'oci-layout-')); });
  after(() => rm(root, { recursive: true, force: true }));

  it('unpacks the layout files with read-only blobs and leaves docker-only files out', async () => {
    const dir = join(root, 'a');
    await mkdir(dir);
    await unpack(dir, good(), 7);
    assert.deepEqual((await readdir(dir)).sort(), ['blobs', 'index.json', 'oci-layout']);
    assert.deepEqual((await readdir(join(dir, 'blobs/sha256'))).sort(), [sha(config), sha(manifest)].sort());
    assert.equal(await readFile(join(dir, 'blobs/sha256', sha(config)), 'utf8'), config);
    assert.equal(statSync(join(dir, 'blobs/sha256', sha(config))).mode & 0o777, 0o444);
    assert.equal(await readFile(join(dir, 'index.json'), 'utf8'), index);
  });

  it('fails on a blob whose content does not match its name', async () => {
    const dir = join(root, 'bad-digest');
    await mkdir(dir);
    const bad = archive(member(`blobs/sha256/${sha('x')}`, 'y'), member('index.json', index));
    await assert.rejects(unpack(dir, bad), { message: `invalid OCI layout archive: blobs/sha256/${sha('x')} does not match its digest` });
  });

  it('fails on unsafe members, a truncated stream and an archive without index.json', async () => {
    for (const [name, data, message] of [
      ['unsafe', archive(member('../evil', 'x')), /unsafe path "\.\.\/evil"/],
      ['truncated', good().subarray(0, 700), /unexpected end of tar stream/],
      ['no-index', archive(member('oci-layout', '{}')), /no index\.json/],
    ] as const) {
      const dir = join(root, name);
      await mkdir(dir);
      await assert.rejects(unpack(dir, data), { message: message }, name);
      assert.ok(!existsSync(join(root, 'evil')));
    }
  });

  it('moves a fresh layout into place, or merges blobs and index entries into an existing one', async () => {
    const first = join(root, 'first');
    await mkdir(first);
    await unpack(first, good());
    const dest = join(root, 'out', 'layout');
    await mkdir(join(root, 'out'));
    await commitLayout(first, dest);
    assert.ok(!existsSync(first));
    assert.equal(await readFile(join(dest, 'index.json'), 'utf8'), index);

    const other = '{"manifest":2}';
    const second = join(root, 'second');
    await mkdir(second);
    const index2 = JSON.stringify({ schemaVersion: 2, manifests: [desc(`sha256:${sha(other)}`, named('docker.io/a/b:2', '2'))] });
    await unpack(second, archive(member(`blobs/sha256/${sha(config)}`, config), member(`blobs/sha256/${sha(other)}`, other),
      member('index.json', index2), member('oci-layout', '{"imageLayoutVersion":"1.0.0"}')));
    await commitLayout(second, dest);
    assert.ok(!existsSync(second));
    const merged = JSON.parse(await readFile(join(dest, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    assert.deepEqual(merged.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]), ['1', '2']);
    assert.deepEqual((await readdir(join(dest, 'blobs/sha256'))).sort(), [sha(config), sha(manifest), sha(other)].sort());
    assert.deepEqual((await readdir(dest)).sort(), ['blobs', 'index.json', 'oci-layout']);
  });
});
