import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBuildArgs, parseKeyValue, parseLabels, withSourceDateEpoch } from '../../../src/flags/keyvalue.js';
import { FlagError } from '../../../src/flags/flag-error.js';

describe('parseKeyValue', () => {
  const CASES: Array<[string, { key: string; value: string | undefined }]> = [
    ['A=1', { key: 'A', value: '1' }],
    ['A=', { key: 'A', value: '' }],
    ['A', { key: 'A', value: undefined }],
    ['A=b=c', { key: 'A', value: 'b=c' }],
    [' A = b ', { key: ' A ', value: ' b ' }],
  ];
  for (const [input, want] of CASES) {
    it(JSON.stringify(input), () => assert.deepEqual(parseKeyValue(input), want));
  }

  const BAD: Array<[string, string]> = [
    ['=x', 'invalid key-value pair "=x": empty key'],
    ['', 'invalid key-value pair "": empty key'],
    ['=', 'invalid key-value pair "=": empty key'],
  ];
  for (const [input, message] of BAD) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseKeyValue(input), (e: unknown) => e instanceof FlagError && e.message === message);
    });
  }
});

describe('parseBuildArgs', () => {
  const env = { FROM_ENV: 'v', EMPTY: '' };
  const CASES: Array<[string[], Record<string, string>]> = [
    [['A=1', 'B='], { A: '1', B: '' }],
    [['FROM_ENV'], { FROM_ENV: 'v' }],
    [['EMPTY'], { EMPTY: '' }],
    [['MISSING'], {}],
    [['A=1', 'A=2'], { A: '2' }],
    [['A=1', 'A'], { A: '1' }],
    [['FROM_ENV=x', 'FROM_ENV'], { FROM_ENV: 'v' }],
  ];
  for (const [values, want] of CASES) {
    it(JSON.stringify(values), () => assert.deepEqual(parseBuildArgs(values, env), want));
  }

  it('refuses an empty key', () => {
    assert.throws(() => parseBuildArgs(['=1'], env), { message: 'invalid key-value pair "=1": empty key' });
  });

  it('does not read inherited properties of the env object', () => {
    assert.deepEqual(parseBuildArgs(['toString', 'constructor'], {}), {});
  });

  it('stores __proto__ as data', () => {
    const args = parseBuildArgs(['__proto__=x'], {});
    assert.equal(Object.getPrototypeOf(args), Object.prototype);
    assert.deepEqual(Object.entries(args), [['__proto__', 'x']]);
  });
});

describe('parseLabels', () => {
  it('gives bare keys an empty value, later wins', () => {
    assert.deepEqual(parseLabels(['a=1', 'b', 'a=2', 'c=x=y']), { a: '2', b: '', c: 'x=y' });
  });
  it('refuses an empty key', () => {
    assert.throws(() => parseLabels(['=v']), { message: 'invalid key-value pair "=v": empty key' });
  });
});

describe('withSourceDateEpoch', () => {
  it('adds a non-empty SOURCE_DATE_EPOCH from the env', () => {
    assert.deepEqual(withSourceDateEpoch({ A: '1' }, { SOURCE_DATE_EPOCH: '0' }), { A: '1', SOURCE_DATE_EPOCH: '0' });
  });
  it('keeps a --build-arg value, even an empty one', () => {
    assert.deepEqual(withSourceDateEpoch({ SOURCE_DATE_EPOCH: '' }, { SOURCE_DATE_EPOCH: '5' }), { SOURCE_DATE_EPOCH: '' });
  });
  it('ignores an empty env value', () => {
    assert.deepEqual(withSourceDateEpoch({}, { SOURCE_DATE_EPOCH: '' }), {});
  });
});
