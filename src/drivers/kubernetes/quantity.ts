// Kubernetes resource quantities (`500m`, `1.5Gi`, `1e3`) as k8s.io/apimachinery's resource.ParseQuantity
// reads them and Quantity.String() writes them. buildx parses every size driver-opt when it builds the
// objects, so a bad value fails with the library's message, and the objects carry the canonical text.
//
// A quantity is kept as an exact decimal, unscaled × 10^exponent, never as a float: the canonical form
// depends on exact divisibility (by 10 and by 1024) and on the rounding rules of the Go library.
import { BuildxError } from '../../util/errors.js';
import { parseGoInt64 } from '../../util/go-strconv.js';

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  readonly unscaled: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
  /**
   * The input itself, when the library judged it canonical already and kept it (so `+1` and `1.500`
   * serialize as typed, sign and all).
   */
  readonly text?: string;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const INT64_MAX = (1n << 63n) - 1n;
/** Values below this are rounded up (away from zero) to it: 10^-9, the library's smallest unit. */
const NANO = -9;
/** How many decimal digits the library's int64 fast path accepts. */
const MAX_INT64_DIGITS = 18;
const SUFFIX_CHARS = 'eEinumkKMGTP';

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60],
]);
const DECIMAL_SUFFIX_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
/** Index = power of 1024. Index 0 has no binary suffix in the library's table, so none is written. */
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The scanner's pieces: `value` is sign+digits+fraction as typed, `num` the integer digits less leading zeros. */
interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function formatError(): BuildxError {
  return new BuildxError(QUANTITY_FORMAT_ERROR);
}

/** Where a run of characters accepted by `ok` ends, starting at `from`. */
function skip(str: string, from: number, ok: (c: string) => boolean): number {
  let i = from;
  while (i < str.length && ok(str[i]!)) i++;
  return i;
}

/**
 * The library's hand-written scanner, which is laxer than the regular expression its error quotes:
 * `.`, `5.`, `Ki` and `-` all scan (as zero or as the digits given).
 */
