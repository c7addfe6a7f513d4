// Build records for programs: the calls the `history` commands make. Each returns data (or a stream); the
// buildx-identical text is one `format…` call away.
import { execFile } from 'node:child_process';
import type { BuildkitClient } from '../buildkit/client.js';
import type { BuilderNode } from '../builder/builder.js';
import {
  finalizeRecord, findRecord, historyBuilder, noRecord, nodeOf, queryRecords, removeRecords, withClient, type HistoryOptions, type HistoryRecord,
} from '../builder/history.js';
import { writeBundle, type BundleRecord } from '../builder/history-bundle.js';
import { jaegerTrace } from '../builder/history-jaeger.js';
import { readStateGroup } from '../builder/local-state.js';
import { buildxConfigDir } from '../builder/paths.js';
import { inspectRecord, type HistoryInspect } from '../builder/history-inspect.js';
import { attachmentType, attachmentTypes, recordAttachments } from '../builder/history-attachments.js';
import { desktopBuildURL, fullRef } from '../builder/history-format.js';
import type { ProgressWriter } from '../progress/writer.js';
import { BuildxError } from '../util/errors.js';

export type { HistoryOptions, HistoryRecord, QueryOptions, RemoveRecordsOptions } from '../builder/history.js';
export type { BuildHistoryRecord, HistoryDescriptor, HistoryResultInfo } from '../buildkit/history-convert.js';
export type { HistoryInspect, HistoryInspectConfig, HistoryInspectError, KeyValue } from '../builder/history-inspect.js';
export { formatInspectJSON, formatInspectTemplate, formatInspectText } from '../builder/history-inspect.js';
export {
  desktopBuildURL, formatHistoryLs, formatHistoryLsJSON, formatHistoryLsTable, HISTORY_LS_TABLE_FORMAT, historyLsJSON, historyLsRow, sortForListing, HISTORY_LS_HEADERS,
  type HistoryLsRow, type LsFormatOptions,
} from '../builder/history-format.js';
export { buildName } from '../builder/history-name.js';

export interface ListHistoryOptions extends HistoryOptions {
  filters?: string[];
  /** Only records of the git repository `cwd` is in (`--local`). */
  local?: boolean;
  cwd?: string;
}

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd }, (err, stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout.trim())));
  });
}

/** The repository `--local` filters on: the `origin` remote's URL, else `upstream`'s, as buildx looks them up. */
async function gitRemoteURL(cwd: string): Promise<string> {
  for (const remote of ['origin', 'upstream']) {
    try {
      const url = await git(['remote', 'get-url', remote], cwd);
      if (url) return url;
    } catch {
      // no such remote, or not a repository: try the next
    }
  }
  throw new BuildxError('could not get remote URL for local filter: no remote URL found for either origin or upstream');
}

/** Every record of the builder's nodes (up to 50 each), newest first. */
export async function listHistory(opts: ListHistoryOptions = {}): Promise<HistoryRecord[]> {
  const filters = [...(opts.filters ?? [])];
  const b = await historyBuilder(opts);
  if (opts.local) filters.unshift(`repository=${await gitRemoteURL(opts.cwd ?? process.cwd())}`);
  return queryRecords(b, '', { filters }, opts.env, opts.signal);
}

/** The record `ref` names (an ID, `^N`, or '' for the newest). */
export async function getHistoryRecord(ref: string, opts: HistoryOptions = {}): Promise<HistoryRecord> {
  return findRecord(await historyBuilder(opts), ref, {}, opts.env, opts.signal);
}

export async function inspectHistory(ref: string, opts: HistoryOptions & { cwd?: string } = {}): Promise<{ record: HistoryRecord; inspect: HistoryInspect }> {
  const b = await historyBuilder(opts);
  const record = await findRecord(b, ref, {}, opts.env, opts.signal);
  const inspect = await withClient(nodeOf(b, record), (c) => inspectRecord(c, record, { cwd: opts.cwd, signal: opts.signal }), opts.signal);
  return { record, inspect };
}

export interface AttachmentQuery {
  /** A blob digest; else the first attachment matching type and platform. */
  digest?: string;
  /** `index`, `manifest`, `image`, `provenance`, `sbom`, or a media/predicate type. */
  type?: string;
  platform?: string;
}

/** Streams one attachment blob of a record (`history inspect attachment`). */
export async function* historyAttachment(ref: string, q: AttachmentQuery, opts: HistoryOptions = {}): AsyncGenerator<Buffer> {
  if (q.digest && !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(q.digest)) throw new BuildxError(`invalid digest "${q.digest}": invalid checksum digest format`);
  if (!q.digest && !q.platform && !q.type) throw new BuildxError('at least one of --type, --platform or DIGEST must be specified');
  const b = await historyBuilder(opts);
  const record = await findRecord(b, ref, {}, opts.env, opts.signal);
  const c = await nodeOf(b, record).driver.client({ signal: opts.signal });
  try {
    let digest = q.digest;
    if (!digest) {
      const types = attachmentTypes(q.type ?? '');
      const found = (await recordAttachments(c, record.record, opts.signal)).find((a) => (!q.platform || a.platform === q.platform)
        && (!q.type || types.has(attachmentType(a.descriptor))));
      if (!found) throw new BuildxError(`no matching attachment found for ref "${ref}"`);
      digest = found.descriptor.digest;
    }
    yield* c.readContent(digest, { signal: opts.signal });
  } finally {
    c.close();
  }
}

