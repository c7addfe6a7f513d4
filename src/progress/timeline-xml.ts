// Text into XML (SVG, and the HTML around it). Step names are arbitrary user text — Dockerfile lines
// with `<`, `&`, quotes, even control characters from a heredoc — so everything goes through here.

// Code points XML 1.0 forbids outright (C0 controls other than tab/newline/CR, lone surrogates,
// U+FFFE/U+FFFF): escaping cannot save them, so they are replaced.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe as element text and as a quoted attribute value. */
export function escapeXML(text: string): string {
  return text.replace(INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
