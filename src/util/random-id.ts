// Random identifiers in BuildKit's style: session ids, build refs, temporary file names.
import { randomBytes } from 'node:crypto';

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random base-36 identifier, like the 25-character ids BuildKit's Go client makes. */
export function randomId(length = 25): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ID_ALPHABET[b % 36];
  return s;
}
