import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildState, saveLocalState } from '../../../src/builder/local-state.js';

test('what a build records about its context and Dockerfile, as buildx does', () => {
  assert.deepEqual(buildState('.', undefined, false), { Target: 'default', LocalPath: resolve('.'), DockerfilePath: '' });
  assert.deepEqual(buildState('ctx', 'ctx/build.Dockerfile', false), { Target: 'default', LocalPath: resolve('ctx'), DockerfilePath: resolve('ctx/build.Dockerfile') });
  assert.deepEqual(buildState('.', '-', false), { Target: 'default', LocalPath: resolve('.'), DockerfilePath: '-' });
  assert.deepEqual(buildState('-', undefined, false), { Target: 'default', LocalPath: '-', DockerfilePath: '' });
  const url = 'https://example.com/repo.git#main';
  assert.deepEqual(buildState(url, 'sub/Dockerfile', true), { Target: 'default', LocalPath: url, DockerfilePath: 'sub/Dockerfile' });
});

test('state files land in refs/<builder>/<node>/<ref>, private, in Go\'s JSON field order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'localstate-'));
  await saveLocalState(dir, 'b', 'b0', 'ref1', { Target: 'default', LocalPath: '/ctx', DockerfilePath: '' });
  const file = join(dir, 'refs', 'b', 'b0', 'ref1');
  assert.equal(await readFile(file, 'utf8'), '{"Target":"default","LocalPath":"/ctx","DockerfilePath":""}');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'refs', 'b', 'b0'))).mode & 0o777, 0o700);
});
