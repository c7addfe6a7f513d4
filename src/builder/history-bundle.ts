// `history export`: Docker Desktop's `.dockerbuild` bundle, a gzipped OCI image layout whose manifest
// (one per record; an index above several) has the record as config (media type
// application/vnd.buildkit.historyrecord.v0, the record as Go's encoding/json writes it) and the trace,
// status log, attestations and results as layers. Blobs are streamed from the daemon into the tar.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { BuildkitClient } from '../buildkit/client.js';
import type { BuildHistoryRecord, HistoryDescriptor, HistoryResultInfo } from '../buildkit/history-convert.js';
import type { StoredBuildState, StoredStateGroup } from './local-state.js';
import { ObjectSplitter, sanitizeSpan } from './history-trace-sanitize.js';

export interface BundleRecord {
  record: BuildHistoryRecord;
  defaultPlatform: string;
  localState?: StoredBuildState;
  stateGroup?: StoredStateGroup;
  client: BuildkitClient;
}

interface OciDescriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }

type Json = string | number | boolean | null | Json[] | Entries;
/** An object whose key order is kept exactly (Go struct order, or sorted map keys). */
class Entries {
  constructor(readonly entries: Array<[string, Json | undefined]>) {}
}

const ESC: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const str = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESC[c]!);

/** json.MarshalIndent(v, "", "  "). */
function indent(v: Json, pre = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v !== 'object') return String(v);
  const inner = `${pre}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + indent(x, inner)).join(',\n')}\n${pre}]` : '[]';
  const es = v.entries.filter((e): e is [string, Json] => e[1] !== undefined);
  return es.length ? `{\n${es.map(([k, x]) => `${inner}${str(k)}: ${indent(x, inner)}`).join(',\n')}\n${pre}}` : '{}';
}

function sortedMap(m: Record<string, string> | undefined): Entries | undefined {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? new Entries(keys.map((k) => [k, m![k]!])) : undefined;
}

const nz = <T extends number | string | boolean>(v: T): T | undefined => (v ? v : undefined);

function desc(d: HistoryDescriptor | undefined): Entries | undefined {
  if (!d) return undefined;
  return new Entries([['media_type', nz(d.mediaType)], ['digest', nz(d.digest)], ['size', nz(d.size)], ['annotations', sortedMap(d.annotations)]]);
}

function resultInfo(r: HistoryResultInfo): Entries {
  const keys = Object.keys(r.results).sort();
  return new Entries([
    ['ResultDeprecated', desc(r.resultDeprecated)],
    ['Attestations', r.attestations.length ? r.attestations.map((a) => desc(a)!) : undefined],
    ['Results', keys.length ? new Entries(keys.map((k) => [k, desc(r.results[k])!])) : undefined],
  ]);
}

function timestamp(ns: bigint | undefined): Entries | undefined {
  if (ns === undefined) return undefined;
  return new Entries([['seconds', nz(Number(ns / 1_000_000_000n))], ['nanos', nz(Number(ns % 1_000_000_000n))]]);
}

/** The record document, field for field as buildx writes its bundle.Record. */
export function recordDocument(b: BundleRecord): string {
  const r = b.record;
  const resultKeys = Object.keys(r.results).sort();
  const doc = new Entries([
    ['Ref', nz(r.ref)], ['Frontend', nz(r.frontend)], ['FrontendAttrs', sortedMap(r.frontendAttrs)],
    ['Exporters', r.exporters.length ? r.exporters.map((e) => new Entries([['Type', nz(e.type)], ['Attrs', sortedMap(e.attrs)]])) : undefined],
    ['error', r.error ? new Entries([['code', nz(r.error.code)], ['message', nz(r.error.message)],
      ['details', r.error.details.length ? r.error.details.map((d) => new Entries([['type_url', nz(d.typeUrl)], ['value', d.value.length ? d.value.toString('base64') : undefined]])) : undefined]]) : undefined],
    ['CreatedAt', timestamp(r.createdAt)], ['CompletedAt', timestamp(r.completedAt)], ['logs', desc(r.logs)],
    ['ExporterResponse', sortedMap(r.exporterResponse)], ['Result', r.result ? resultInfo(r.result) : undefined],
    ['Results', resultKeys.length ? new Entries(resultKeys.map((k) => [k, resultInfo(r.results[k]!)])) : undefined],
    ['Generation', nz(r.generation)], ['trace', desc(r.trace)], ['pinned', nz(r.pinned)], ['numCachedSteps', nz(r.numCachedSteps)],
    ['numTotalSteps', nz(r.numTotalSteps)], ['numCompletedSteps', nz(r.numCompletedSteps)], ['externalError', desc(r.externalError)],
    ['numWarnings', nz(r.numWarnings)], ['DefaultPlatform', b.defaultPlatform],
    ['localState', b.localState ? new Entries([['Target', b.localState.Target], ['LocalPath', b.localState.LocalPath],
      ['DockerfilePath', b.localState.DockerfilePath], ['GroupRef', nz(b.localState.GroupRef ?? '')]]) : undefined],
    ['stateGroup', b.stateGroup ? new Entries([['Targets', b.stateGroup.Targets?.length ? b.stateGroup.Targets : undefined], ['Refs', b.stateGroup.Refs ?? null]]) : undefined],
  ]);
  return indent(doc);
}

