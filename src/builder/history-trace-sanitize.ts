// A bundle's trace is the daemon's span stream re-encoded the way buildx re-encodes it: each span keeps only
// the fields of buildx's span type, in its order, indented by two spaces, with credentials in string
// attributes masked. Numbers and untouched strings keep their original text (no float or int64 rounding).
import { sanitizeCommand } from './history-sanitize.js';

export type Node = { k: 'raw'; text: string } | { k: 'arr'; items: Node[] } | { k: 'obj'; entries: Array<[string, Node]> };

const SPAN_FIELDS = ['Name', 'SpanContext', 'Parent', 'SpanKind', 'StartTime', 'EndTime', 'Attributes', 'Events', 'Links', 'Status',
  'DroppedAttributes', 'DroppedEvents', 'DroppedLinks', 'ChildSpanCount', 'Resource', 'InstrumentationLibrary'];

export class Parser {
  i = 0;
  constructor(readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private str(): string {
    const start = this.i++;
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return this.s.slice(start, this.i);
  }

  value(): Node {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const entries: Array<[string, Node]> = [];
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { k: 'obj', entries };
      }
      for (;;) {
        this.ws();
        const key = JSON.parse(this.str()) as string;
        this.ws();
        this.i++; // ':'
        entries.push([key, this.value()]);
        this.ws();
        if (this.s[this.i++] === '}') return { k: 'obj', entries };
      }
    }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return { k: 'arr', items };
      }
      for (;;) {
        items.push(this.value());
        this.ws();
        if (this.s[this.i++] === ']') return { k: 'arr', items };
      }
    }
    if (c === '"') return { k: 'raw', text: this.str() };
    const m = /^[^\s,\]}]+/.exec(this.s.slice(this.i, this.i + 64))!;
    this.i += m[0].length;
    return { k: 'raw', text: m[0] };
  }
}

const ESC: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
export const goString = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESC[c]!);

/** json.MarshalIndent-style output of a tree (two-space indent). */
export function emit(n: Node, pre = ''): string {
  if (n.k === 'raw') return n.text;
  const inner = `${pre}  `;
  if (n.k === 'arr') return n.items.length ? `[\n${n.items.map((x) => inner + emit(x, inner)).join(',\n')}\n${pre}]` : '[]';
  return n.entries.length ? `{\n${n.entries.map(([k, v]) => `${inner}${goString(k)}: ${emit(v, inner)}`).join(',\n')}\n${pre}}` : '{}';
}

export const get = (n: Node | undefined, key: string): Node | undefined => (n?.k === 'obj' ? n.entries.find(([k]) => k === key)?.[1] : undefined);

function maskAttributes(attrs: Node | undefined): void {
  if (attrs?.k !== 'arr') return;
  for (const kv of attrs.items) {
    const v = get(kv, 'Value');
    const type = get(v, 'Type');
    const val = get(v, 'Value');
    if (type?.k === 'raw' && type.text === '"STRING"' && val?.k === 'raw' && val.text.startsWith('"')) {
      const s = JSON.parse(val.text) as string;
      const masked = sanitizeCommand(s);
      if (masked !== s) val.text = goString(masked);
    }
  }
}

/** One span object (its JSON text) as buildx writes it into a bundle, newline-terminated. */
export function sanitizeSpan(text: string): string {
  const span = new Parser(text).value();
  if (span.k !== 'obj') return `${text}\n`;
  maskAttributes(get(span, 'Attributes'));
  // Fields buildx's span type lacks are dropped; those it has but the input lacks get Go's zero values.
  const entries: Array<[string, Node]> = SPAN_FIELDS.map((f) => [f, get(span, f) ?? { k: 'raw', text: 'null' }]);
  return `${emit({ k: 'obj', entries }, '')}\n`;
}

/** Splits a stream of concatenated JSON objects into their texts, chunk by chunk. */
export class ObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  push(chunk: string): string[] {
    const out: string[] = [];
    const base = this.buf.length;
    this.buf += chunk;
    for (let i = base; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        if (this.depth++ === 0) this.start = i;
      } else if ((c === '}' || c === ']') && --this.depth === 0) {
        out.push(this.buf.slice(this.start, i + 1));
        this.start = -1;
      }
    }
    // Keep only the unfinished object.
    if (this.start >= 0) {
      this.buf = this.buf.slice(this.start);
      this.start = 0;
    } else this.buf = '';
    return out;
  }
}
