// Pure parts of `history`: record names as buildx derives them (its own test table, facts only), the filter
// grammar and its BuildKit translation, the listing order and formats, the bundle's span re-encoding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildHistoryEvent, BuildHistoryRecord } from '../../../src/buildkit/history-convert.js';
import { historyQueriesFixed, selectRecords, type HistoryRecord } from '../../../src/builder/history.js';
import { csvRecord, parseHistoryFilters, recordStatus } from '../../../src/builder/history-filter.js';
import { formatHistoryLs, formatRecordDuration, rfc3339Ns } from '../../../src/builder/history-format.js';
import { buildName, gitFragmentForm } from '../../../src/builder/history-name.js';
import { ObjectSplitter, sanitizeSpan } from '../../../src/builder/history-trace-sanitize.js';

const state = (LocalPath: string, DockerfilePath: string) => ({ Target: 'default', LocalPath, DockerfilePath });

test('buildName: buildx\'s naming of records', () => {
  const cases: Array<[Record<string, string>, ReturnType<typeof state> | undefined, string]> = [
    [{}, undefined, ''],
    [{ 'build-arg:BUILDKIT_BUILD_NAME': 'foobar' }, undefined, 'foobar'],
    [{}, state('/tmp/project', '/tmp/project/deploy/Dockerfile.release'), 'project/deploy/Dockerfile.release'],
    [{}, state('/tmp/project', '/tmp/project/Dockerfile'), 'project'],
    [{}, state('/tmp/project', ''), 'project'],
    [{ 'input:context': 'https://github.com/docker/buildx.git?ref=main' }, undefined, 'https://github.com/docker/buildx.git#main'],
    [{ 'vcs:source': 'https://github.com/docker/buildx.git?ref=main' }, undefined, 'https://github.com/docker/buildx.git#main'],
    [{ 'vcs:localdir:context': 'subdir' }, undefined, 'subdir'],
    [{ filename: 'Dockerfile.release', 'vcs:localdir:dockerfile': 'deploy' }, undefined, 'deploy/Dockerfile.release'],
    [{ target: 'release' }, undefined, 'release'],
    [{ context: 'subdir', target: 'release' }, state('/tmp/project', '/tmp/project/deploy/Dockerfile.release'), 'subdir (release)'],
    [{ filename: 'Dockerfile.release', 'vcs:localdir:dockerfile': 'deploy' }, state('https://github.com/docker/buildx.git', '/tmp/project/ignored/Dockerfile'), 'deploy/Dockerfile.release'],
  ];
  for (const [attrs, st, want] of cases) assert.equal(buildName(attrs, st), want, JSON.stringify({ attrs, st }));
  assert.equal(gitFragmentForm('https://example.com/r.git?ref=v1&subdir=docs'), 'https://example.com/r.git#v1:docs');
});

function rec(over: Partial<BuildHistoryRecord>): BuildHistoryRecord {
  return {
    ref: 'r', frontend: '', frontendAttrs: {}, exporters: [], exporterResponse: {}, results: {}, generation: 0, pinned: false,
    numCachedSteps: 0, numTotalSteps: 0, numCompletedSteps: 0, numWarnings: 0, ...over,
  };
}

test('filters: translated for the daemon, tested locally, bad ones named', () => {
  const { daemon, matchers } = parseHistoryFilters(['status=error', 'ref=abc', 'repository!=x', 'duration>1s']);
  assert.deepEqual(daemon, ['status==error', 'ref~=abc', 'repository!=x', 'duration>1s']);
  const failed = rec({ ref: 'xabcx', createdAt: 0n, completedAt: 2_000_000_000n, error: { code: 2, message: 'boom', details: [] } });
  assert.equal(recordStatus(failed), 'error');
  assert.ok(matchers.every((m) => m(failed)));
  assert.equal(matchers[0]!(rec({ completedAt: 1n })), false);
  assert.throws(() => parseHistoryFilters(['nope']), { message: 'invalid filter "nope"' });
  assert.throws(() => parseHistoryFilters(['status>x']), { message: 'invalid separator for "status>x", expected = or !=' });
  assert.throws(() => parseHistoryFilters(['duration=1s']), { message: 'invalid separator for "duration=1s", expected <=, <, >= or >' });
  assert.throws(() => parseHistoryFilters(['foo=bar']), { message: 'unsupported filter "foo=bar"' });
  assert.throws(() => parseHistoryFilters(['duration>abc']), { message: 'invalid duration abc' });
  assert.equal(csvRecord(['a=b', 'c,d', 'say "hi"', ' x']), 'a=b,"c,d","say ""hi"""," x"');
});

test('durations and times as buildx prints them', () => {
  assert.equal(formatRecordDuration(287_897_494n), '0.3s');
  assert.equal(formatRecordDuration(65_000_000_000n), '1m  5s');
  assert.equal(formatRecordDuration(754_000_000_000n), '12m 34s');
  assert.equal(rfc3339Ns(1796423344606308431n), '2026-12-04T22:29:04.606308431Z');
  assert.equal(rfc3339Ns(1796423344000000000n), '2026-12-04T22:29:04Z');
});

