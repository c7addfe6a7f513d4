// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { joinCSV, quoteCSVField, splitCSV, splitStringSlice } from '../../../src/flags/csv.js';
import { FlagError } from '../../../src/flags/flag-error.js';

interface Case { in: string; out?: string[]; err?: string }

// Go: github.com/tonistiigi/go-csvvalue Fields, the splitter buildx uses for flag values.
const SPLIT: Case[] = [
  {"in": "a=b,\"c=d,e\",f", "out": ["a=b", "c=d,e", "f"]},
  {"in": "a", "out": ["a"]},
  {"in": "a,", "out": ["a", ""]},
  {"in": ",a", "out": ["", "a"]},
  {"in": ",", "out": ["", ""]},
  {"in": "\"a\"", "out": ["a"]},
  {"in": "\"a\"\"b\"", "out": ["a\"b"]},
  {"in": "\"a\"b", "err": "parse error on line 1, column 3: extraneous or missing \" in quoted-field"},
  {"in": "a\"b", "err": "parse error on line 1, column 2: bare \" in non-quoted-field"},
  {"in": "\"abc", "err": "parse error on line 1, column 2: extraneous or missing \" in quoted-field"},
  {"in": "\"\"", "out": [""]},
  {"in": "\"\",\"\"", "out": ["", ""]},
  {"in": "a=b\n", "out": ["a=b"]},
  {"in": "a=b\r\n", "out": ["a=b"]},
  {"in": "\"a\nb\"", "out": ["a\nb"]},
  {"in": "\"a,b\"x", "err": "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
  {"in": "é\"x", "err": "parse error on line 1, column 3: bare \" in non-quoted-field"},
  {"in": "\"é", "err": "parse error on line 1, column 2: extraneous or missing \" in quoted-field"},
  {"in": "x,\"y\"\"z\",w", "out": ["x", "y\"z", "w"]},
  {"in": "type=local,dest=\"a b\"", "err": "parse error on line 1, column 17: bare \" in non-quoted-field"},
  {"in": "  a , b ", "out": ["  a ", " b "]},
  {"in": "\"a\" ,b", "err": "parse error on line 1, column 3: extraneous or missing \" in quoted-field"},
  {"in": "a,\"b", "err": "parse error on line 1, column 4: extraneous or missing \" in quoted-field"},
  {"in": "a=\"b\"", "err": "parse error on line 1, column 3: bare \" in non-quoted-field"},
  {"in": "\"dest=a\"\"b,c\"", "out": ["dest=a\"b,c"]},
  {"in": "\"\"\"\"", "out": ["\""]},
  {"in": "\"a\"\"", "err": "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
  {"in": "é,\"ü", "err": "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
  {"in": "\n", "err": "EOF"},
  {"in": "\"a\"\n", "out": ["a"]},
  {"in": "a\nb", "out": ["a\nb"]},
];

describe('splitCSV', () => {
  for (const c of SPLIT) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => splitCSV(c.in), (e: unknown) => e instanceof FlagError && e.message === c.err);
      } else {
        assert.deepEqual(splitCSV(c.in), c.out);
      }
    });
  }
});

describe('quoteCSVField / joinCSV', () => {
  const QUOTE: Array<[string, string]> = [
    ['plain', 'plain'],
    ['', ''],
    ['a b', 'a b'],
    ['a,b', '"a,b"'],
    ['a"b', '"a""b"'],
    ['"', '""""'],
    ['dest=a,b', '"dest=a,b"'],
  ];
  for (const [field, want] of QUOTE) {
    it(`quotes ${JSON.stringify(field)}`, () => assert.equal(quoteCSVField(field), want));
  }

  const ROUND_TRIPS: string[][] = [
    ['a'],
    ['a', 'b'],
    ['type=local', 'dest=a,b'],
    ['x="y"', 'z'],
    ['', 'a'],
    ['a', ''],
    ['é', 'ü,ö'],
    ['a\nb'],
    ['"', '""'],
  ];
  for (const fields of ROUND_TRIPS) {
    it(`round-trips ${JSON.stringify(fields)}`, () => assert.deepEqual(splitCSV(joinCSV(fields)), fields));
  }
});

describe('splitStringSlice', () => {
  it('splits each occurrence as CSV and drops empty occurrences', () => {
    assert.deepEqual(splitStringSlice(['a=1,b=2', '', '"c=3,4"']), ['a=1', 'b=2', 'c=3,4']);
  });
  it('reports bad quoting', () => {
    assert.throws(() => splitStringSlice(['a"b']), { message: 'parse error on line 1, column 2: bare " in non-quoted-field' });
  });
});
