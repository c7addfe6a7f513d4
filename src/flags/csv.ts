// Field splitting for flag values the way buildx reads them (tonistiigi/go-csvvalue: Go's encoding/csv
// rules for a single record, comma separator, strict quotes). Parsing by hand rather than split(',')
// keeps quoted commas (`"dest=a,b"`) and Go's error texts and byte columns.
import { FlagError } from './flag-error.js';
import { compareGoStrings } from '../util/go-strings.js';

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';

/** Go reports 1-based byte columns, so multi-byte text before the error shifts the number. */
function csvError(line: string, index: number, reason: string): FlagError {
  const column = Buffer.byteLength(line.slice(0, index), 'utf8') + 1;
  return new FlagError(`parse error on line 1, column ${column}: ${reason}`);
}

/**
 * Splits one CSV record. A trailing `\n` or `\r\n` is ignored; an empty value throws `EOF` as Go does
 * (buildx skips empty flag values before splitting, so callers should too).
 */
export function splitCSV(value: string): string[] {
  let line = value;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line === '') throw new FlagError('EOF');

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (pos >= line.length || line[pos] !== '"') {
      const comma = line.indexOf(',', pos);
      const field = comma >= 0 ? line.slice(pos, comma) : line.slice(pos);
      const quote = field.indexOf('"');
      if (quote >= 0) throw csvError(line, pos + quote, ERR_BARE_QUOTE);
      fields.push(field);
      if (comma < 0) return fields;
      pos = comma + 1;
      continue;
    }
    pos++;
    let field = '';
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote < 0) throw csvError(line, pos, ERR_QUOTE);
      field += line.slice(pos, quote);
      pos = quote + 1;
      const next = line[pos];
      if (next === '"') {
        field += '"';
        pos++;
      } else if (next === ',') {
        fields.push(field);
        pos++;
        break;
      } else if (pos === line.length) {
        fields.push(field);
        return fields;
      } else {
        throw csvError(line, pos - 1, ERR_QUOTE);
      }
    }
  }
}

/**
 * Quotes one field only when it holds `,` or `"` — the same rule buildx's formatters use, so a value
 * without those characters prints bare (`dest=out`), and anything printed splits back unchanged.
 */
export function quoteCSVField(field: string): string {
  if (!field.includes(',') && !field.includes('"')) return field;
  return `"${field.replaceAll('"', '""')}"`;
}

/** Joins fields into one record that {@link splitCSV} turns back into the same fields. */
export function joinCSV(fields: readonly string[]): string {
  return fields.map(quoteCSVField).join(',');
}

/** `key=value` pairs, quoted as whole fields; attrs come after in Go's byte order so output is stable. */
export function formatPairs(pairs: ReadonlyArray<readonly [string, string]>, attrs?: Readonly<Record<string, string>>): string {
  const fields = pairs.map(([k, v]) => `${k}=${v}`);
  if (attrs) {
    for (const k of sortedKeys(attrs)) fields.push(`${k}=${attrs[k]}`);
  }
  return joinCSV(fields);
}

export function sortedKeys(record: Readonly<Record<string, string>>): string[] {
  return Object.keys(record).sort(compareGoStrings);
}

/**
 * pflag's StringSlice flags (`--add-host`) split each occurrence as CSV; an empty occurrence adds nothing.
 */
export function splitStringSlice(values: readonly string[]): string[] {
  return values.flatMap((v) => (v === '' ? [] : splitCSV(v)));
}

/** Sets an own property even for `__proto__`, so user-chosen keys never touch the prototype. */
export function setOwn(record: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Splits at the first `=`: `[key, value]`, or `[whole, undefined]` when there is none. */
export function cutEquals(field: string): [string, string | undefined] {
  const i = field.indexOf('=');
  return i < 0 ? [field, undefined] : [field.slice(0, i), field.slice(i + 1)];
}
