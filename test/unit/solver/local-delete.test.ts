import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkLocalDelete, isSafeDeleteDestination, localExportMode } from '../../../src/solver/local-delete.js';

test('mode=delete is safe only strictly below the working directory, symlinks resolved', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'ld-'));
  const outside = await mkdtemp(join(tmpdir(), 'ld-out-'));
  await mkdir(join(cwd, 'sub'));
  await symlink(outside, join(cwd, 'link'));
  assert.equal(isSafeDeleteDestination(join(cwd, 'sub'), cwd), true);
  assert.equal(isSafeDeleteDestination(join(cwd, 'new', 'deeper'), cwd), true, 'a destination that does not exist yet');
  assert.equal(isSafeDeleteDestination(cwd, cwd), false, 'the working directory itself');
  assert.equal(isSafeDeleteDestination(join(cwd, '..'), cwd), false);
  assert.equal(isSafeDeleteDestination(outside, cwd), false);
  assert.equal(isSafeDeleteDestination(join(cwd, 'link'), cwd), false, 'a symlink leading outside');
  assert.equal(isSafeDeleteDestination(join(cwd, 'link', 'x'), cwd), false);
});

test('only local outputs in delete mode need --allow=buildx.local.delete; bad modes are named', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'ld-'));
  const del = { type: 'local', attrs: { mode: 'delete' }, destination: '.' };
  assert.throws(() => checkLocalDelete([del], false, cwd), { message: 'local output mode=delete for destination "." requires --allow=buildx.local.delete' });
  assert.doesNotThrow(() => checkLocalDelete([del], true, cwd));
  assert.doesNotThrow(() => checkLocalDelete([{ type: 'local', attrs: {}, destination: '.' }], false, cwd));
  assert.doesNotThrow(() => checkLocalDelete([{ type: 'tar', attrs: { mode: 'delete' }, destination: '.' }], false, cwd));
  assert.equal(localExportMode(' Delete '), 'delete');
  assert.throws(() => localExportMode('bogus'), { message: 'invalid local exporter mode "bogus"' });
});
