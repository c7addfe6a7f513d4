// The fixture holds what containerd/platforms v1.0.0-rc.4 (the version buildx v0.36.1 vendors) answers
// for every pair of these platforms: [offered, requested, Only(offered).Match(requested),
// OnlyStrict(offered).Match(requested), the platforms b for which Only(offered).Less(requested, b)].
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { platformMatcher, platformVector } from '../../../src/flags/platform-match.js';
import { formatPlatform, parsePlatform, type Platform } from '../../../src/flags/platform.js';
import { sourceFixture } from '../source-fixture.js';

type Row = [string, string, boolean, boolean, string[]];
const rows = JSON.parse(sourceFixture('flags', 'platform-match.containerd-rc4.json')) as Row[];
const LOCAL: Platform = { os: 'linux', architecture: 'amd64' };
const p = (s: string): Platform => parsePlatform(s, LOCAL);
const all = [...new Set(rows.map((r) => r[0]))];

describe('platform matching as containerd does it', () => {
  it('has every pair', () => assert.equal(rows.length, all.length * all.length));

  for (const [offered, requested, only, strict, lessThan] of rows) {
    it(`${offered} offered, ${requested} requested`, () => {
      assert.equal(platformMatcher(p(offered), 'compatible').matches(p(requested)), only, 'Only.Match');
      assert.equal(platformMatcher(p(offered), 'strict').matches(p(requested)), strict, 'OnlyStrict.Match');
      const less = all.filter((b) => platformMatcher(p(offered), 'compatible').less(p(requested), p(b)));
      assert.deepEqual(less.sort(), lessThan, 'Only.Less');
    });
  }

  it('ranks a platform by its place in the offered vector', () => {
    const m = platformMatcher(p('linux/amd64/v3'), 'compatible');
    assert.deepEqual(['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386', 'linux/arm64'].map((x) => m.rank(p(x))), [0, 1, 2, 3, -1]);
  });

  it('lists arm64/v8.2 down to arm/v5', () => {
    assert.deepEqual(platformVector(p('linux/arm64/v8.2')).map(formatPlatform),
      ['linux/arm64/v8.2', 'linux/arm64/v8.1', 'linux/arm64/v8', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  });
});
