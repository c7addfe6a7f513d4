// Go's net/url escaping, where a string must come out byte for byte as Go writes it.

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** url.QueryEscape: every byte but unreserved ones as %XX (upper case), spaces as `+`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
