// Expected strings below were produced by Go (fmt, tonistiigi/units, encoding/json) for the same inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatBytes, formatFixed, formatLogTime, formatRFC3339Nano, formatSeconds, nanosToSeconds, parseRFC3339Nano,
} from '../../../src/progress/format.js';
import { goJSONString } from '../../../src/progress/rawjson.js';

describe('formatBytes (units.Bytes with %.2f)', () => {
  const cases: Array<[number, string]> = [
    [0, '0B'], [1, '1B'], [512, '512B'], [999, '999B'], [1000, '1.00kB'], [1005, '1.00kB'], [1015, '1.01kB'],
    [1125, '1.12kB'], [1234, '1.23kB'], [1235, '1.24kB'], [1999, '2.00kB'], [999999, '1000.00kB'],
    [999994, '999.99kB'], [999995, '1000.00kB'], [1230000, '1.23MB'], [45600000, '45.60MB'],
    [4560000000, '4.56GB'], [1e12, '1.00TB'], [1e15, '1.00PB'], [1e18, '1.00EB'],
    [-1, '-1B'], [-999, '-999B'], [-1000, '-1.00kB'], [-1234567, '-1.23MB'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(formatBytes(n), want));
});

describe('durations', () => {
  // [ns, %.1f of Duration.Seconds(), log prefix]
  const cases: Array<[bigint, string, string]> = [
    [0n, '0.0', '0.000'], [1n, '0.0', '0.000'], [10000000n, '0.0', '0.010'], [10000001n, '0.0', '0.010'],
    [49999999n, '0.0', '0.050'], [50000000n, '0.1', '0.050'], [150000000n, '0.1', '0.150'],
    [250000000n, '0.2', '0.250'], [350000000n, '0.3', '0.350'], [1250000000n, '1.2', '1.250'],
    [2449999999n, '2.4', '2.450'], [2450000000n, '2.5', '2.450'], [12345678901n, '12.3', '12.35'],
    [99950000000n, '100.0', '99.95'], [-1000000n, '-0.0', '-0.001'], [-50000000n, '-0.1', '-0.050'],
  ];
  for (const [ns, secs, prefix] of cases) {
    it(`${ns}ns → ${secs}s, log prefix ${prefix}`, () => {
      assert.equal(formatSeconds(ns), secs);
      assert.equal(formatLogTime(ns), prefix);
    });
  }
  it('log prefix precision steps at 10 s and 100 s', () => {
    assert.equal(formatLogTime(153_000_000n), '0.153');
    assert.equal(formatLogTime(12_050_000_000n), '12.05');
    assert.equal(formatLogTime(153_200_000_000n), '153.2');
    assert.equal(formatLogTime(10_000_000_000n), '10.00');
    assert.equal(formatLogTime(100_000_000_000n), '100.0');
  });
  it('Duration.Seconds splits whole seconds from the remainder', () => {
    assert.equal(nanosToSeconds(1_500_000_000n), 1.5);
    assert.equal(nanosToSeconds(-1_500_000_000n), -1.5);
  });
});

describe('formatFixed ties', () => {
  it('rounds exact binary ties to even, others to nearest', () => {
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(3.5, 0), '4');
    assert.equal(formatFixed(0.35, 1), '0.3'); // 0.35 is below the tie in binary
    assert.equal(formatFixed(1.005, 2), '1.00');
  });
});

describe('RFC3339Nano', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '1970-01-01T00:00:00Z'], [1n, '1970-01-01T00:00:00.000000001Z'], [1000n, '1970-01-01T00:00:00.000001Z'],
    [1700000000123456789n, '2023-11-14T22:13:20.123456789Z'], [1700000000100000000n, '2023-11-14T22:13:20.1Z'],
    [1700000000000000000n, '2023-11-14T22:13:20Z'], [-1n, '1969-12-31T23:59:59.999999999Z'],
  ];
  for (const [ns, want] of cases) {
    it(`${ns} → ${want}`, () => {
      assert.equal(formatRFC3339Nano(ns), want);
      assert.equal(parseRFC3339Nano(want), ns);
    });
  }
  it('writes and reads a non-UTC offset', () => {
    assert.equal(formatRFC3339Nano(1700000000123000000n, 150), '2023-11-15T00:43:20.123+02:30');
    assert.equal(formatRFC3339Nano(1700000000000000000n, -300), '2023-11-14T17:13:20-05:00');
    assert.equal(parseRFC3339Nano('2023-11-15T00:43:20.123+02:30'), 1700000000123000000n);
    assert.equal(parseRFC3339Nano('2023-11-14T17:13:20-05:00'), 1700000000000000000n);
  });
  it('rejects garbage', () => assert.throws(() => parseRFC3339Nano('yesterday')));
});

describe('goJSONString', () => {
  it('escapes like encoding/json', () => {
    const s = 'a<b>&c\u2028\u2029\x01\x7f\b\f\n\r\t"\\é😀';
    assert.equal(goJSONString(s), '"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\u0001\x7f\\b\\f\\n\\r\\t\\"\\\\é😀"');
  });
});
