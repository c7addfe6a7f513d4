// Permission tests need a user that permissions apply to, and CI runs as root (which reads anything). Such a
// test file, run as root, runs itself again as the unprivileged user scripts/provision.sh creates
// (`test-tools`), and passes only if every test of that run passed; nothing is skipped either way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TEST_USER = 'tsbuildx-test';

export const isRoot = (): boolean => process.getuid?.() === 0;

/** As root: run the test file `moduleUrl` as TEST_USER and check that exactly `tests` tests passed there. */
export function runAsTestUser(moduleUrl: string, tests: number): void {
  const id = spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' });
  assert.equal(id.status, 0, `user ${TEST_USER} is missing: run scripts/provision.sh test-tools`);
  // The child is a test run of its own, not a subtest of this one: it must not see the runner's context.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync('setpriv', [`--reuid=${TEST_USER}`, `--regid=${TEST_USER}`, '--clear-groups', process.execPath, '--test', '--test-reporter=tap', fileURLToPath(moduleUrl)], {
    encoding: 'utf8', env: { ...env, HOME: '/nonexistent' }, timeout: 120_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, new RegExp(`^# pass ${tests}$`, 'm'), out);
  assert.match(out, /^# skipped 0$/m, out);
}
