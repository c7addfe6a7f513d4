// Go's own outputs (fixtures/go-format-vectors.json, printed by a Go 1.x program with fmt, strconv,
// time and encoding/json) against the TypeScript renderings.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatG } from '../../../src/util/go-float.js';
import { goJSON } from '../../../src/util/go-json.js';
import { goQuote } from '../../../src/util/go-strconv.js';
import { goDuration, goTimeString, rfc3339Nano } from '../../../src/util/go-time.js';
import { bytesSize } from '../../../src/util/go-units.js';

interface Vectors {
  bytes: [number, string][];
  g4: [number, string][];
  dur: [string, string][];
  quote: [string, string][];
  json: string;
  time: string[];
}

function vectors(): Vectors {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const f = join(dir, 'test/unit/util/fixtures/go-format-vectors.json');
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8')) as Vectors;
    if (dirname(dir) === dir) throw new Error('go-format-vectors.json not found');
    dir = dirname(dir);
  }
}

const v = vectors();

test('units.BytesSize, including exact halves rounded to even (1088 B = 1.062KiB)', () => {
  for (const [n, want] of v.bytes) assert.equal(bytesSize(n), want, `bytesSize(${n})`);
});

test('%.4g', () => {
  for (const [n, want] of v.g4) assert.equal(formatG(n, 4), want, `formatG(${n})`);
});

test('time.Duration.String', () => {
  for (const [ns, want] of v.dur) assert.equal(goDuration(BigInt(ns)), want, `goDuration(${ns})`);
});

test('strconv.Quote', () => {
  // Go's vector for invalid UTF-8 (\xff) has no JavaScript string equivalent.
  for (const [s, want] of v.quote.filter(([s]) => !s.includes('\ufffd'))) assert.equal(goQuote(s), want, `goQuote(${JSON.stringify(s)})`);
});

test('encoding/json of a re-decoded value: sorted keys, HTML escapes, float64 numbers', () => {
  const out = goJSON({ num: [1e20, 1e21, 1152921504606846976, 0.5, 123456789012345678], 'k<>&': 'v<>&\u2028\u2029\u0001\b\f\t\n\u007f é' });
  assert.equal(out, v.json);
  assert.equal(goJSON({ b: 1, a: { '10': true, '9': false }, c: null, d: undefined }), '{"a":{"10":true,"9":false},"b":1,"c":null}');
});

test('time.Time String and RFC 3339 with nanoseconds', () => {
  assert.equal(goTimeString(new Date('2024-01-02T03:04:05.120Z')), v.time[0]);
  assert.equal(goTimeString(new Date('2024-01-02T03:04:05Z')), v.time[1]);
  assert.equal(rfc3339Nano(new Date('2024-01-02T03:04:05.120Z')), v.time[2]);
});
