// Which contexts get the `default` ssh agent when no --ssh is given: git over ssh only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDefaultSSH } from '../../../src/flags/ssh.js';
import { isGitSSHContext } from '../../../src/solver/inputs.js';

test('ssh git URLs (ssh:// and scp-like user@host:path) need an agent; others do not', () => {
  for (const s of ['ssh://git@example.com/org/repo.git', 'git@github.com:org/repo.git', 'deploy@git.example.com:repo#main']) {
    assert.equal(isGitSSHContext(s), true, s);
  }
  for (const s of ['https://github.com/org/repo.git', 'git://example.com/repo', '.', 'dir/with@at:colon/../x', '-', 'github.com/org/repo']) {
    assert.equal(isGitSSHContext(s), false, s);
  }
});

test('the default agent is added only when none was named', () => {
  assert.deepEqual(withDefaultSSH([], true), [{ id: 'default', paths: [] }]);
  assert.deepEqual(withDefaultSSH([], false), []);
  assert.deepEqual(withDefaultSSH([{ id: 'k', paths: ['/x'] }], true), [{ id: 'k', paths: ['/x'] }]);
});