function scan(str: string): Scanned {
  const positive = str[0] !== '-';
  let pos = str[0] === '-' || str[0] === '+' ? 1 : 0;
  pos = skip(str, pos, (c) => c === '0');
  if (pos >= str.length) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  const numStart = pos;
  pos = skip(str, pos, isDigit);
  const num = str.slice(numStart, pos) || '0';
  if (pos >= str.length) return { positive, value: str, num, denom: '', suffix: '' };
  let denom = '';
  if (str[pos] === '.') {
    const denomStart = pos + 1;
    pos = skip(str, denomStart, isDigit);
    denom = str.slice(denomStart, pos);
    if (pos >= str.length) return { positive, value: str, num, denom, suffix: '' };
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  pos = skip(str, pos, (c) => SUFFIX_CHARS.includes(c));
  if (str[pos] === '-' || str[pos] === '+') pos++;
  if (skip(str, pos, isDigit) < str.length) throw formatError();
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

/** `e<int>`/`E<int>`; the exponent is truncated to 32 bits as the Go code's int32 conversion does. */
function exponentSuffix(s: string): Suffix | undefined {
  if (s.length < 2 || (s[0] !== 'e' && s[0] !== 'E')) return undefined;
  try {
    return { base: 10, exponent: Number(BigInt.asIntN(32, parseGoInt64(s.slice(1)))), format: 'DecimalExponent' };
  } catch {
    return undefined;
  }
}

function interpretSuffix(s: string): Suffix {
  const dec = DECIMAL_SUFFIXES.get(s);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES.get(s);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  const exp = exponentSuffix(s);
  if (!exp) throw new BuildxError(QUANTITY_SUFFIX_ERROR);
  return exp;
}

/**
 * The library's int64 path: taken when the digits are few enough to be exact. It is the only path that
 * may keep the input text, and it does so when the text is what String() would write anyway (for
 * binary suffixes, a number not divisible by 8; for decimal ones, a multiple-of-3 exponent and no
 * leading zero or trailing `000`).
 */
function fastPath(str: string, sc: Scanned, sfx: Suffix): Quantity | undefined {
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (sfx.format !== 'BinarySI') {
    scale = sfx.exponent;
    precision = MAX_INT64_DIGITS - (sc.num.length + sc.denom.length);
  } else if (sfx.exponent >= 0 && sc.denom === '') {
    mantissa = 1n << BigInt(sfx.exponent);
    // the library's estimate of the decimal digits a binary suffix costs: exponent·3/10, plus one
    precision = 15 - sc.num.length - Math.trunc((sfx.exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision < 0) return undefined;
  scale -= sc.denom.length;
  if (scale < NANO) return undefined;
  const shifted = sc.num + sc.denom;
  const value = BigInt(shifted);
  const product = value * mantissa;
  if (product > INT64_MAX) return undefined;
  const q: Quantity = { unscaled: sc.positive ? product : -product, exponent: scale, format: sfx.format };
  const keep = sfx.format === 'BinarySI'
    ? sfx.exponent % 10 === 0 && (value & 7n) !== 0n
    : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return keep ? { ...q, text: str } : q;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** ⌈x / 10^k⌉ for x > 0, without building 10^k when it is bound to exceed x. */
function ceilDivPow10(x: bigint, k: number): bigint {
  if (k >= x.toString().length) return 1n;
  const d = pow10(k);
  return (x + d - 1n) / d;
}

/** The decimal value as typed: `[sign]digits[.digits]`. */
function decimalOf(value: string): { unscaled: bigint; exponent: number } {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  const whole = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (!m || whole + frac === '') throw new BuildxError(QUANTITY_NUMERIC_ERROR);
  const digits = BigInt(whole + frac);
  return { unscaled: m[1] === '-' ? -digits : digits, exponent: -frac.length };
}

/** `x·10^exp < 10^0`, for x ≥ 0. */
function belowOne(x: bigint, exp: number): boolean {
  return exp < 0 ? x < pow10(-exp) : x === 0n;
}

/** `x·10^exp > max`, for x ≥ 0 (binary quantities only, whose exponent is never positive). */
function aboveInt64(x: bigint, exp: number): boolean {
  return exp <= 0 ? x > INT64_MAX * pow10(-exp) : x * pow10(exp) > INT64_MAX;
}

/**
 * The library's arbitrary-precision path: the suffix is folded into the number, non-zero values are
 * rounded up to a whole nano, binary ones are capped at 2^63-1 and those in (0, 1) become decimal.
 */
function slowPath(sc: Scanned, sfx: Suffix): Quantity {
  let { unscaled, exponent } = decimalOf(sc.value);
  if (sfx.base === 10) exponent += sfx.exponent;
  else unscaled *= 1n << BigInt(sfx.exponent);
  const negative = unscaled < 0n;
  let abs = negative ? -unscaled : unscaled;
  let format = sfx.format;
  if (abs !== 0n && exponent < NANO) {
    abs = ceilDivPow10(abs, NANO - exponent);
    exponent = NANO;
  }
  if (format === 'BinarySI' && aboveInt64(abs, exponent)) {
    abs = INT64_MAX;
    exponent = 0;
  }
  if (format === 'BinarySI' && abs !== 0n && belowOne(abs, exponent)) format = 'DecimalSI';
  return { unscaled: negative ? -abs : abs, exponent, format };
}

/** resource.ParseQuantity; throws BuildxError with the library's message. */
export function parseQuantity(str: string): Quantity {
  if (str === '') throw formatError();
  if (str === '0') return { unscaled: 0n, exponent: 0, format: 'DecimalSI', text: str };
  const sc = scan(str);
  const sfx = interpretSuffix(sc.suffix);
  return fastPath(str, sc, sfx) ?? slowPath(sc, sfx);
}

/** The whole number a quantity is, or undefined when it has a fraction. */
function integerOf(q: Quantity): bigint | undefined {
  if (q.exponent >= 0) return q.unscaled * pow10(q.exponent);
  const d = pow10(-q.exponent);
  return q.unscaled % d === 0n ? q.unscaled / d : undefined;
}

/**
 * `<n><Ki|Mi|…>` with the largest power of 1024 that divides exactly; undefined when the library falls
 * back to decimal: magnitudes under 1024 and values with a fraction.
 */
function binaryString(q: Quantity): string | undefined {
  const n = integerOf(q);
  if (n === undefined || (n > -1024n && n < 1024n)) return undefined;
  let amount = n;
  let power = 0;
  while ((amount >= 1024n || amount <= -1024n) && amount % 1024n === 0n) {
    amount /= 1024n;
    power++;
  }
  return `${amount}${BINARY_SUFFIX_BY_POWER[power] ?? ''}`;
}

/**
 * Mantissa without trailing zeros, exponent lowered to a multiple of 3. A decimal exponent without an SI
 * letter (beyond `E`) gets no suffix at all: the library's table lookup fails and it writes none.
 */
function decimalString(q: Quantity, format: 'DecimalSI' | 'DecimalExponent'): string {
  let amount = q.unscaled;
  let exponent = q.exponent;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  const suffix = format === 'DecimalExponent'
    ? (exponent === 0 ? '' : `e${exponent}`)
    : DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) ?? '';
  return `${amount}${suffix}`;
}

/** Quantity.String(): the text the Go client puts in JSON. */
export function formatQuantity(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.unscaled === 0n) return '0';
  if (q.format === 'BinarySI') return binaryString(q) ?? decimalString(q, 'DecimalSI');
  return decimalString(q, q.format);
}

/** ParseQuantity then String(): what a size option turns into on the wire. */
export function canonicalQuantity(str: string): string {
  return formatQuantity(parseQuantity(str));
}
