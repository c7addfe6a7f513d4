// Reading TOML with smol-toml, mapped onto the untyped tree go-toml/v2 decodes into map[string]any
// (see toml-value.ts): integers as 64-bit bigints, every other number a float, date-times as the
// text go-toml writes for them again.
//
// Date-times need their literal text: go-toml keeps nanoseconds, and for local values as many
// fraction digits as were written (`07:32:00.500`), while smol-toml's default date values hold
// milliseconds. Asked for Temporal values instead, smol-toml hands each literal to
// `Temporal.<Kind>.from`; Node 20 has no Temporal, so for the (synchronous) parse we provide one
// whose `from` turns the literal into go-toml's text, and put back whatever was there before.
// That call is smol-toml's behaviour rather than its documented API, hence the exact version pin in
// package.json; test/unit/util/toml.test.ts and the buildkitd-rich fixture catch a change.
import { parse, TomlError as SmolTomlError, type TomlValue as SmolValue } from 'smol-toml';
import { TomlDateTime, TomlError, TomlFloat, type TomlTable, type TomlValue } from './toml-value.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?)?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

function validDate(y: number, m: number, d: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1]!;
}

/** HH:MM:SS[.frac] as go-toml writes it; `keep` keeps the digits written (up to nine), else trims zeros. */
function timeText(h: string, mi: string, s: string, frac: string | undefined, keep: boolean): string {
  // go-toml's words.
  if (+h > 23) throw new Error('hour cannot be greater 23');
  if (+mi > 59) throw new Error('minutes cannot be greater 59');
  if (+s > 59) throw new Error('seconds cannot be greater than 59');
  const digits = (frac ?? '').slice(0, 9);
  const shown = keep ? digits : digits.replace(/0+$/, '');
  return `${h}:${mi}:${s}${shown ? `.${shown}` : ''}`;
}

/**
 * The text go-toml writes for a date-time literal: offset date-times as Go's RFC3339Nano (UTC as
 * `Z`), local ones as written with a `T` separator. smol-toml appends `[<offset>]` to offset ones.
 */
function goDateTime(literal: string): TomlDateTime {
  const raw = literal.replace(/\[[^\]]*\]$/, '');
  const t = LOCAL_TIME.exec(raw);
  if (t) return new TomlDateTime(timeText(t[1]!, t[2]!, t[3]!, t[4], true));
  const m = DATE_TIME.exec(raw);
  if (!m) throw new Error('invalid date-time');
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  if (!validDate(+y!, +mo!, +d!)) throw new Error('impossible date');
  const date = `${y}-${mo}-${d}`;
  if (h === undefined) return new TomlDateTime(date);
  if (offset === undefined) return new TomlDateTime(`${date}T${timeText(h, mi!, s!, frac, true)}`);
  const zone = /^(?:[Zz]|[+-]00:00)$/.test(offset) ? 'Z' : offset;
  return new TomlDateTime(`${date}T${timeText(h, mi!, s!, frac, false)}${zone}`);
}

const literalReader = { from: goDateTime };
const TEMPORAL = { ZonedDateTime: literalReader, PlainDateTime: literalReader, PlainDate: literalReader, PlainTime: literalReader };

function withTemporal<T>(run: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'Temporal');
  Object.defineProperty(globalThis, 'Temporal', { value: TEMPORAL, configurable: true, writable: true });
  try {
    return run();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'Temporal', saved);
    else delete (globalThis as { Temporal?: unknown }).Temporal;
  }
}

function convert(v: SmolValue | TomlDateTime, fail: (msg: string) => never): TomlValue {
  if (typeof v === 'string' || typeof v === 'boolean' || v instanceof TomlDateTime) return v;
  if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? v : fail(`integer ${v} out of range`);
  if (typeof v === 'number') return new TomlFloat(v);
  if (Array.isArray(v)) return v.map((x) => convert(x, fail));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null) {
    // Tables are null-prototype objects (so `__proto__` is an ordinary key). JS lists integer-like
    // keys first; the order does not matter to the encoder, which sorts.
    return new Map(Object.entries(v).map(([k, x]) => [k, convert(x, fail)]));
  }
  return fail('unsupported value');
}

/**
 * Parses a TOML 1.0 document. Errors are TomlErrors reading
 * `toml: [<name>: ]line L, column C: <what is wrong>`.
 */
export function parseToml(text: string, name?: string): TomlTable {
  const where = name ? `${name}: ` : '';
  const fail = (msg: string, cause?: unknown): never => {
    throw new TomlError(`toml: ${where}${msg}`, { cause });
  };
  let doc;
  try {
    doc = withTemporal(() => parse(text, { integersAsBigInt: true, useLegacyDate: false }));
  } catch (err) {
    if (!(err instanceof SmolTomlError)) throw err;
    // smol-toml's message is `Invalid TOML document: <what>` followed by a code excerpt.
    const what = err.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
    return fail(`line ${err.line}, column ${err.column}: ${what}`, err);
  }
  return convert(doc, fail) as TomlTable;
}
