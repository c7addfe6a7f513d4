// Go's string rules that differ from JavaScript's: unicode.IsSpace trimming and byte-wise (UTF-8) order.

const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** strings.TrimSpace: unlike String.prototype.trim it keeps U+FEFF and strips U+0085. */
export function trimGoSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/**
 * Orders strings by their UTF-8 bytes (Go string order) without encoding them: UTF-16 order differs only
 * where a surrogate pair meets a unit in U+E000–U+FFFF, so those units are shifted into code point order.
 * Used on every directory listing of a context walk, hence no allocation.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
