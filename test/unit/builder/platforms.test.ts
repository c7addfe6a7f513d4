import assert from 'node:assert/strict';
import { test } from 'node:test';
import { platformList, truncatePlatforms } from '../../../src/builder/platforms.js';
import { buildkitVersionOfEngine } from '../../../src/drivers/docker/driver.js';

test('fixed platforms come first with a star, detected ones follow without duplicates', () => {
  assert.deepEqual(platformList(['linux/arm64'], ['linux/amd64', 'linux/arm64', 'linux/386']), ['linux/arm64*', 'linux/amd64', 'linux/386']);
});

test('table view keeps four os/arch groups, majors first, and counts the rest', () => {
  const list = ['linux/386', 'linux/amd64', 'linux/arm/v7', 'linux/arm/v6', 'linux/riscv64', 'linux/s390x', 'linux/ppc64le', 'linux/mips64le'];
  assert.equal(truncatePlatforms(list), 'linux/amd64, linux/arm (+2), linux/ppc64le, linux/s390x, (3 more)');
  assert.equal(truncatePlatforms(['linux/amd64', 'linux/386']), 'linux/amd64, linux/386');
});

test('engine versions map to their embedded BuildKit like buildx shows them', () => {
  assert.equal(buildkitVersionOfEngine('20.10.24+dfsg1'), 'v0.8+unknown');
  assert.equal(buildkitVersionOfEngine('20.10.5'), 'v0.8.2');
  assert.equal(buildkitVersionOfEngine('23.0.1'), 'v0.10.6+4f0ee09');
  assert.equal(buildkitVersionOfEngine('27.3.1'), '27.3.1');
  assert.equal(buildkitVersionOfEngine('28.0.0-moby'), '28.0.0');
});
