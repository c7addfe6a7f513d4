import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePruneFilters, parseFilterArgs, parseGoDurationNs, toBuildkitPruneInfo } from '../../../src/flags/prune-filter.js';

const info = (...flags: string[]) => toBuildkitPruneInfo(parseFilterArgs(flags));

test('filters become one BuildKit filter string: id= is a regexp match, key!= and key~= stay, key= is ==', () => {
  assert.deepEqual(info(), { keepDurationNs: 0n, filter: [''] });
  assert.deepEqual(info('id=abc'), { keepDurationNs: 0n, filter: ['id~=abc'] });
  assert.deepEqual(info('type=regular', 'description!=x', 'description~=y'), {
    keepDurationNs: 0n, filter: ['type==regular,description!=x,description~=y'],
  });
  // names are lowercased and both sides trimmed, as docker's filter flag does
  assert.deepEqual(info(' TYPE = regular '), { keepDurationNs: 0n, filter: ['type==regular'] });
  // the same value twice is one value
  assert.deepEqual(info('type=a', 'type=a'), { keepDurationNs: 0n, filter: ['type==a'] });
});

test('until / unused-for become the keep duration', () => {
  assert.deepEqual(info('until=24h'), { keepDurationNs: 24n * 3600n * 1_000_000_000n, filter: [''] });
  assert.deepEqual(info('unused-for=1m30s', 'type=regular'), { keepDurationNs: 90_000_000_000n, filter: ['type==regular'] });
  assert.deepEqual(info('until=1.5s'), { keepDurationNs: 1_500_000_000n, filter: [''] });
});

test('bad filters fail with buildx\'s messages', () => {
  assert.throws(() => info('foo'), { message: 'bad format of filter (expected name=value)' });
  assert.throws(() => info('until=1h', 'unused-for=2h'), { message: 'conflicting filters "until" and "unused-for"' });
  assert.throws(() => info('until=abc'), { message: '"until" filter expects a duration (e.g., \'24h\'): time: invalid duration "abc"' });
  assert.throws(() => info('unused-for=10'), { message: '"unused-for" filter expects a duration (e.g., \'24h\'): time: missing unit in duration "10"' });
  assert.throws(() => info('until=5q'), { message: '"until" filter expects a duration (e.g., \'24h\'): time: unknown unit "q" in duration "5q"' });
  assert.throws(() => info('until=1h', 'until=2h'), { message: '"until" filter expects only one value' });
  assert.throws(() => info('type=a', 'type=b'), { message: '"type" filter expects only one value' });
});

test('Go durations', () => {
  assert.equal(parseGoDurationNs('0'), 0n);
  assert.equal(parseGoDurationNs('-1h'), -3_600_000_000_000n);
  assert.equal(parseGoDurationNs('250ms'), 250_000_000n);
  assert.equal(parseGoDurationNs('1h2m3s4ms5us6ns'), 3_723_004_005_006n);
  assert.throws(() => parseGoDurationNs(''), { message: 'time: invalid duration ""' });
  assert.throws(() => parseGoDurationNs('.s'), { message: 'time: invalid duration ".s"' });
});

test('config pruneFilters are added, unless they contradict a label filter given', () => {
  const merged = mergePruneFilters(parseFilterArgs(['label=keep', 'type=regular']), ['label!=keep', 'until=24h', 'label!=other', 'broken']);
  assert.deepEqual([...merged].map(([k, v]) => [k, [...v]]), [['label', ['keep']], ['type', ['regular']], ['until', ['24h']], ['label!', ['other']]]);
});
