import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMetadata } from '../../../src/solver/metadata.js';
import { writeMetadataFile } from '../../../src/cli/files.js';
import { looksLikeArchive, peek } from '../../../src/solver/stdin.js';
import { Readable } from 'node:stream';

test('metadata: base64 JSON objects are embedded, other values kept, keys sorted', () => {
  const desc = Buffer.from(JSON.stringify({ mediaType: 'x', digest: 'sha256:1', size: 3 })).toString('base64');
  const md = buildMetadata({
    'containerimage.digest': 'sha256:abc',
    'containerimage.descriptor': desc,
    'image.name': 'docker.io/library/x:latest',
    'result.json': 'eyJhIjoxfQ==',
    empty: Buffer.from('{}').toString('base64'),
  }, { 'buildx.build.ref': 'default/default/ref' });
  assert.deepEqual(Object.keys(md), ['buildx.build.ref', 'containerimage.descriptor', 'containerimage.digest', 'empty', 'image.name', 'result.json']);
  assert.deepEqual(md['containerimage.descriptor'], { digest: 'sha256:1', mediaType: 'x', size: 3 });
  assert.equal(md['containerimage.digest'], 'sha256:abc');
  assert.equal(md.empty, 'e30=');
  assert.equal(md['result.json'], 'eyJhIjoxfQ==');
});

test('metadata file: 2-space JSON, Go escaping, written atomically (no temp file left)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'md-'));
  await writeMetadataFile(join(dir, 'm.json'), { a: '<&>', b: { c: 1 } });
  assert.equal(await readFile(join(dir, 'm.json'), 'utf8'), '{\n  "a": "\\u003c\\u0026\\u003e",\n  "b": {\n    "c": 1\n  }\n}');
  assert.deepEqual(await readdir(dir), ['m.json']);
});

test('stdin: archives are recognised by magic, text is not', () => {
  const tar = Buffer.alloc(512);
  tar.write('ustar', 257, 'latin1');
  assert.equal(looksLikeArchive(tar), true);
  assert.equal(looksLikeArchive(Buffer.from([0x1f, 0x8b, 8, 0])), true);
  assert.equal(looksLikeArchive(Buffer.from('BZh91AY')), true);
  assert.equal(looksLikeArchive(Buffer.from('FROM busybox\nRUN true\n')), false);
});

test('stdin: peek keeps every byte for the consumer', async () => {
  const chunks = [Buffer.from('ab'), Buffer.from('cdef'), Buffer.from('gh')];
  const p = await peek(Readable.from(chunks), 3);
  assert.equal(p.head.toString(), 'abcdef');
  const all: Buffer[] = [];
  for await (const c of p.stream) all.push(c);
  assert.equal(Buffer.concat(all).toString(), 'abcdefgh');
});
