// The `rawjson` renderer (protocol.md §5.4): each SolveStatus as one line of JSON, field for field what
// Go's encoding/json makes of BuildKit's client.SolveStatus, so tools written against buildx's output
// (and `docker buildx history`-style replays) read ours unchanged. The decoder turns such a line back
// into a SolveStatus, which lets captured buildx output be replayed through any renderer.
import { formatRFC3339Nano, localOffsetMinutes, parseRFC3339Nano } from './format.js';
import type { Nanos, SolveStatus, SourceRange, Vertex, VertexLog, VertexStatus, VertexWarning } from './types.js';

const localTimeObjects = new WeakSet<object>();

/**
 * Marks a vertex or status built by this process (not the daemon): Go stamps those with time.Now(), so
 * their times carry the local UTC offset instead of `Z`.
 */
export function markLocalTime<T extends object>(o: T): T {
  localTimeObjects.add(o);
  return o;
}

/** A JSON string as Go's json.Encoder writes it: HTML-significant characters and U+2028/9 escaped. */
export function goJSONString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Builds an object's JSON with Go's omitempty rule applied per field by the caller. */
class Fields {
  private readonly parts: string[] = [];
  raw(name: string, json: string): this {
    this.parts.push(`"${name}":${json}`);
    return this;
  }
  str(name: string, v: string | undefined, omitEmpty = true): this {
    return omitEmpty && !v ? this : this.raw(name, goJSONString(v ?? ''));
  }
  int(name: string, v: number, omitEmpty = true): this {
    return omitEmpty && v === 0 ? this : this.raw(name, String(Math.trunc(v)));
  }
  bool(name: string, v: boolean): this {
    return v ? this.raw(name, 'true') : this;
  }
  time(name: string, v: Nanos | undefined, local: boolean, omitEmpty = true): this {
    if (v === undefined) return omitEmpty ? this : this.raw(name, '"0001-01-01T00:00:00Z"');
    return this.raw(name, `"${formatRFC3339Nano(v, local ? localOffsetMinutes(v) : 0)}"`);
  }
  bytes(name: string, v: Buffer | undefined, omitEmpty = true): this {
    if (!v || v.length === 0) return omitEmpty ? this : this.raw(name, 'null');
    return this.raw(name, `"${v.toString('base64')}"`);
  }
  list<T>(name: string, items: readonly T[] | undefined, encode: (item: T) => string): this {
    return items && items.length > 0 ? this.raw(name, `[${items.map(encode).join(',')}]`) : this;
  }
  toString(): string {
    return `{${this.parts.join(',')}}`;
  }
}

function encodeVertex(v: Vertex): string {
  const local = localTimeObjects.has(v);
  const f = new Fields()
    .str('digest', v.digest)
    .list('inputs', v.inputs, goJSONString)
    .str('name', v.name)
    .time('started', v.started, local)
    .time('completed', v.completed, local)
    .bool('cached', v.cached)
    .str('error', v.error);
  if (v.progressGroup) {
    const g = v.progressGroup;
    f.raw('progressGroup', new Fields().str('id', g.id).str('name', g.name).bool('weak', g.weak).toString());
  }
  return f.toString();
}

function encodeStatus(s: VertexStatus): string {
  const local = localTimeObjects.has(s);
  return new Fields()
    .str('id', s.id, false)
    .str('vertex', s.vertex)
    .str('name', s.name)
    .int('total', s.total)
    .int('current', s.current, false)
    .time('timestamp', s.timestamp, local, false)
    .time('started', s.started, local)
    .time('completed', s.completed, local)
    .toString();
}

function encodeLog(l: VertexLog): string {
  const local = localTimeObjects.has(l);
  return new Fields()
    .str('vertex', l.vertex)
    .int('stream', l.stream)
    // a log without bytes is a nil slice in Go, which encodes as null
    .bytes('data', l.data, false)
    .time('timestamp', l.timestamp, local, false)
    .toString();
}

function encodePosition(p: { line: number; character: number }): string {
  return new Fields().int('line', p.line).int('character', p.character).toString();
}

function encodeRange(r: SourceRange): string {
  return new Fields().raw('start', encodePosition(r.start)).raw('end', encodePosition(r.end)).toString();
}

function encodeWarning(w: VertexWarning): string {
  const f = new Fields()
    .str('vertex', w.vertex)
    .int('level', w.level)
    .bytes('short', w.short)
    .list('detail', w.detail, (d) => `"${d.toString('base64')}"`)
    .str('url', w.url);
  if (w.sourceInfo) {
    const si = w.sourceInfo;
    f.raw('sourceInfo', new Fields().str('filename', si.filename).bytes('data', si.data).str('language', si.language).toString());
  }
  return f.list('range', w.ranges, encodeRange).toString();
}

/** One SolveStatus as a JSON line, newline included. */
export function encodeRawJSON(ss: SolveStatus): string {
  return `${new Fields()
    .list('vertexes', ss.vertexes, encodeVertex)
    .list('statuses', ss.statuses, encodeStatus)
    .list('logs', ss.logs, encodeLog)
    .list('warnings', ss.warnings, encodeWarning)
    .toString()}\n`;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}
function time(v: unknown): Nanos | undefined {
  return typeof v === 'string' ? parseRFC3339Nano(v) : undefined;
}
function bytes(v: unknown): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
}

/** Reads one rawjson line (ours or reference buildx's) back into a SolveStatus. */
export function decodeRawJSON(line: string): SolveStatus {
  const o = obj(JSON.parse(line));
  return {
    vertexes: arr(o.vertexes).map((x) => {
      const v = obj(x);
      const pg = v.progressGroup === undefined ? undefined : obj(v.progressGroup);
      return {
        digest: str(v.digest),
        inputs: arr(v.inputs).map(str),
        name: str(v.name),
        cached: v.cached === true,
        started: time(v.started),
        completed: time(v.completed),
        error: str(v.error) || undefined,
        progressGroup: pg && { id: str(pg.id), name: str(pg.name), weak: pg.weak === true },
      };
    }),
    statuses: arr(o.statuses).map((x) => {
      const s = obj(x);
      return {
        id: str(s.id),
        vertex: str(s.vertex),
        name: str(s.name),
        current: num(s.current),
        total: num(s.total),
        timestamp: time(s.timestamp) ?? 0n,
        started: time(s.started),
        completed: time(s.completed),
      };
    }),
    logs: arr(o.logs).map((x) => {
      const l = obj(x);
      return { vertex: str(l.vertex), stream: num(l.stream), data: bytes(l.data), timestamp: time(l.timestamp) ?? 0n };
    }),
    warnings: arr(o.warnings).map((x) => {
      const w = obj(x);
      const si = w.sourceInfo === undefined ? undefined : obj(w.sourceInfo);
      const pos = (p: unknown) => ({ line: num(obj(p).line), character: num(obj(p).character) });
      return {
        vertex: str(w.vertex),
        level: num(w.level),
        short: bytes(w.short),
        detail: arr(w.detail).map(bytes),
        url: str(w.url),
        sourceInfo: si && { filename: str(si.filename), data: bytes(si.data), language: str(si.language) },
        ranges: arr(w.range).map((r) => ({ start: pos(obj(r).start), end: pos(obj(r).end) })),
      };
    }),
  };
}