function hr(ref: string, created: bigint, completed?: bigint, name = ref): HistoryRecord {
  return { builder: 'b', node: 'b0', name, record: rec({ ref, createdAt: created, completedAt: completed, numTotalSteps: 3 }) };
}

test('ls: running builds first, then newest first; table, json and templates', () => {
  const now = new Date(Number(10_000_000_000_000n / 1_000_000n));
  const recs = [hr('old', 1_000_000_000n, 2_000_000_000n), hr('new', 5_000_000_000n, 6_500_000_000n), hr('run', 3_000_000_000n, undefined, 'x'.repeat(40))];
  recs[2]!.now = new Date(4000);
  const table = formatHistoryLs(recs, 'table', { now }).split('\n');
  assert.match(table[0]!, /^BUILD ID {3}NAME {35}STATUS {6}CREATED AT {3,}DURATION {3}$/);
  assert.match(table[1]!, /^run {8}\.\.x{34} {3}Running {5}\d+ hours ago {3}1\.0s\+ {6}$/);
  assert.ok(table[2]!.startsWith('new '));
  assert.ok(table[3]!.startsWith('old '));
  assert.equal(formatHistoryLs(recs, '{{.Ref}}'), 'run\nnew\nold\n');
  const json = formatHistoryLs([recs[1]!], 'json');
  assert.equal(json, '{"cached_steps":0,"completed_at":"1970-01-01T00:00:06.5Z","completed_steps":0,"created_at":"1970-01-01T00:00:05Z","name":"new","ref":"b/b0/new","status":"Completed","total_steps":3}\n');
  assert.throws(() => formatHistoryLs(recs, '{{.Nope}}'), /can't evaluate field Nope in type \*history\.lsContext/);
});

test('bundle traces: spans split across chunks, re-encoded in buildx\'s field order, numbers verbatim, credentials masked', () => {
  const span = '{"Name":"s","InstrumentationScope":{"Name":"x"},"SpanContext":{"TraceID":"a"},"Attributes":[{"Key":"cmd","Value":{"Type":"STRING","Value":"ghtoken=SECRET,ref=x"}},{"Key":"n","Value":{"Type":"INT64","Value":9007199254740993}}],"StartTime":"t"}';
  const s = new ObjectSplitter();
  const parts = [...s.push(span.slice(0, 17)), ...s.push(`${span.slice(17)}\n${span.slice(0, 5)}`), ...s.push(span.slice(5))];
  assert.equal(parts.length, 2);
  const out = sanitizeSpan(parts[0]!);
  assert.ok(!out.includes('SECRET'));
  assert.ok(out.includes('"Value": "ghtoken=xxxxx,ref=x"'));
  assert.ok(out.includes('"Value": 9007199254740993'));
  assert.ok(!out.includes('InstrumentationScope'));
  assert.deepEqual(Object.keys(JSON.parse(out) as object), ['Name', 'SpanContext', 'Parent', 'SpanKind', 'StartTime', 'EndTime', 'Attributes', 'Events',
    'Links', 'Status', 'DroppedAttributes', 'DroppedEvents', 'DroppedLinks', 'ChildSpanCount', 'Resource', 'InstrumentationLibrary']);
  assert.ok(out.startsWith('{\n  "Name": "s",\n  "SpanContext": {\n    "TraceID": "a"\n  },\n'));
});

test('old daemons: which BuildKits take ref, filter and limit without crashing, and the local selection', () => {
  for (const [v, fixed] of [['v0.25.2', false], ['v0.28.1', false], ['v0.29.0', true], ['v0.32.2', true], ['v1.0.0', true], ['', true]] as const) {
    assert.equal(historyQueriesFixed(v), fixed, v);
  }
  const ev = (ref: string, createdAt: bigint, status?: string): BuildHistoryEvent => ({
    type: 'complete', record: rec({ ref, createdAt, completedAt: createdAt + 1n, ...(status === 'error' ? { error: { code: 2, message: 'x', details: [] } } : {}) }),
  });
  const events = [ev('a', 1n), ev('b', 3n, 'error'), { type: 'deleted' } as BuildHistoryEvent, ev('c', 2n), ev('d', 4n)];
  assert.deepEqual(selectRecords(events, '', [], 50).map((e) => e.record!.ref), ['d', 'b', 'c', 'a']);
  assert.deepEqual(selectRecords(events, '', [], 2).map((e) => e.record!.ref), ['d', 'b']);
  assert.deepEqual(selectRecords(events, 'c', [], 50).map((e) => e.record!.ref), ['c']);
  assert.deepEqual(selectRecords(events, 'zz', [], 50), []);
  // The filters apply before the limit, as on the daemon.
  const { matchers } = parseHistoryFilters(['status=completed']);
  assert.deepEqual(selectRecords(events, '', matchers, 2).map((e) => e.record!.ref), ['d', 'c']);
});
