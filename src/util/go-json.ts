// JSON as Go's encoding/json writes a decoded-then-re-encoded value (what `ls --format json` prints):
// object keys sorted bytewise at every level (integer-like keys included, which JavaScript objects
// would reorder), and <, >, &, U+2028, U+2029 escaped.

export type GoJSONValue = string | number | boolean | null | GoJSONValue[] | { [key: string]: GoJSONValue | undefined };

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function str(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!);
}

export function goJSON(v: GoJSONValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(byteCompare);
  return `{${keys.map((k) => `${str(k)}:${goJSON(v[k]!)}`).join(',')}}`;
}
