// Kubernetes quantities: ParseQuantity's grammar and errors and String()'s canonical form, checked against
// what k8s.io/apimachinery (as vendored by buildx v0.36.1) printed for the same inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalQuantity, formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, QUANTITY_NUMERIC_ERROR, QUANTITY_SUFFIX_ERROR,
  type Quantity,
} from '../../../../src/drivers/kubernetes/quantity.js';
import { BuildxError } from '../../../../src/util/errors.js';

const CANONICAL: [string, string][] = [
  // decimal SI: trailing zeros move into the suffix, fractions move down to m/u/n
  ['1000m', '1'], ['1000', '1k'], ['1500m', '1500m'], ['0.5', '500m'], ['1.5', '1500m'], ['1.0', '1'], ['.5', '500m'],
  ['100m', '100m'], ['0.1', '100m'], ['0.0001', '100u'], ['1n', '1n'], ['1u', '1u'], ['1000u', '1m'],
  ['100M', '100M'], ['1000M', '1G'], ['1k', '1k'], ['1000k', '1M'], ['1E', '1E'], ['-1', '-1'],
  // below a nano rounds up to one
  ['0.1n', '1n'], ['1e-10', '1e-9'],
  // decimal exponent keeps its family
  ['1e3', '1e3'], ['1E3', '1E3'], ['1.5e3', '1500'], ['12e6', '12e6'], ['1e-3', '1e-3'], ['1e99', '1e99'], ['5e0', '5e0'],
  // binary SI: the largest power of 1024 that divides, decimal below 1024 or with a fraction
  ['1Ki', '1Ki'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['1.5Gi', '1536Mi'], ['0.5Gi', '512Mi'], ['0.5Ki', '512'],
  ['1.1Ki', '1126400m'], ['0.9765625Ki', '1k'], ['-0.9765625Ki', '-1k'], ['1023Ki', '1023Ki'], ['8Mi', '8Mi'], ['12Mi', '12Mi'], ['-1024Mi', '-1Gi'], ['1025Ki', '1025Ki'], ['1Ei', '1Ei'],
  // binary values are capped at 2^63-1
  ['8Ei', '9223372036854775807'], ['9223372036854775807Ki', '9223372036854775807'],
  // more digits than int64 holds
  ['1234567890123456789', '1234567890123456789'], ['1234567890123456789m', '1234567890123456789m'],
  ['+1234567890123456789', '1234567890123456789'],
  // zero, however spelt; the scanner is laxer than the regular expression it quotes
  ['0', '0'], ['00', '0'], ['-0', '0'], ['.', '0'], ['Ki', '0'], ['m', '0'], ['-', '0'], ['e3', '0'],
];

// The library keeps the text as typed when it judges it canonical, sign and odd spellings included.
const KEPT_AS_TYPED = ['+1', '1.500', '+1Gi', '+4Mi', '0012Mi', '5.', '5.Gi', '1.2e7', '1e4294967296', '+123456789012345678'];

// An SI exponent past E has no suffix in the library's table, so none is written (1000E prints as 1).
const LIBRARY_BUGS: [string, string][] = [['1000E', '1']];

const ERRORS: [string, string][] = [
  ['', QUANTITY_FORMAT_ERROR], ['x', QUANTITY_FORMAT_ERROR], ['1x', QUANTITY_FORMAT_ERROR], ['1.2.3', QUANTITY_FORMAT_ERROR],
  ['1 ', QUANTITY_FORMAT_ERROR], ['1e1.5', QUANTITY_FORMAT_ERROR],
  ['1K', QUANTITY_SUFFIX_ERROR], ['1e', QUANTITY_SUFFIX_ERROR], ['1i', QUANTITY_SUFFIX_ERROR], ['1ee3', QUANTITY_SUFFIX_ERROR],
  ['1m3', QUANTITY_SUFFIX_ERROR], ['1+3', QUANTITY_SUFFIX_ERROR], ['Ki5', QUANTITY_SUFFIX_ERROR],
  ['.Ei', QUANTITY_NUMERIC_ERROR], ['-Ei', QUANTITY_NUMERIC_ERROR],
];

describe('kubernetes quantities', () => {
  it('has the library messages', () => {
    assert.equal(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    assert.equal(QUANTITY_NUMERIC_ERROR, 'unable to parse numeric part of quantity');
    assert.equal(QUANTITY_SUFFIX_ERROR, "unable to parse quantity's suffix");
  });

  it('writes the canonical form', () => {
    for (const [input, want] of CANONICAL) assert.equal(canonicalQuantity(input), want, input);
  });

  it('keeps input the library judged canonical, as typed', () => {
    for (const input of KEPT_AS_TYPED) assert.equal(canonicalQuantity(input), input, input);
  });

  it('reproduces the library where its suffix table runs out', () => {
    for (const [input, want] of LIBRARY_BUGS) assert.equal(canonicalQuantity(input), want, input);
  });

  it('fails like ParseQuantity', () => {
    for (const [input, message] of ERRORS) {
      assert.throws(() => parseQuantity(input), (err: unknown) => err instanceof BuildxError && err.message === message, input);
    }
  });

  it('keeps the value exact and remembers the format', () => {
    /** unscaled·10^exponent as a reduced fraction's numerator over 10^9, which every quantity is a multiple of. */
    const nanos = (q: Quantity): bigint => (q.exponent >= -9 ? q.unscaled * 10n ** BigInt(q.exponent + 9) : q.unscaled / 10n ** BigInt(-9 - q.exponent));
    const cases: [string, bigint, string][] = [
      ['1.5Gi', 1610612736n * 10n ** 9n, 'BinarySI'], ['0.5Ki', 512n * 10n ** 9n, 'BinarySI'], ['0.5', 500_000_000n, 'DecimalSI'],
      ['0.1n', 1n, 'DecimalSI'], ['0.0000000011', 2n, 'DecimalSI'], ['-0.0000000011', -2n, 'DecimalSI'], ['1.5e3', 1500n * 10n ** 9n, 'DecimalExponent'],
      // binary between 0 and 1 turns decimal
      ['0.0001Ki', 102_400_000n, 'DecimalSI'],
    ];
    for (const [input, want, format] of cases) {
      const q = parseQuantity(input);
      assert.equal(nanos(q), want, input);
      assert.equal(q.format, format, input);
    }
    assert.equal(parseQuantity('1500m').text, '1500m');
    assert.equal(parseQuantity('1000m').text, undefined);
    assert.equal(formatQuantity({ unscaled: 3n * 1024n ** 3n, exponent: 0, format: 'BinarySI' }), '3Gi');
    assert.equal(formatQuantity({ unscaled: 2500n, exponent: 0, format: 'DecimalExponent' }), '2500');
    assert.equal(formatQuantity({ unscaled: 25n, exponent: 4, format: 'DecimalExponent' }), '250e3');
    assert.equal(formatQuantity({ unscaled: 1n, exponent: 0, format: 'DecimalSI', text: '+1' }), '+1');
  });

  it('does not build huge powers of ten for extreme exponents', () => {
    assert.equal(canonicalQuantity('1e-2147483647'), '1e-9');
    assert.equal(canonicalQuantity('1e2147483647'), '10e2147483646');
  });
});
