// TOML text exactly as go-toml/v2 (v2.3.1, what buildx v0.36.1 vendors) marshals a map[string]any:
// in every table its plain values first, then its sub-tables and arrays of tables, each group sorted
// bytewise by key; a blank line before every table except a first one that directly follows its
// parent's header; strings as 'literals' unless they need escapes; every map inside a value inline.
import { TomlDateTime, TomlFloat, isTable, type TomlTable, type TomlValue } from './toml-value.js';

const BARE = /^[A-Za-z0-9_-]+$/;

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Characters a literal string cannot hold: quote, line breaks and control characters except tab. */
function needsQuoting(s: string): boolean {
  return /['\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quoted(s: string): string {
  return `"${s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\u00${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}"`;
}

function encodeString(s: string): string {
  return needsQuoting(s) ? quoted(s) : `'${s}'`;
}

function encodeKey(k: string): string {
  if (k === '') return "''";
  if (BARE.test(k)) return k;
  return needsQuoting(k) ? quoted(k) : `'${k}'`;
}

/** Shortest round-trip digits in plain decimal notation, never an exponent (strconv 'f', -1). */
function plainDecimal(x: number): string {
  const s = String(Math.abs(x));
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return (x < 0 ? '-' : '') + s;
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]);
  const point = 1 + exp;
  const body = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (x < 0 ? '-' : '') + body;
}

function encodeFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Math.trunc(x) === x) return `${Object.is(x, -0) ? '-0' : BigInt(x).toString()}.0`;
  return plainDecimal(x);
}

function encodeInline(v: TomlValue): string {
  if (typeof v === 'string') return encodeString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof TomlFloat) return encodeFloat(v.value);
  if (v instanceof TomlDateTime) return v.text;
  if (Array.isArray(v)) return `[${v.map(encodeInline).join(', ')}]`;
  const entries = [...v.entries()].sort(([a], [b]) => byteCompare(a, b));
  return `{${entries.map(([k, x]) => `${encodeKey(k)} = ${encodeInline(x)}`).join(', ')}}`;
}

/** A non-empty array whose every element is a table becomes `[[…]]` sections. */
function isTableArray(v: TomlValue): v is TomlTable[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isTable(x));
}

function header(path: string[]): string {
  return path.map(encodeKey).join('.');
}

function encodeTable(t: TomlTable, path: string[], withHeader: boolean): string {
  let out = withHeader && path.length ? `[${header(path)}]\n` : '';
  const values: [string, TomlValue][] = [];
  const tables: [string, TomlTable | TomlTable[]][] = [];
  for (const [k, v] of t) {
    if (isTable(v) || isTableArray(v)) tables.push([k, v]);
    else values.push([k, v]);
  }
  values.sort(([a], [b]) => byteCompare(a, b));
  tables.sort(([a], [b]) => byteCompare(a, b));
  for (const [k, v] of values) out += `${encodeKey(k)} = ${encodeInline(v)}\n`;
  tables.forEach(([k, v], i) => {
    if (i > 0 || values.length) out += '\n';
    const sub = [...path, k];
    if (isTable(v)) {
      out += encodeTable(v, sub, true);
      return;
    }
    v.forEach((el, j) => {
      if (j > 0) out += '\n';
      out += `[[${header(sub)}]]\n${encodeTable(el, sub, false)}`;
    });
  });
  return out;
}

export function encodeGoToml(doc: TomlTable): string {
  return encodeTable(doc, [], false);
}
