// `history trace`: a record's OpenTelemetry span stream converted into the Jaeger UI's JSON import format,
// as buildx converts it (one trace; each span its own process p<i>; attributes, scope, kind and status as
// tags; events as logs; links and the parent as references).
import { BuildxError } from '../util/errors.js';
import { emit, get, goString, ObjectSplitter, Parser, type Node } from './history-trace-sanitize.js';

const raw = (text: string): Node => ({ k: 'raw', text });
const str = (s: string): Node => raw(goString(s));
const obj = (entries: Array<[string, Node | undefined]>): Node => ({ k: 'obj', entries: entries.filter((e): e is [string, Node] => e[1] !== undefined) });
const arr = (items: Node[]): Node => ({ k: 'arr', items });
const text = (n: Node | undefined): string => (n?.k === 'raw' && n.text.startsWith('"') ? JSON.parse(n.text) as string : '');
const items = (n: Node | undefined): Node[] => (n?.k === 'arr' ? n.items : []);
const int = (n: Node | undefined): number => (n?.k === 'raw' ? Number(n.text) || 0 : 0);

/** RFC 3339 with nanoseconds → nanoseconds since the epoch. */
function timeNs(n: Node | undefined): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text(n));
  if (!m) return 0n;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function tag(key: string, type: string, value: Node): Node {
  return obj([['key', str(key)], ['type', str(type)], ['value', value]]);
}

/** An otel attribute {Key, Value: {Type, Value}} as a Jaeger tag; undefined for types Jaeger has no tag for. */
function attributeTag(kv: Node): Node | undefined {
  const key = text(get(kv, 'Key'));
  const v = get(kv, 'Value');
  const type = text(get(v, 'Type'));
  const val = get(v, 'Value') ?? raw('null');
  switch (type) {
    case 'STRING': return tag(key, 'string', val);
    case 'BOOL': return tag(key, 'bool', val);
    case 'INT64': return tag(key, 'int64', raw(String(Math.trunc(Number((val as { text?: string }).text ?? 0)))));
    case 'FLOAT64': return tag(key, 'float64', val);
    case 'BOOLSLICE': case 'INT64SLICE': case 'FLOAT64SLICE': case 'STRINGSLICE': {
      const compact = JSON.stringify(JSON.parse(emit(val)));
      return tag(key, 'string', str(compact));
    }
    default: return undefined;
  }
}

const hexOr = (s: string, len: number) => (s.length === len ? s : '0'.repeat(len));

function spanContext(n: Node | undefined): { traceID: string; spanID: string; flags: number } {
  return { traceID: hexOr(text(get(n, 'TraceID')), 32), spanID: hexOr(text(get(n, 'SpanID')), 16), flags: text(get(n, 'TraceFlags')) === '01' ? 1 : 0 };
}

