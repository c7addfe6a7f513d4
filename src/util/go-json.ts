// JSON as Go's encoding/json writes a decoded-then-re-encoded value (what `ls --format json` prints):
// object keys sorted bytewise at every level (integer-like keys included, which JavaScript objects
// would reorder), and <, >, &, U+2028, U+2029 escaped.

export type GoJSONValue = string | number | boolean | null | GoJSONValue[] | { [key: string]: GoJSONValue | undefined };

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** What json.Marshal escapes beyond JSON.stringify (<, >, &, U+2028, U+2029), applied to JSON text. */
export function goHTMLEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!);
}

function str(s: string): string {
  return goHTMLEscape(JSON.stringify(s));
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

/** A value's own JSON text, as a Go json.Marshaler supplies it; encoders copy it unchanged. */
export const GO_MARSHAL_JSON: unique symbol = Symbol('goMarshalJSON');

export interface GoEncodeOptions {
  /** json.Encoder.SetEscapeHTML; json.Marshal always escapes. */
  escapeHTML: boolean;
}

/**
 * JSON as Go's encoder writes a value of a declared type: plain objects are structs (fields in their
 * order), Maps are maps (keys sorted), undefined and null are null; U+2028/U+2029 are always escaped.
 */
export function goEncodeJSON(v: unknown, opts: GoEncodeOptions): string {
  const s = (x: string) => JSON.stringify(x).replace(opts.escapeHTML ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g, (c) => ESCAPES[c]!);
  const enc = (x: unknown): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'string') return s(x);
    if (typeof x === 'number') return Number.isFinite(x) ? JSON.stringify(x) : 'null';
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (Array.isArray(x)) return `[${x.map(enc).join(',')}]`;
    if (x instanceof Map) {
      const keys = [...x.keys()].map(String).sort(byteCompare);
      return `{${keys.map((k) => `${s(k)}:${enc(x.get(k))}`).join(',')}}`;
    }
    if (typeof x === 'object') {
      const own = (x as { [GO_MARSHAL_JSON]?: () => string })[GO_MARSHAL_JSON];
      if (own) return own.call(x);
      return `{${Object.entries(x).map(([k, val]) => `${s(k)}:${enc(val)}`).join(',')}}`;
    }
    return 'null';
  };
  return enc(v);
}

/** json.Indent / json.MarshalIndent's layout of compact JSON text: `{}` and `[]` stay closed up. */
export function goIndent(compact: string, prefix: string, indent: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${prefix}${indent.repeat(depth)}`;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += compact[++i]!;
      else if (c === '"') inString = false;
      continue;
    }
    switch (c) {
      case '"': inString = true; out += c; break;
      case '{': case '[': {
        const close = c === '{' ? '}' : ']';
        if (compact[i + 1] === close) { out += c + close; i++; break; }
        depth++;
        out += c + newline();
        break;
      }
      case '}': case ']': depth--; out += newline() + c; break;
      case ',': out += c + newline(); break;
      case ':': out += ': '; break;
      default: out += c;
    }
  }
  return out;
}
