// The context walk meeting a directory it may not read. Run as root (CI), this file runs itself again as
// the unprivileged test user, where the permission error is real (test/unit/unprivileged.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { walkDirectory, type WalkEntry } from '../../../src/session/fswalk.js';
import { isRoot, runAsTestUser } from '../unprivileged.js';
import { removeTree, tempDir } from './helpers.js';

async function collect(root: string, opts: Parameters<typeof walkDirectory>[1] = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const e of walkDirectory(root, opts)) out.push(e);
  return out;
}

if (isRoot()) {
  test('walkDirectory on unreadable directories, as the unprivileged test user', () => runAsTestUser(import.meta.url, 2));
} else {
  describe('walkDirectory on unreadable directories', () => {
    let root: string;
    before(async () => {
      root = await tempDir('walk-noperm');
      await fs.mkdir(join(root, 'locked'));
      await fs.writeFile(join(root, 'locked', 'f'), '');
      await fs.writeFile(join(root, 'f'), '');
      await fs.chmod(join(root, 'locked'), 0);
    });
    after(async () => removeTree(root));

    it('fails when the directory would be sent', async () => {
      await assert.rejects(collect(root), /^Error: open .*locked: permission denied$/);
    });

    it('ignores it when excluded, even when an exception makes the walk look inside', async () => {
      assert.deepEqual((await collect(root, { excludePatterns: ['locked'] })).map((e) => e.stat.path), ['f']);
      assert.deepEqual((await collect(root, { excludePatterns: ['locked', '!locked/f'] })).map((e) => e.stat.path), ['f']);
    });
  });
}
