// Number and time formatting shared by the renderers. Every function reproduces the output of the Go
// formatting BuildKit and buildx use (fmt's %.Nf, units.Bytes, time.RFC3339Nano), because plain and
// rawjson output are read by scripts and compared byte for byte with reference buildx.
import type { Nanos } from './types.js';

const NS_PER_SEC = 1_000_000_000n;

/**
 * `x` with `digits` decimals, rounded like Go's strconv/big.Float: to nearest, ties to even on the exact
 * binary value. Number.prototype.toFixed rounds ties away from zero, so 0.25 would print as 0.3 where Go
 * prints 0.2; exact ties are therefore detected and settled here.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  if (Math.abs(x) >= 1e21) return x.toFixed(digits); // not reached by durations or unit-scaled sizes
  const neg = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(100); // exact expansion when it terminates within 100 digits
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  let out: string;
  if (tail[0] === '5' && /^50*$/.test(tail)) {
    const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
    const lastDigit = kept.charCodeAt(kept.length - 1) - 48;
    out = lastDigit % 2 === 0 ? kept : Math.abs(x).toFixed(digits);
  } else {
    out = Math.abs(x).toFixed(digits);
  }
  // Go keeps the sign of values that round to zero (-0.001 → "-0.0").
  return neg ? `-${out}` : out;
}

/** A nanosecond span as float seconds, computed the way Go's Duration.Seconds() does. */
export function nanosToSeconds(ns: Nanos): number {
  return Number(ns / NS_PER_SEC) + Number(ns % NS_PER_SEC) / 1e9;
}

/** `%.1f` seconds, as used by `DONE 1.2s` and status elapsed times. */
export function formatSeconds(ns: Nanos): string {
  return formatFixed(nanosToSeconds(ns), 1);
}

/**
 * Elapsed-time prefix of a log line, without the trailing space: 3 decimals below 10 s, 2 below 100 s,
 * else 1 (`0.153`, `12.05`, `153.2`).
 */
export function formatLogTime(ns: Nanos): string {
  const sec = nanosToSeconds(ns);
  return formatFixed(sec, sec < 10 ? 3 : sec < 100 ? 2 : 1);
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * A byte count as `%.2f` of units.Bytes: plain integer bytes below 1000 (`512B`), otherwise the value in
 * the largest decimal unit it reaches, two decimals (`1.23kB`, `45.60MB`, and `1000.00kB` for 999999,
 * since the unit is chosen before rounding).
 */
export function formatBytes(n: number): string {
  const b = Math.trunc(n);
  let unit = 0;
  let base = 1;
  while (unit < DECIMAL_UNITS.length - 1 && (b >= 0 ? b >= base * 1000 : b <= -base * 1000)) {
    unit++;
    base *= 1000;
  }
  if (unit === 0) return `${b}B`;
  return `${formatFixed(b / base, 2)}${DECIMAL_UNITS[unit]}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * RFC 3339 with nanoseconds and trailing fractional zeros trimmed (Go's time.RFC3339Nano), as
 * encoding/json writes time.Time. `utcOffsetMinutes` 0 gives `Z`; others give `+hh:mm`.
 */
export function formatRFC3339Nano(ns: Nanos, utcOffsetMinutes = 0): string {
  let secs = ns / NS_PER_SEC;
  let frac = ns % NS_PER_SEC;
  if (frac < 0n) {
    frac += NS_PER_SEC;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000 + utcOffsetMinutes * 60_000);
  let out = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  if (frac !== 0n) out += `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  if (utcOffsetMinutes === 0) return `${out}Z`;
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${out}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** The local zone's offset from UTC at `ns`, in minutes east of Greenwich (Go's sign convention). */
export function localOffsetMinutes(ns: Nanos): number {
  const offset = -new Date(Number(ns / 1_000_000n)).getTimezoneOffset();
  return offset === 0 ? 0 : offset; // avoid -0
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses what formatRFC3339Nano (or Go's time.Time JSON) produces back into epoch nanoseconds. */
export function parseRFC3339Nano(text: string): Nanos {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`invalid RFC 3339 time ${JSON.stringify(text)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Date.UTC maps years 0–99 to 1900–1999.
  const year = Number(m[1]);
  const fixedMs = year < 100 ? new Date(ms).setUTCFullYear(year) : ms;
  let ns = BigInt(fixedMs) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  if (!m[8] && m[9]) {
    const offsetNs = BigInt(Number(m[10]) * 60 + Number(m[11])) * 60n * NS_PER_SEC;
    ns = m[9] === '+' ? ns - offsetNs : ns + offsetNs;
  }
  return ns;
}
