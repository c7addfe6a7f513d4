// Go's strconv where buildx's behaviour and messages depend on it: ParseBool, ParseInt(s, 10, 64),
// ParseFloat(s, 64) and Quote (fmt's %q for strings). Errors carry Go's text,
// `strconv.ParseBool: parsing "yes": invalid syntax`.

/** A strconv failure; the message is Go's NumError text. */
export class GoNumError extends Error {
  constructor(fn: string, input: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${fn}: parsing ${goQuote(input)}: ${reason}`);
    this.name = 'GoNumError';
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool; throws GoNumError for anything else. */
export function parseGoBool(s: string): boolean {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new GoNumError('ParseBool', s, 'invalid syntax');
}

/** strconv.ParseBool where the caller ignores the error (`if b, err := …; err == nil`): undefined then. */
export function parseGoBoolOptional(s: string): boolean | undefined {
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), as a bigint so the whole int64 range is exact. */
export function parseGoInt64(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new GoNumError('ParseInt', s, 'invalid syntax');
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw new GoNumError('ParseInt', s, 'value out of range');
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
  const syntax = (): Error => new GoNumError('ParseFloat', s, 'invalid syntax');
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
  if (!Number.isFinite(v)) throw new GoNumError('ParseFloat', s, 'value out of range');
  return v;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** strconv.Quote: printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return `${out}"`;
}