/** Replays a record's progress (the daemon reads its status log) into `progress`, which is closed at the end. */
export async function historyLogs(ref: string, progress: ProgressWriter, opts: HistoryOptions = {}): Promise<void> {
  const b = await historyBuilder(opts);
  const record = await findRecord(b, ref, {}, opts.env, opts.signal);
  try {
    await withClient(nodeOf(b, record), async (c) => {
      for await (const s of c.status(record.record.ref, { signal: opts.signal })) progress.write(s);
    }, opts.signal);
  } catch (err) {
    await progress.close(err);
    throw err;
  }
  await progress.close();
}

export async function removeHistory(refs: string[], opts: HistoryOptions & { all?: boolean } = {}): Promise<void> {
  if (refs.length === 0 && !opts.all) throw new BuildxError('rm requires at least one argument');
  if (refs.length > 0 && opts.all) throw new BuildxError('rm requires either --all or at least one argument');
  await removeRecords(await historyBuilder(opts), refs, { all: opts.all, signal: opts.signal });
}

/** The Docker Desktop address of a record (what `history open` opens). */
export async function historyURL(ref: string, opts: HistoryOptions = {}): Promise<string> {
  return desktopBuildURL(fullRef(await getHistoryRecord(ref, opts)));
}

export interface ExportHistoryOptions extends HistoryOptions {
  /** Every completed record of the builder instead of the newest (or those named). */
  all?: boolean;
  /** Ask the daemon to write pending traces first. */
  finalize?: boolean;
}

async function defaultPlatform(c: BuildkitClient, node: BuilderNode): Promise<string> {
  const p = node.platforms?.[0] ?? (await c.listWorkers())[0]?.platforms[0];
  return p ? [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/') : '';
}

/** Writes the Docker Desktop bundle (`.dockerbuild`) of completed records to `out`. */
export async function exportHistory(refs: string[], out: NodeJS.WritableStream, opts: ExportHistoryOptions = {}): Promise<void> {
  if (opts.all && refs.length) throw new BuildxError('cannot specify refs when using --all');
  const b = await historyBuilder(opts);
  const picked: HistoryRecord[] = [];
  for (const ref of refs.length ? refs : ['']) {
    let recs = await queryRecords(b, ref, { completedOnly: true }, opts.env, opts.signal);
    if (!recs.length) throw noRecord(ref);
    if (!opts.all && ref === '') recs = recs.filter((r) => r.record.ref === recs[0]!.record.ref);
    if (opts.finalize && recs.some((r) => !r.record.trace)) {
      for (const r of recs) if (!r.record.trace) await finalizeRecord(nodeOf(b, r), r.record.ref, opts.signal);
      recs = await queryRecords(b, opts.all ? ref : recs[0]!.record.ref, { completedOnly: true }, opts.env, opts.signal);
    }
    picked.push(...recs);
    if (opts.all) break;
  }
  const clients = new Map<string, BuildkitClient>();
  try {
    const bundle: BundleRecord[] = [];
    const configDir = buildxConfigDir(opts.env);
    for (const r of picked) {
      const node = nodeOf(b, r);
      let c = clients.get(node.name);
      if (!c) {
        c = await node.driver.client({ signal: opts.signal });
        clients.set(node.name, c);
      }
      const stateGroup = r.localState?.GroupRef ? await readStateGroup(configDir, r.localState.GroupRef) : undefined;
      bundle.push({ record: r.record, defaultPlatform: await defaultPlatform(c, node), localState: r.localState, stateGroup, client: c });
    }
    await writeBundle(bundle, out, opts.signal);
  } finally {
    for (const c of clients.values()) c.close();
  }
}

/** The record's OpenTelemetry trace blob (JSON span stream), finalizing the record first when it has none yet. */
export async function* historyTrace(ref: string, opts: HistoryOptions = {}): AsyncGenerator<Buffer> {
  const b = await historyBuilder(opts);
  let rec = await findRecord(b, ref, { completedOnly: true }, opts.env, opts.signal);
  const node = nodeOf(b, rec);
  if (!rec.record.trace) {
    // The daemon writes the trace a moment after the build; give it that moment, then ask for it.
    await new Promise((r) => setTimeout(r, 1000));
    await finalizeRecord(node, rec.record.ref, opts.signal);
    const again = await queryRecords(b, rec.record.ref, { completedOnly: true }, opts.env, opts.signal);
    if (!again.length) throw new BuildxError(`build record "${rec.record.ref}" was deleted`);
    rec = again[0]!;
    if (!rec.record.trace) throw new BuildxError(`build record "${rec.record.ref}" is missing a trace`);
  }
  const c = await node.driver.client({ signal: opts.signal });
  try {
    yield* c.readContent(rec.record.trace!.digest, { signal: opts.signal });
  } finally {
    c.close();
  }
}

/** The record's trace in the Jaeger UI's import format, as `history trace` prints or serves it. */
export async function historyTraceJaeger(ref: string, opts: HistoryOptions = {}): Promise<{ traceID: string; json: string }> {
  return jaegerTrace(historyTrace(ref, opts));
}
