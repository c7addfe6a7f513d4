// Go's renderings of durations and instants where buildx prints them: time.Duration.String()
// (`48h0m0s`), time.Time.String() for UTC instants, and RFC 3339 with trimmed nanoseconds (JSON).

/** `<int>.<frac>` with the fraction's trailing zeros (and a bare dot) removed. */
function withFraction(whole: bigint, frac: bigint, digits: number): string {
  const f = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return f ? `${whole}.${f}` : `${whole}`;
}

/** time.Duration(ns).String(). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${withFraction(u / 1_000n, u % 1_000n, 3)}µs`;
    else out = `${withFraction(u / 1_000_000n, u % 1_000_000n, 6)}ms`;
  } else {
    const secs = u / 1_000_000_000n;
    out = `${withFraction(secs % 60n, u % 1_000_000_000n, 9)}s`;
    const mins = secs / 60n;
    if (mins > 0n) {
      out = `${mins % 60n}m${out}`;
      const hours = mins / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Nanoseconds within the second, from a Date (which keeps milliseconds). */
function nanos(d: Date): bigint {
  return BigInt(d.getUTCMilliseconds()) * 1_000_000n;
}

function utcParts(d: Date): { date: string; time: string } {
  const iso = d.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** time.Time.String() of a UTC instant: `2024-01-02 03:04:05.12 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const { date, time } = utcParts(d);
  const frac = nanos(d);
  const f = frac ? `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${date} ${time}${f} +0000 UTC`;
}

/** time.RFC3339Nano of a UTC instant, as encoding/json writes a time.Time. */
export function rfc3339Nano(d: Date): string {
  const { date, time } = utcParts(d);
  const frac = nanos(d);
  const f = frac ? `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${date}T${time}${f}Z`;
}

/** time.Time.String() of a UTC instant given in nanoseconds since the epoch (full precision). */
export function goTimeStringNs(ns: bigint): string {
  const sec = ns >= 0n ? ns / 1_000_000_000n : (ns - 999_999_999n) / 1_000_000_000n;
  const frac = ns - sec * 1_000_000_000n;
  const { date, time } = utcParts(new Date(Number(sec) * 1000));
  const f = frac ? `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${date} ${time}${f} +0000 UTC`;
}
