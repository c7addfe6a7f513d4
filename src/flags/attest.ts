// `--attest`, `--provenance` and `--sbom` values, read as buildx's buildflags reads them: each is a CSV of
// `type=…`, `disabled=…` and the attestation's own attributes; `--provenance=true|false` is shorthand for
// `type=provenance,disabled=false|true`. The last value of a type wins; a disabled type maps to null.
import { cutEquals, formatPairs, setOwn, splitCSV } from './csv.js';
import { FlagError } from './flag-error.js';
import { parseGoBoolOptional } from '../util/go-strconv.js';

/** A shorthand flag's value as an `--attest` value ('' when the flag was not given). */
export function canonicalizeAttest(type: string, value: string): string {
  if (value === '') return '';
  const b = parseGoBoolOptional(value);
  if (b !== undefined) return `type=${type},disabled=${!b}`;
  return `type=${type},${value}`;
}

interface Attest {
  type: string;
  disabled: boolean;
  attrs: Record<string, string>;
}

function parseAttest(value: string): Attest {
  const a: Attest = { type: '', disabled: false, attrs: {} };
  for (const field of splitCSV(value)) {
    const [key, v] = cutEquals(field);
    if (v === undefined) throw new FlagError(`invalid value ${field}`);
    switch (key.trim().toLowerCase()) {
      case 'type':
        a.type = v;
        break;
      case 'disabled': {
        const b = parseGoBoolOptional(v);
        if (b === undefined) throw new FlagError(`invalid value ${field}: strconv.ParseBool: parsing "${v}": invalid syntax`);
        a.disabled = b;
        break;
      }
      default:
        setOwn(a.attrs, key, v);
    }
  }
  if (a.type === '') throw new FlagError('attestation type not specified');
  return a;
}

/** By type: the frontend's `attest:<type>` value, or null for a type turned off. */
export function parseAttests(values: readonly string[]): Record<string, string | null> {
  const byType = new Map<string, Attest>();
  for (const v of values) {
    if (v === '') continue;
    const a = parseAttest(v);
    byType.set(a.type, a);
  }
  const out: Record<string, string | null> = {};
  for (const [type, a] of byType) out[type] = a.disabled ? null : formatPairs([['type', type]], a.attrs);
  return out;
}
