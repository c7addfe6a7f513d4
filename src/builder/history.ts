// Build records of a builder's nodes (cli.md §4.14): every node is asked through the history API, its
// records named from their frontend attributes and this machine's local state, newest first. A ref may be
// an ID, `^N` (the N-th newest), or empty (all; callers take the first).
import type { BuildkitClient } from '../buildkit/client.js';
import type { BuildHistoryEvent, BuildHistoryRecord } from '../buildkit/history-convert.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';
import { BuildxError } from '../util/errors.js';
import { bootBuilderShown } from './boot.js';
import { resolveBuilder, type Builder, type BuilderNode } from './builder.js';
import { buildName } from './history-name.js';
import { csvRecord, parseHistoryFilters, type RecordMatcher } from './history-filter.js';
import { readLocalState, type StoredBuildState } from './local-state.js';
import { buildxConfigDir } from './paths.js';

/** buildx asks each node for at most this many records. */
const RECORDS_LIMIT = 50;

export interface HistoryRecord {
  builder: string;
  node: string;
  /** What `history ls` shows in NAME. */
  name: string;
  record: BuildHistoryRecord;
  /** The daemon's clock when it answered (running builds' durations end there). */
  now?: Date;
  /** This machine's local state for the build, when it made it. */
  localState?: StoredBuildState;
}

export interface HistoryOptions {
  /** A builder name (default: `$BUILDX_BUILDER`, else the current one), or one already resolved. */
  builder?: string | Builder;
  env?: NodeJS.ProcessEnv;
  /** Where booting a stopped node is shown (buildx boots it first); default nowhere. */
  bootProgress?: ProgressWriter;
  signal?: AbortSignal;
}

export interface QueryOptions {
  /** Only finished builds. */
  completedOnly?: boolean;
  /** docker-style filters (`status=error`, `startedAt>1h`, …). */
  filters?: string[];
}

/** The builder with every node running; records live in the daemons. */
export async function historyBuilder(opts: HistoryOptions): Promise<Builder> {
  const b = typeof opts.builder === 'object' ? opts.builder : await resolveBuilder({ name: opts.builder, env: opts.env });
  await bootBuilderShown(b, opts.bootProgress ?? discardProgress, opts.signal);
  return b;
}

