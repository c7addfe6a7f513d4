// Small Go-compatibility helpers: buildx's messages embed Go-formatted values (`%q`, strconv errors),
// and its attribute handling relies on Go's bool, whitespace and sort rules.

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** strings.TrimSpace: unlike String.prototype.trim it keeps U+FEFF and strips U+0085. */
export function trimGoSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/** Go sorts strings by bytes; UTF-16 order differs above U+D7FF, so compare UTF-8 encodings. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

/** Go's `%q` for strings (strconv.Quote): printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), returning a bigint so the whole int64 range is exact. */
export function parseGoInt64(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return v;
}

const DEC_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i;

/** Go number literals allow `_` only between digits (a base prefix counts as a digit). */
function underscoresOK(s: string): boolean {
  let rest = s.replace(/^[+-]/, '');
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let hex = false;
  if (/^0[bBoOxX]/.test(rest)) {
    hex = /^0[xX]/.test(rest);
    rest = rest.slice(2);
    saw = 'digit';
  }
  for (const c of rest) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = 'digit';
    else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else if (saw === 'underscore') return false;
    else saw = 'other';
  }
  return saw !== 'underscore';
}

/**
 * strconv.ParseFloat(s, 64) for the shapes a size string can take: decimal, exponent, hex (`0x1p3`)
 * and inf/nan. Out-of-range finite input fails like Go does.
 */
export function parseGoFloat(s: string): number {
  const syntax = (): Error => new Error(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
  if (s.includes('_') && !underscoresOK(s)) throw syntax();
  const plain = s.replaceAll('_', '');
  let v: number;
  if (DEC_FLOAT.test(plain)) {
    v = Number(plain);
  } else if (SPECIAL_FLOAT.test(s)) {
    const lower = s.toLowerCase();
    if (lower.endsWith('nan')) {
      if (s[0] === '+' || s[0] === '-') throw syntax();
      return NaN;
    }
    return s.startsWith('-') ? -Infinity : Infinity;
  } else {
    const m = HEX_FLOAT.exec(plain);
    if (!m) throw syntax();
    const [, sign, intDigits = '', fracDigits = '', exp = '0'] = m;
    if (intDigits === '' && fracDigits === '') throw syntax();
    const mantissa = Number.parseInt(intDigits + fracDigits || '0', 16);
    v = mantissa * 2 ** (Number(exp) - 4 * fracDigits.length);
    if (sign === '-') v = -v;
  }
  if (!Number.isFinite(v)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
  return v;
}
