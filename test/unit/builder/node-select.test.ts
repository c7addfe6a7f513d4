import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectByConfigured, selectByWorkers, type NodeAssignment } from '../../../src/builder/node-select.js';
import { formatPlatform, parsePlatform, type Platform } from '../../../src/flags/platform.js';

const LOCAL: Platform = { os: 'linux', architecture: 'amd64' };
const ps = (...s: string[]): Platform[] => s.map((x) => parsePlatform(x, LOCAL));
const node = (...configured: string[]) => ({ configured: ps(...configured) });
const shown = (a: NodeAssignment[] | undefined) => a?.map((x) => ({ node: x.node, platforms: x.platforms.map(formatPlatform), unmatched: x.unmatched.map(formatPlatform) }));

describe('node selection by configured platforms (strict)', () => {
  it('puts each platform on the node created with it, one solve per node', () => {
    const nodes = [node('linux/amd64'), node('linux/arm64', 'linux/arm/v7')];
    assert.deepEqual(shown(selectByConfigured(nodes, ps('linux/arm64', 'linux/amd64', 'linux/arm/v7'))), [
      { node: 1, platforms: ['linux/arm64', 'linux/arm/v7'], unmatched: [] },
      { node: 0, platforms: ['linux/amd64'], unmatched: [] },
    ]);
  });

  it('gives a tie to the earlier node', () => {
    assert.deepEqual(shown(selectByConfigured([node('linux/amd64'), node('linux/amd64')], ps('linux/amd64'))), [{ node: 0, platforms: ['linux/amd64'], unmatched: [] }]);
  });

  it('does not accept compatible platforms: arm/v6 on an arm/v7 node needs the workers', () => {
    assert.equal(selectByConfigured([node('linux/amd64'), node('linux/arm/v7')], ps('linux/arm/v6')), undefined);
    assert.equal(selectByConfigured([node(), node()], ps('linux/amd64')), undefined);
  });

  it('sends a build without platforms to node 0', () => {
    assert.deepEqual(shown(selectByConfigured([node('linux/arm64'), node()], [])), [{ node: 0, platforms: [], unmatched: [] }]);
  });
});

describe('node selection by worker platforms', () => {
  it('accepts compatible platforms, best match first', () => {
    // node 0 runs amd64 (and so 386); node 1 was made for 386 itself: the exact match wins.
    const nodes = [node(), node()];
    const got = selectByWorkers(nodes, [ps('linux/amd64'), ps('linux/386')], ps('linux/386', 'linux/amd64'));
    assert.deepEqual(shown(got), [{ node: 1, platforms: ['linux/386'], unmatched: [] }, { node: 0, platforms: ['linux/amd64'], unmatched: [] }]);
  });

  it('sends what nothing offers to node 0, marked unmatched', () => {
    const got = selectByWorkers([node(), node()], [ps('linux/amd64'), ps('linux/arm64')], ps('linux/s390x', 'linux/arm64'));
    assert.deepEqual(shown(got), [{ node: 0, platforms: ['linux/s390x'], unmatched: ['linux/s390x'] }, { node: 1, platforms: ['linux/arm64'], unmatched: [] }]);
  });

  it('prefers a native node to an earlier one that would emulate (buildx#366)', () => {
    // node 0: amd64 native, arm64 by QEMU; node 1: arm64 native. buildx ties to node 0.
    const got = selectByWorkers([node(), node()], [ps('linux/amd64', 'linux/arm64', 'linux/arm/v7'), ps('linux/arm64', 'linux/arm/v7')], ps('linux/amd64', 'linux/arm64'));
    assert.deepEqual(shown(got), [{ node: 0, platforms: ['linux/amd64'], unmatched: [] }, { node: 1, platforms: ['linux/arm64'], unmatched: [] }]);
  });

  it('keeps the earlier node when both would emulate or both are native', () => {
    const got = selectByWorkers([node(), node()], [ps('linux/amd64', 'linux/riscv64'), ps('linux/arm64', 'linux/riscv64')], ps('linux/riscv64'));
    assert.deepEqual(shown(got), [{ node: 0, platforms: ['linux/riscv64'], unmatched: [] }]);
  });

  it('counts configured platforms as native', () => {
    const got = selectByWorkers([node(), node('linux/arm64')], [ps('linux/amd64', 'linux/arm64'), ps('linux/amd64', 'linux/arm64')], ps('linux/arm64', 'linux/arm/v6'));
    assert.deepEqual(shown(got), [{ node: 1, platforms: ['linux/arm64', 'linux/arm/v6'], unmatched: [] }]);
  });
});