function ociDesc(d: OciDescriptor): Entries {
  return new Entries([['mediaType', d.mediaType], ['digest', d.digest], ['size', d.size], ['annotations', sortedMap(d.annotations)]]);
}

type Blob = { kind: 'bytes'; data: Buffer } | { kind: 'file'; path: string } | { kind: 'remote'; client: BuildkitClient };

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Only the record's own cache-import attributes that name a cache (scope, ref) go into a bundle. */
function sanitizeRecord(r: BuildHistoryRecord): BuildHistoryRecord {
  const v = r.frontendAttrs['cache-imports'];
  if (v === undefined) return r;
  let clean = '';
  try {
    const arr = JSON.parse(v) as Array<{ Type?: string; Attrs?: Record<string, string> }>;
    clean = JSON.stringify(arr.map((c) => ({ Type: c.Type ?? '', Attrs: Object.fromEntries(Object.entries(c.Attrs ?? {}).filter(([k]) => k === 'scope' || k === 'ref').sort()) })));
  } catch {
    clean = '';
  }
  return { ...r, frontendAttrs: { ...r.frontendAttrs, 'cache-imports': clean } };
}

/** Streams the daemon's trace through the span re-encoder into `path`; returns the new blob's digest and size. */
async function spoolTrace(c: BuildkitClient, digest: string, path: string, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
  const file = createWriteStream(path);
  const hash = createHash('sha256');
  const splitter = new ObjectSplitter();
  const decoder = new StringDecoder('utf8');
  let size = 0;
  const write = async (text: string) => {
    const b = Buffer.from(text);
    hash.update(b);
    size += b.length;
    if (!file.write(b)) await new Promise<void>((r) => file.once('drain', () => r()));
  };
  try {
    for await (const chunk of c.readContent(digest, { signal })) {
      for (const span of splitter.push(decoder.write(chunk))) await write(sanitizeSpan(span));
    }
    for (const span of splitter.push(decoder.end())) await write(sanitizeSpan(span));
  } finally {
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** Writes the bundle of `records` to `out` (gzip of a tar). */
export async function writeBundle(records: BundleRecord[], out: NodeJS.WritableStream, signal?: AbortSignal): Promise<void> {
  const blobs = new Map<string, { size: number; blob: Blob }>();
  const tmp = await mkdtemp(join(tmpdir(), 'tsbuildx-bundle-'));
  try {
    const manifests: OciDescriptor[] = [];
    let n = 0;
    for (const input of records) {
      const b = { ...input, record: sanitizeRecord(input.record) };
      const visited = new Set<string>();
      const layers: OciDescriptor[] = [];
      const remote = async (d: HistoryDescriptor): Promise<OciDescriptor | undefined> => {
        if (visited.has(d.digest)) return undefined;
        visited.add(d.digest);
        await b.client.contentInfo(d.digest, { signal });
        if (!blobs.has(d.digest)) blobs.set(d.digest, { size: d.size, blob: { kind: 'remote', client: b.client } });
        return { mediaType: d.mediaType, digest: d.digest, size: d.size, annotations: Object.keys(d.annotations).length ? d.annotations : undefined };
      };
      if (b.record.trace) {
        // The trace is rewritten (credentials masked), so it is spooled to a file to learn its digest and size.
        visited.add(b.record.trace.digest);
        const path = join(tmp, `trace-${n++}`);
        const { digest, size } = await spoolTrace(b.client, b.record.trace.digest, path, signal);
        blobs.set(digest, { size, blob: { kind: 'file', path } });
        const trace = { ...b.record.trace, digest, size };
        b.record = { ...b.record, trace };
        layers.push({ mediaType: trace.mediaType, digest, size });
      }
      const config = Buffer.from(recordDocument(b));
      const configDesc = { mediaType: 'application/vnd.buildkit.historyrecord.v0', digest: sha256(config), size: config.length };
      blobs.set(configDesc.digest, { size: config.length, blob: { kind: 'bytes', data: config } });
      const add = (d: OciDescriptor | undefined) => d && layers.push(d);
      if (b.record.logs) add(await remote(b.record.logs));
      const results = async (ri: HistoryResultInfo) => {
        for (const a of ri.attestations) add(await remote(a));
        for (const r of Object.values(ri.results)) {
          const d = await remote(r);
          // Desktop must not walk a result's children: its own media type moves to an annotation.
          if (d) add({ ...d, mediaType: 'application/json', annotations: { ...(d.annotations ?? {}), 'vnd.export-build.descriptor.mediatype': d.mediaType } });
        }
      };
      if (b.record.result) await results(b.record.result);
      if (b.record.externalError) add(await remote(b.record.externalError));
      for (const ri of Object.values(b.record.results)) await results(ri);
      const manifest = Buffer.from(indent(new Entries([
        ['schemaVersion', 2], ['mediaType', 'application/vnd.oci.image.manifest.v1+json'], ['config', ociDesc(configDesc)],
        ['layers', layers.length ? layers.map(ociDesc) : null],
      ])));
      const md: OciDescriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length };
      blobs.set(md.digest, { size: manifest.length, blob: { kind: 'bytes', data: manifest } });
      manifests.push(records.length > 1 ? { ...md, annotations: { 'vnd.buildkit.history.reference': b.record.ref } } : md);
    }
    let root = manifests[0]!;
    if (records.length > 1) {
      const idx = Buffer.from(indent(new Entries([['schemaVersion', 2], ['mediaType', 'application/vnd.oci.image.index.v1+json'], ['manifests', manifests.map(ociDesc)]])));
      root = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(idx), size: idx.length };
      blobs.set(root.digest, { size: idx.length, blob: { kind: 'bytes', data: idx } });
    }
    await writeArchive(blobs, root, out, signal);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeArchive(blobs: Map<string, { size: number; blob: Blob }>, root: OciDescriptor, out: NodeJS.WritableStream, signal?: AbortSignal): Promise<void> {
  const pack = tar.pack();
  const gz = createGzip();
  const done = pipeline(pack, gz, out as NodeJS.WritableStream, { signal });
  const mtime = new Date(0);
  const entry = (name: string, mode: number, body: Buffer | Readable | undefined, size: number, type: 'file' | 'directory' = 'file') => new Promise<void>((resolve, reject) => {
    const header = { name, mode, size, mtime, uid: 0, gid: 0, type };
    if (body === undefined || Buffer.isBuffer(body)) {
      pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    body.on('error', reject);
    body.pipe(sink);
  });
  await entry('blobs/', 0o755, undefined, 0, 'directory');
  await entry('blobs/sha256/', 0o755, undefined, 0, 'directory');
  for (const digest of [...blobs.keys()].sort()) {
    const { size, blob } = blobs.get(digest)!;
    const name = `blobs/sha256/${digest.slice('sha256:'.length)}`;
    if (blob.kind === 'bytes') await entry(name, 0o444, blob.data, size);
    else if (blob.kind === 'file') await entry(name, 0o444, createReadStream(blob.path), (await stat(blob.path)).size);
    else {
      const stream = new PassThrough();
      const feeding = (async () => {
        for await (const c of blob.client.readContent(digest, { signal })) if (!stream.write(c)) await new Promise((r) => stream.once('drain', r));
        stream.end();
      })().catch((err: unknown) => stream.destroy(err as Error));
      await entry(name, 0o444, stream, size);
      await feeding;
    }
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: root.mediaType, digest: root.digest, size: root.size }] }));
  await entry('index.json', 0o644, index, index.length);
  const layout = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
  await entry('oci-layout', 0o444, layout, layout.length);
  pack.finalize();
  await done;
}