export async function withClient<T>(node: BuilderNode, fn: (c: BuildkitClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const c = await node.driver.client({ signal });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/**
 * The daemon's errors as buildx shows them (a status without details stays `rpc error: code = … desc = …`),
 * e.g. Unimplemented from a daemon without the history API (dockerd 20.10's BuildKit).
 */
function explainUnimplemented(err: unknown): never {
  if (typeof (err as { code?: unknown }).code === 'number' && (err as { code: number }).code !== 1) throw new BuildxError(grpcMessage(err), 1, { cause: err });
  throw err;
}

/**
 * BuildKit before v0.29 (dockerd v28 embeds v0.25) has two history bugs that take the whole Docker
 * Engine down with it. A record asked for by ref keeps an entry that later makes its deletion (by
 * `history rm` or the daemon's own cleanup) wait forever; and while a deletion waits, a limited or
 * filtered query reads the nil entry it leaves and panics. Reference buildx always queries with a limit
 * (and by ref for inspect, logs, export), so `inspect X; rm X; ls` kills the engine. Those daemons are
 * asked for everything, with neither ref, filter nor limit, and the selection happens here.
 */
export function historyQueriesFixed(buildkitVersion: string): boolean {
  const m = /^v(\d+)\.(\d+)\./.exec(buildkitVersion);
  return !m || Number(m[1]) > 0 || Number(m[2]) >= 29;
}

/** What the daemon would have answered to a query by ref, filters and limit, picked from everything. */
export function selectRecords(events: readonly BuildHistoryEvent[], ref: string, matchers: readonly RecordMatcher[], limit: number): BuildHistoryEvent[] {
  return events.filter((e) => e.record !== undefined && (ref === '' || e.record.ref === ref) && matchers.every((m) => m(e.record!)))
    .sort((a, b) => { const x = a.record!.createdAt ?? 0n; const y = b.record!.createdAt ?? 0n; return x < y ? 1 : x > y ? -1 : 0; })
    .slice(0, limit);
}

function byCreatedDesc(a: HistoryRecord, b: HistoryRecord): number {
  const x = a.record.createdAt ?? 0n;
  const y = b.record.createdAt ?? 0n;
  return x < y ? 1 : x > y ? -1 : 0;
}

export async function queryRecords(builder: Builder, ref: string, q: QueryOptions = {}, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<HistoryRecord[]> {
  let offset: number | undefined;
  if (ref.startsWith('^')) {
    const n = ref.slice(1);
    if (!/^[+-]?\d+$/.test(n)) throw new BuildxError(`invalid offset "${ref}": strconv.Atoi: parsing "${n}": invalid syntax`);
    offset = Number(n);
    ref = '';
  }
  const { daemon, matchers } = parseHistoryFilters(q.filters ?? []);
  const filter = daemon.length ? [csvRecord(daemon)] : [];
  const configDir = buildxConfigDir(env);
  const perNode = await Promise.all(builder.nodes.map((node) => withClient(node, async (c) => {
    const fixed = historyQueriesFixed(await c.info({ signal }).then((i) => i?.version ?? '', () => ''));
    const req = fixed ? { EarlyExit: true, Ref: ref, Limit: RECORDS_LIMIT, Filter: filter } : { EarlyExit: true };
    const answer = await c.buildHistory(req, { signal }).catch(explainUnimplemented);
    const { now } = answer;
    const events = fixed ? answer.events : selectRecords(answer.events, ref, matchers, RECORDS_LIMIT);
    const out: HistoryRecord[] = [];
    for (const e of events) {
      if (e.type === 'deleted' || !e.record) continue;
      if (q.completedOnly && e.type !== 'complete') continue;
      if (!matchers.every((m) => m(e.record!))) continue;
      const localState = await readLocalState(configDir, builder.name, node.name, e.record.ref);
      out.push({ builder: builder.name, node: node.name, name: buildName(e.record.frontendAttrs, localState), record: e.record, now, localState });
    }
    return out;
  }, signal)));
  let all = perNode.flat().sort(byCreatedDesc);
  if (offset !== undefined) {
    let left = offset;
    const picked: HistoryRecord[] = [];
    for (const r of all) {
      if (left > 0) {
        left--;
        continue;
      }
      picked.push(r);
      break;
    }
    if (left > 0) throw new BuildxError(`no completed build found with offset ${left}`);
    all = picked;
  }
  return all;
}

/** The one record a command works on: the newest matching `ref`; buildx's error when there is none. */
export async function findRecord(builder: Builder, ref: string, q: QueryOptions = {}, env?: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<HistoryRecord> {
  const recs = await queryRecords(builder, ref, q, env, signal);
  if (!recs.length) throw noRecord(ref);
  return recs[0]!;
}

export function noRecord(ref: string): BuildxError {
  return new BuildxError(ref === '' ? 'no records found' : `no record found for ref "${ref}"`);
}

export function nodeOf(builder: Builder, rec: HistoryRecord): BuilderNode {
  const n = builder.nodes.find((x) => x.name === rec.node);
  if (!n) throw new BuildxError(`node ${rec.node} not found in builder ${builder.name}`);
  return n;
}

/** Asks the daemon to write the record's trace now (normally done some time after the build). */
export async function finalizeRecord(node: BuilderNode, ref: string, signal?: AbortSignal): Promise<void> {
  await withClient(node, (c) => c.updateBuildHistory({ Ref: ref, Finalize: true }, { signal }), signal);
}

export interface RemoveRecordsOptions {
  all?: boolean;
  signal?: AbortSignal;
}

/**
 * Deletes records from every node. A ref is an error only when no node could delete it; with `all`, every
 * completed record goes and the first failure is the error.
 */
export async function removeRecords(builder: Builder, refs: string[], opts: RemoveRecordsOptions = {}): Promise<void> {
  const errs: unknown[][] = refs.map(() => []);
  await Promise.all(builder.nodes.map((node) => withClient(node, async (c) => {
    let list = refs;
    if (opts.all) {
      const { events } = await c.buildHistory({ EarlyExit: true }, { signal: opts.signal }).catch(explainUnimplemented);
      list = [...refs, ...events.filter((e) => e.type === 'complete' && e.record).map((e) => e.record!.ref)];
    }
    for (const [j, ref] of list.entries()) {
      try {
        await c.updateBuildHistory({ Ref: ref, Delete: true }, { signal: opts.signal });
        if (!opts.all) errs[j]!.push(null);
      } catch (err) {
        if (opts.all) throw err;
        errs[j]!.push(err);
      }
    }
  }, opts.signal)));
  const failed = errs.filter((perNode) => perNode.length > 0 && perNode.every((e) => e !== null));
  if (failed.length) {
    // Unary errors reach buildx through BuildKit's interceptor, which keeps only the status message.
    const msg = failed.map((perNode) => perNode.map((e) => (e as { details?: string }).details || (e as Error).message).join('\n')).join('\n');
    throw new BuildxError(msg, 1, { cause: failed[0]![0] });
  }
}

/** A gRPC error's text as Go prints a status error: `rpc error: code = … desc = …`. */
export function grpcMessage(err: unknown): string {
  const e = err as { code?: number; details?: string; message?: string };
  if (typeof e.code === 'number' && typeof e.details === 'string') return `rpc error: code = ${GRPC_CODES[e.code] ?? `Code(${e.code})`} desc = ${e.details}`;
  return e.message ?? String(err);
}

export const GRPC_CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
