import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tabwrite } from '../../../src/util/tabwriter.js';
import { parseGoDuration } from '../../../src/util/duration.js';

test('tabwriter: columns padded to widest cell + padding, minimum width, last cell free', () => {
  const out = tabwrite(['NAME\tDRIVER\tX', 'a-much-longer-name\td\tlast cell is not aligned', 'b\t\t'], { minWidth: 10, padding: 3 });
  assert.equal(out, [
    'NAME                 DRIVER    X',
    'a-much-longer-name   d         last cell is not aligned',
    'b' + ' '.repeat(30),
    '',
  ].join('\n'));
});

test('tabwriter: a line with fewer cells ends a column block', () => {
  const out = tabwrite(['aaaaaaaaaaaaaa\tb', 'c', 'd\te'], { minWidth: 0, padding: 1 });
  assert.equal(out, 'aaaaaaaaaaaaaa b\nc\nd e\n');
});

test('Go durations', () => {
  assert.equal(parseGoDuration('20s'), 20_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('20'), /invalid duration "20"/);
  assert.throws(() => parseGoDuration('abc'), /invalid duration/);
});