function convertSpan(span: Node, pid: string): Node {
  const tags = items(get(span, 'Attributes')).map(attributeTag).filter((t): t is Node => t !== undefined);
  const scope = get(span, 'InstrumentationLibrary');
  if (text(get(scope, 'Name'))) {
    tags.push(tag('otel.library.name', 'string', str(text(get(scope, 'Name')))));
    if (text(get(scope, 'Version'))) tags.push(tag('otel.library.version', 'string', str(text(get(scope, 'Version')))));
  }
  const kind = int(get(span, 'SpanKind'));
  if (kind !== 1) tags.push(tag('span.kind', 'string', str(SPAN_KINDS[kind] ?? `${kind}`)));
  const status = get(span, 'Status');
  const codeNode = get(status, 'Code');
  const code = codeNode?.k === 'raw' && codeNode.text.startsWith('"') ? ({ Unset: 0, Error: 1, Ok: 2 } as Record<string, number>)[text(codeNode)] ?? 0 : int(codeNode);
  if (code !== 0) {
    if (code === 2) tags.push(tag('otel.status_code', 'string', str('OK')));
    if (code === 1) tags.push(tag('error', 'bool', raw('true')), tag('otel.status_code', 'string', str('ERROR')));
    const desc = text(get(status, 'Description'));
    if (desc) tags.push(tag('otel.status_description', 'string', str(desc)));
  }
  const events = items(get(span, 'Events'));
  const logs = events.map((e) => {
    const fields: Node[] = [];
    const name = text(get(e, 'Name'));
    if (name) fields.push(tag('event', 'string', str(name)));
    for (const kv of items(get(e, 'Attributes'))) {
      const t = attributeTag(kv);
      if (t) fields.push(t);
    }
    const dropped = int(get(e, 'DroppedAttributeCount'));
    if (dropped) fields.push(tag('otel.event.dropped_attributes_count', 'int64', raw(String(dropped))));
    return obj([['timestamp', raw(String(timeNs(get(e, 'Time')) / 1000n))], ['fields', arr(fields)]]);
  });
  const refs = items(get(span, 'Links')).map((l) => {
    const c = spanContext(get(l, 'SpanContext'));
    return obj([['refType', str('FOLLOWS_FROM')], ['traceID', str(c.traceID)], ['spanID', str(c.spanID)]]);
  });
  const parent = spanContext(get(span, 'Parent'));
  refs.push(obj([['refType', str('CHILD_OF')], ['traceID', str(parent.traceID)], ['spanID', str(parent.spanID)]]));
  const self = spanContext(get(span, 'SpanContext'));
  const start = timeNs(get(span, 'StartTime'));
  const end = timeNs(get(span, 'EndTime'));
  return obj([
    ['traceID', str(self.traceID)], ['spanID', str(self.spanID)], ['flags', self.flags ? raw('1') : undefined],
    ['operationName', str(text(get(span, 'Name')))], ['references', arr(refs)], ['startTime', raw(String(start / 1000n))],
    ['duration', raw(String((end - start) / 1000n))], ['tags', arr(tags)], ['logs', events.length ? arr(logs) : raw('null')],
    ['processID', str(pid)], ['warnings', raw('null')],
  ]);
}

/** The process of a span: its resource (sorted by key, last value of a key wins) minus service.name. */
function process(span: Node): Node {
  const byKey = new Map<string, Node>();
  for (const kv of items(get(span, 'Resource'))) byKey.set(text(get(kv, 'Key')), kv);
  const keys = [...byKey.keys()].sort();
  const tags = keys.filter((k) => k !== 'service.name').map((k) => attributeTag(byKey.get(k)!)).filter((t): t is Node => t !== undefined);
  const service = byKey.get('service.name');
  const name = service ? text(get(get(service, 'Value'), 'Value')) : '';
  return obj([['serviceName', str(name || 'unknown_service:buildx')], ['tags', tags.length ? arr(tags) : raw('null')]]);
}

/** Converts a span stream; returns the trace ID and the Jaeger document (indented, newline-terminated). */
export async function jaegerTrace(chunks: AsyncIterable<Buffer>): Promise<{ traceID: string; json: string }> {
  const splitter = new ObjectSplitter();
  const spans: Node[] = [];
  const processes: Array<[string, Node]> = [];
  let traceID = '';
  const add = (t: string) => {
    const span = new Parser(t).value();
    const pid = `p${spans.length}`;
    if (!spans.length) traceID = spanContext(get(span, 'SpanContext')).traceID;
    spans.push(convertSpan(span, pid));
    processes.push([pid, process(span)]);
  };
  const decoder = new TextDecoder();
  for await (const c of chunks) for (const t of splitter.push(decoder.decode(c, { stream: true }))) add(t);
  for (const t of splitter.push(decoder.decode())) add(t);
  if (!spans.length) throw new BuildxError('no trace data');
  processes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const doc = obj([['data', arr([obj([
    ['traceID', str(traceID)], ['spans', arr(spans)], ['processes', { k: 'obj', entries: processes }], ['warnings', raw('null')],
  ])])]]);
  return { traceID, json: `${emit(doc)}\n` };
}
