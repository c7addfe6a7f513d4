// Go's time.ParseDuration exactly: nanoseconds as a bigint, Go's overflow limits, rounding and messages.
// (util/duration.ts is the lenient milliseconds reading the --timeout flags use.)
import { BuildxError } from './errors.js';

const DURATION_UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n], ['us', 1_000n], ['µs', 1_000n], ['μs', 1_000n], ['ms', 1_000_000n],
  ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
]);
const TWO_63 = 1n << 63n;

/** The quoting of Go's time package: every byte of a non-ASCII or control character as `\xNN`. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

/** Digits of a fraction as Go's leadingFraction keeps them: once more would overflow, the rest are dropped. */
function fraction(digits: string): { f: bigint; scale: number } {
  let f = 0n;
  let scale = 1;
  for (const c of digits) {
    const next = f * 10n + BigInt(c);
    if (f > (TWO_63 - 1n) / 10n || next > TWO_63) break;
    f = next;
    scale *= 10;
  }
  return { f, scale };
}

/**
 * time.ParseDuration, in nanoseconds, with its messages and overflow checks; the fraction goes through a
 * float64 as in Go, so the nanoseconds round the same way.
 */
export function parseGoDurationNs(orig: string): bigint {
  const invalid = (): BuildxError => new BuildxError(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  const neg = s[0] === '-';
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const [number, whole = '', frac] = m;
    if (whole === '' && !frac) throw invalid();
    let v = BigInt(whole || '0');
    if (v > TWO_63) throw invalid();
    s = s.slice(number.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') throw new BuildxError(`time: missing unit in duration ${timeQuote(orig)}`);
    s = s.slice(unit.length);
    const perUnit = DURATION_UNIT_NS.get(unit);
    if (perUnit === undefined) throw new BuildxError(`time: unknown unit ${timeQuote(unit)} in duration ${timeQuote(orig)}`);
    if (v > TWO_63 / perUnit) throw invalid();
    v *= perUnit;
    const { f, scale } = fraction(frac ?? '');
    if (f > 0n) v += BigInt(Math.trunc(Number(f) * (Number(perUnit) / scale)));
    if (v > TWO_63) throw invalid();
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}
