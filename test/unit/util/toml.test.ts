import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeGoToml } from '../../../src/util/toml-encode.js';
import { parseToml } from '../../../src/util/toml-parse.js';
import { TomlDateTime, TomlError, TomlFloat } from '../../../src/util/toml-value.js';

const roundTrip = (s: string) => encodeGoToml(parseToml(s));

test('values first, then tables; sorted; intermediate tables printed; literal strings preferred', () => {
  assert.equal(roundTrip('b = 1\na = "x"\n[z.y]\nk = true\n[m]\n'), "a = 'x'\nb = 1\n\n[m]\n\n[z]\n[z.y]\nk = true\n");
});

test('array tables, inline tables and arrays of maps', () => {
  assert.equal(roundTrip('[[p]]\nn = 1\n[p.sub]\nx = 1\n[[p]]\nn = 2\n'), '[[p]]\nn = 1\n\n[p.sub]\nx = 1\n\n[[p]]\nn = 2\n');
  assert.equal(roundTrip('t = { b = 1, a = { c = 2 } }\n'), '[t]\nb = 1\n\n[t.a]\nc = 2\n');
  assert.equal(roundTrip('m = [1, { a = 1 }]\ne = []\n'), 'e = []\nm = [1, {a = 1}]\n');
});

test('strings: quoted when they need escapes, with Go\'s escapes', () => {
  assert.equal(roundTrip('a = "it\'s"\nb = "x\\ty"\nc = "\\u0001\\u007f"\nd = \'\'\'\nl1\nl2\'\'\'\n'),
    'a = "it\'s"\nb = \'x\ty\'\nc = "\\u0001\\u007F"\nd = "l1\\nl2"\n');
  assert.equal(roundTrip('"a b" = 1\n"" = 2\n"x\'y" = 3\n'), "'' = 2\n'a b' = 1\n\"x'y\" = 3\n");
});

test('numbers and dates keep their kind', () => {
  const doc = parseToml('i = 0x_1\nf = 1e3\nd = 1979-05-27T07:32:00-00:00\nt = 07:32:00.50\n'.replace('0x_1', '0x1'));
  assert.equal(doc.get('i'), 1n);
  assert.ok(doc.get('f') instanceof TomlFloat);
  assert.equal((doc.get('d') as TomlDateTime).text, '1979-05-27T07:32:00Z');
  assert.equal((doc.get('t') as TomlDateTime).text, '07:32:00.50');
  assert.equal(roundTrip('f = [1.0, 1e-7, 6.02e23, -0.0, nan, -inf, 0.1]\n'), 'f = [1.0, 0.0000001, 601999999999999995805696.0, -0.0, nan, -inf, 0.1]\n');
});

test('invalid documents fail with one line naming the file, line and column; Go\'s wording for dates', () => {
  const err = (s: string) => {
    try {
      parseToml(s, 'b.toml');
    } catch (e) {
      assert.ok(e instanceof TomlError);
      return e.message;
    }
    return '';
  };
  // Syntax errors are worded by smol-toml; go-toml words them differently (tests pin only the place).
  const syntax: [string, string][] = [
    ['a = \n', 'line 1, column 5'],
    ['[a]\n[a]\n', 'line 2, column 2'],
    ['a = 1\na = 2\n', 'line 2, column 1'],
    ['a = 1 b = 2\n', 'line 1, column 7'],
    ['a = [1, 2\n', 'line 2, column 1'],
    ['a = "x\n', 'line 1, column 7'],
    ['a = {x = 1}\na.y = 2\n', 'line 2, column 1'],
    ['x = 01\n', 'line 1, column 5'],
  ];
  for (const [doc, place] of syntax) assert.match(err(doc), new RegExp(`^toml: b\\.toml: ${place}: [^\\n]+$`), doc);
  assert.equal(err('d = 2021-02-29\n'), 'toml: b.toml: line 1, column 5: impossible date');
  assert.equal(err('t = 07:32:60\n'), 'toml: b.toml: line 1, column 5: seconds cannot be greater than 59');
  assert.equal(err('t = 1979-05-27T24:00:00Z\n'), 'toml: b.toml: line 1, column 5: hour cannot be greater 23');
  assert.equal(err('i = 9223372036854775808\n'), 'toml: b.toml: integer 9223372036854775808 out of range');
  assert.equal(parseToml('i = -9223372036854775808\n').get('i'), -(2n ** 63n));
});

test('dates keep the precision go-toml keeps, and parsing leaves no global Temporal behind', () => {
  const doc = parseToml('a = 1979-05-27 07:32:00.1234567891\nb = 1979-05-27t07:32:00.500z\nc = 00:00:00.000\n');
  assert.deepEqual([...doc.values()].map((v) => (v as TomlDateTime).text), ['1979-05-27T07:32:00.123456789', '1979-05-27T07:32:00.5Z', '00:00:00.000']);
  assert.equal('Temporal' in globalThis, false);
  assert.throws(() => parseToml('a = 2021-02-30\n'));
  assert.equal('Temporal' in globalThis, false);
});
