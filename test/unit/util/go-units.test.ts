import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, humanSize, ramInBytes } from '../../../src/util/go-units.js';

test('HumanSize: decimal units, four significant digits', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(8224), '8.224kB');
  assert.equal(humanSize(1_704_000_000), '1.704GB');
  assert.equal(humanSize(524_400_000), '524.4MB');
  assert.equal(humanSize(123_456_789), '123.5MB');
});

test('HumanDuration', () => {
  const s = 1000;
  assert.equal(humanDuration(999), 'Less than a second');
  assert.equal(humanDuration(1 * s), '1 second');
  assert.equal(humanDuration(59 * s), '59 seconds');
  assert.equal(humanDuration(60 * s), 'About a minute');
  assert.equal(humanDuration(119 * s), 'About a minute');
  assert.equal(humanDuration(59 * 60 * s), '59 minutes');
  assert.equal(humanDuration(89 * 60 * s), 'About an hour');
  assert.equal(humanDuration(90 * 60 * s), '2 hours');
  assert.equal(humanDuration(47 * 3600 * s), '47 hours');
  assert.equal(humanDuration(48 * 3600 * s), '2 days');
  assert.equal(humanDuration(14 * 24 * 3600 * s), '2 weeks');
  assert.equal(humanDuration(60 * 24 * 3600 * s), '2 months');
  assert.equal(humanDuration(800 * 24 * 3600 * s), '2 years');
});

test('RAMInBytes: binary multipliers, Go\'s errors', () => {
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('1k'), 1024);
  assert.equal(ramInBytes('1KiB'), 1024);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('10 MB'), 10 * 1024 ** 2);
  assert.equal(ramInBytes('32b'), 32);
  assert.throws(() => ramInBytes('foo'), { message: "invalid size: 'foo'" });
  assert.throws(() => ramInBytes('10xb'), { message: "invalid suffix: 'xb'" });
  assert.throws(() => ramInBytes('10KB2'), { message: 'strconv.ParseFloat: parsing "10KB2": invalid syntax' });
  assert.throws(() => ramInBytes('1.5.5'), { message: 'strconv.ParseFloat: parsing "1.5.5": invalid syntax' });
  assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
  assert.throws(() => ramInBytes('1bb'), { message: "invalid suffix: 'bb'" });
  assert.throws(() => ramInBytes('1kbb'), { message: "invalid suffix: 'kbb'" });
});
