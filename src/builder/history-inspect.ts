// `history inspect`: one record as buildx describes it. The value keeps Go's field order and omitempty
// rules so `--format json` matches buildx's output; the text form is buildx's tab-aligned sections.
import { isAbsolute, relative, sep } from 'node:path';
import type { BuildkitClient } from '../buildkit/client.js';
import { google } from '../proto/index.js';
import { formatSource, statusSourceLocations, statusVertexDigest } from '../solver/source-locations.js';
import { BuildxError } from '../util/errors.js';
import { bytesSize } from '../util/go-units.js';
import { tabwrite } from '../util/tabwriter.js';
import { GO_TYPE_NAME, parseGoTemplate } from '../util/go-template.js';
import { goDuration } from '../util/go-time.js';
import { attachmentType, readDocument, recordAttachments } from './history-attachments.js';
import { desktopBuildURL, formatRecordDuration, fullRef, rfc3339Ns } from './history-format.js';
import { GRPC_CODES, type HistoryRecord } from './history.js';

export interface KeyValue { Name: string; Value: string }

/** What buildx reports of a failed build: the status, and from the record's external error its sources and step logs. */
export interface HistoryInspectError {
  Code?: number;
  Message?: string;
  /** The failed step. */
  Name?: string;
  /** Its last 16 log lines. */
  Logs?: string[];
  /** The Dockerfile excerpts, base64 (Go []byte). */
  Sources?: string;
  /** base64; Go buildx has its own process's stack here, tsbuildx the error message. */
  Stack?: string;
}

export interface HistoryInspectConfig {
  Network?: string; ExtraHosts?: string[]; Hostname?: string; CgroupParent?: string; ImageResolveMode?: string;
  MultiPlatform?: boolean; NoCache?: boolean; NoCacheFilter?: string[]; ShmSize?: string; Ulimit?: string; Memory?: string;
  MemorySwap?: string; CPUShares?: string; CPUPeriod?: string; CPUQuota?: string; CPUSetCPUs?: string; CPUSetMems?: string;
  CacheMountNS?: string; DockerfileCheckConfig?: string; SourceDateEpoch?: string; SandboxHostname?: string; RestRaw?: KeyValue[];
}

/** buildx's inspect output, field for field (undefined = omitted). */
export interface HistoryInspect {
  Name?: string;
  Ref: string;
  Context?: string;
  Dockerfile?: string;
  VCSRepository?: string;
  VCSRevision?: string;
  Target?: string;
  Platform?: string[];
  KeepGitDir?: boolean;
  NamedContexts?: KeyValue[];
  /** RFC 3339 with nanoseconds, local time. */
  StartedAt?: string;
  CompletedAt?: string;
  /** Nanoseconds. */
  Duration?: number;
  Status?: 'completed' | 'running' | 'failed' | 'canceled';
  Error?: HistoryInspectError;
  NumCompletedSteps: number;
  NumTotalSteps: number;
  NumCachedSteps: number;
  BuildArgs?: KeyValue[];
  Labels?: KeyValue[];
  Config: HistoryInspectConfig;
  Materials?: Array<{ URI?: string; Digests?: string[] }>;
  Attachments?: Array<{ Digest?: string; Platform?: string; Type?: string }>;
  Errors?: string[];
}

function keyValues(attrs: Record<string, string>, prefix: string): KeyValue[] | undefined {
  const out = Object.keys(attrs).filter((k) => k.startsWith(prefix)).map((k) => ({ Name: k.slice(prefix.length), Value: attrs[k]! }));
  return out.length ? out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)) : undefined;
}

function relInside(from: string, to: string): string {
  const rel = relative(from, to);
  return rel.startsWith(`..${sep}`) || isAbsolute(rel) ? to : rel || '.';
}

const CONFIG_ATTRS: Array<[keyof HistoryInspectConfig, string]> = [
  ['ShmSize', 'shm-size'], ['Ulimit', 'ulimit'], ['Memory', 'memory'], ['MemorySwap', 'memswap'], ['CPUShares', 'cpushares'],
  ['CPUPeriod', 'cpuperiod'], ['CPUQuota', 'cpuquota'], ['CPUSetCPUs', 'cpusetcpus'], ['CPUSetMems', 'cpusetmems'],
  ['CacheMountNS', 'build-arg:BUILDKIT_CACHE_MOUNT_NS'], ['DockerfileCheckConfig', 'build-arg:BUILDKIT_DOCKERFILE_CHECK'],
  ['SourceDateEpoch', 'build-arg:SOURCE_DATE_EPOCH'], ['SandboxHostname', 'build-arg:SANDBOX_HOSTNAME'],
];

function parseBool(v: string, errors: string[]): boolean {
  if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (!/^(0|f|F|FALSE|false|False)$/.test(v)) errors.push(`failed to parse ${v}: (strconv.ParseBool: parsing "${v}": invalid syntax)`);
  return false;
}

async function materials(c: BuildkitClient, digest: string, type: string, signal?: AbortSignal): Promise<HistoryInspect['Materials']> {
  let pred: { materials?: Array<{ uri?: string; digest?: Record<string, string> }>; buildDefinition?: { resolvedDependencies?: Array<{ uri?: string; digest?: Record<string, string> }> } };
  try {
    pred = JSON.parse((await readDocument(c, digest, signal)).toString('utf8')) as typeof pred;
  } catch (err) {
    throw new BuildxError(`failed to read provenance ${digest}: ${(err as Error).message}`);
  }
  const deps = type === 'https://slsa.dev/provenance/v0.2' ? pred.materials : pred.buildDefinition?.resolvedDependencies;
  const out = (deps ?? []).map((m) => ({ URI: m.uri || undefined, Digests: Object.entries(m.digest ?? {}).map(([k, v]) => `${k}:${v}`) }));
  return out.length ? out.map((m) => ({ ...m, Digests: m.Digests.length ? m.Digests : undefined })) : undefined;
}

export async function inspectRecord(c: BuildkitClient, r: HistoryRecord, opts: { cwd?: string; signal?: AbortSignal } = {}): Promise<HistoryInspect> {
  const rec = r.record;
  const attrs = { ...rec.frontendAttrs };
  delete attrs['frontend.caps'];
  const errors: string[] = [];
  const st = r.localState;
  let context = '';
  let dockerfile = '';
  if (st) {
    context = st.LocalPath;
    dockerfile = st.DockerfilePath;
    if (dockerfile !== '' && dockerfile !== '-' && isAbsolute(context)) dockerfile = relInside(context, dockerfile);
    if (context !== '' && isAbsolute(context)) context = relInside(opts.cwd ?? process.cwd(), context);
  }
  if (attrs.context !== undefined && context === '') {
    context = attrs.context;
    delete attrs.context;
  }
  if (dockerfile === '' && attrs.filename !== undefined) {
    dockerfile = attrs.filename;
    const dir = attrs['vcs:localdir:dockerfile'];
    if (dir !== undefined) dockerfile = `${dir.replace(/\/$/, '')}/${dockerfile}`.replace(/^\.\//, '');
  }
  delete attrs.filename;

  const take = (k: string): string | undefined => {
    const v = attrs[k];
    delete attrs[k];
    return v;
  };
  const out: HistoryInspect = { Name: r.name || undefined, Ref: rec.ref, Context: context || undefined, Dockerfile: dockerfile || undefined } as HistoryInspect;
  if (attrs.context === undefined) {
    out.VCSRepository = attrs['vcs:source'] || undefined;
    out.VCSRevision = attrs['vcs:revision'] || undefined;
  }
  out.Target = take('target') || undefined;
  const platform = take('platform');
  if (platform !== undefined) out.Platform = platform.split(',').filter((p) => p !== '');
  const keepGit = take('build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR');
  if (keepGit !== undefined) out.KeepGitDir = parseBool(keepGit, errors) || undefined;
  out.NamedContexts = keyValues(attrs, 'context:');
  if (rec.createdAt !== undefined) out.StartedAt = rfc3339Ns(rec.createdAt, true);
  out.Status = 'running';
  if (rec.completedAt !== undefined) {
    out.CompletedAt = rfc3339Ns(rec.completedAt, true);
    out.Status = 'completed';
  }
  if (rec.error || rec.externalError) {
    let e: HistoryInspectError = {};
    if (rec.error) {
      out.Status = rec.error.code === 1 ? 'canceled' : 'failed';
      e = { Code: rec.error.code || undefined, Message: rec.error.message || undefined };
    }
    if (rec.externalError) e = { ...e, ...await externalError(c, rec.ref, rec.externalError.digest, opts.signal) };
    out.Error = { Code: e.Code, Message: e.Message, Name: e.Name, Logs: e.Logs, Sources: e.Sources, Stack: e.Stack };
  }
  if (rec.createdAt !== undefined) {
    const end = rec.completedAt ?? (r.now ? BigInt(r.now.getTime()) * 1_000_000n : rec.createdAt);
    out.Duration = Number(end - rec.createdAt) || undefined;
  }
  out.NumCompletedSteps = rec.numCompletedSteps;
  out.NumTotalSteps = rec.numTotalSteps;
  out.NumCachedSteps = rec.numCachedSteps;
  out.BuildArgs = keyValues(attrs, 'build-arg:');
  out.Labels = keyValues(attrs, 'label:');

  const cfg: HistoryInspectConfig = {};
  cfg.Network = take('force-network-mode') || undefined;
  cfg.Hostname = take('hostname') || undefined;
  cfg.CgroupParent = take('cgroup-parent') || undefined;
  cfg.ImageResolveMode = take('image-resolve-mode') || undefined;
  const mp1 = take('build-arg:BUILDKIT_MULTI_PLATFORM');
  if (mp1 !== undefined) cfg.MultiPlatform = parseBool(mp1, errors) || undefined;
  const mp2 = take('multi-platform');
  if (mp2 !== undefined) cfg.MultiPlatform = parseBool(mp2, errors) || undefined;
  const noCache = take('no-cache');
  if (noCache !== undefined) {
    if (noCache === '') cfg.NoCache = true;
    else cfg.NoCacheFilter = noCache.split(',');
  }
  const hosts = take('add-hosts');
  if (hosts !== undefined) cfg.ExtraHosts = hosts.split(',').filter((h) => h !== '');
  for (const [field, key] of CONFIG_ATTRS) {
    const v = take(key);
    if (v !== undefined) (cfg as Record<string, unknown>)[field] = v || undefined;
  }
  const rest = Object.keys(attrs).filter((k) => !/^(vcs:|build-arg:|label:|context:|attest:)/.test(k)).sort()
    .map((k) => ({ Name: k, Value: attrs[k]! }));
  if (rest.length) cfg.RestRaw = rest;
  // The field order of Go's struct, whatever order the values were found in.
  out.Config = orderConfig(cfg);

  const attachments = await recordAttachments(c, rec, opts.signal);
  const prov = attachments.find((a) => attachmentType(a.descriptor).startsWith('https://slsa.dev/provenance/'));
  if (prov) out.Materials = await materials(c, prov.descriptor.digest, attachmentType(prov.descriptor), opts.signal);
  if (attachments.length) {
    out.Attachments = attachments.map((a) => ({ Digest: a.descriptor.digest || undefined, Platform: a.platform || undefined, Type: attachmentType(a.descriptor) || undefined }));
  }
  if (errors.length) out.Errors = errors;
  return orderInspect(out);
}

/** Sources, failed step and its logs from the record's external error (a google.rpc.Status blob). */
async function externalError(c: BuildkitClient, ref: string, digest: string, signal?: AbortSignal): Promise<HistoryInspectError> {
  let status: google.rpc.Status;
  try {
    status = google.rpc.Status.decode(await readDocument(c, digest, signal));
  } catch (err) {
    throw new BuildxError(`failed to read external error ${digest}: ${(err as Error).message}`);
  }
  const sources = statusSourceLocations(status).map((src) => `${formatSource(src)}\n`).join('');
  const out: HistoryInspectError = { Sources: sources ? Buffer.from(sources).toString('base64') : undefined };
  const vertex = statusVertexDigest(status);
  if (vertex) {
    const { name, logs } = await vertexLogs(c, ref, vertex, 16, signal);
    out.Name = name || undefined;
    out.Logs = logs.length ? logs : undefined;
  }
  out.Stack = Buffer.from(`${status.message ?? ''}\n`).toString('base64');
  return out;
}

/** The last `limit` log lines of one step, rejoined across chunks per stream as buildx does. */
async function vertexLogs(c: BuildkitClient, ref: string, digest: string, limit: number, signal?: AbortSignal): Promise<{ name: string; logs: string[] }> {
  let name = '';
  let logs: string[] = [];
  const last = new Map<number, number>();
  for await (const st of c.status(ref, { signal })) {
    const v = st.vertexes.find((x) => x.digest === digest);
    if (v) name = v.name;
    for (const l of st.logs) {
      if (l.vertex !== digest) continue;
      const parts = l.data.toString('utf8').split('\n');
      parts.forEach((p, i) => {
        let wrote = false;
        if (i === 0) {
          const idx = last.get(l.stream);
          if (idx !== undefined && idx !== -1) {
            logs[idx] += p;
            wrote = true;
          }
        }
        if (!wrote) {
          if (p.length > 0) logs.push(p);
          last.set(l.stream, logs.length - 1);
        }
        if (i === parts.length - 1 && p.length === 0) last.set(l.stream, -1);
      });
    }
  }
  if (limit > 0 && logs.length > limit) logs = logs.slice(logs.length - limit);
  return { name, logs };
}

const INSPECT_ORDER: Array<keyof HistoryInspect> = ['Name', 'Ref', 'Context', 'Dockerfile', 'VCSRepository', 'VCSRevision', 'Target', 'Platform',
  'KeepGitDir', 'NamedContexts', 'StartedAt', 'CompletedAt', 'Duration', 'Status', 'Error', 'NumCompletedSteps', 'NumTotalSteps',
  'NumCachedSteps', 'BuildArgs', 'Labels', 'Config', 'Materials', 'Attachments', 'Errors'];
const CONFIG_ORDER: Array<keyof HistoryInspectConfig> = ['Network', 'ExtraHosts', 'Hostname', 'CgroupParent', 'ImageResolveMode', 'MultiPlatform',
  'NoCache', 'NoCacheFilter', 'ShmSize', 'Ulimit', 'Memory', 'MemorySwap', 'CPUShares', 'CPUPeriod', 'CPUQuota', 'CPUSetCPUs', 'CPUSetMems',
  'CacheMountNS', 'DockerfileCheckConfig', 'SourceDateEpoch', 'SandboxHostname', 'RestRaw'];

function ordered<T extends object>(v: T, order: ReadonlyArray<keyof T>): T {
  const out = {} as T;
  for (const k of order) if (v[k] !== undefined) out[k] = v[k];
  return out;
}
const orderInspect = (v: HistoryInspect) => ordered(v, INSPECT_ORDER);
const orderConfig = (v: HistoryInspectConfig) => ordered(v, CONFIG_ORDER);

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** json.Encoder with SetIndent("", "  "): struct order kept, HTML characters escaped, a trailing newline. */
export function formatInspectJSON(v: HistoryInspect): string {
  return `${JSON.stringify(v, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!)}\n`;
}

function localStamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function section(rows: Array<[string, string | undefined]>): string {
  const lines = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}:\t${v}`);
  return lines.length ? tabwrite(lines, { minWidth: 1, padding: 1, padChar: '\t', tabWidth: 8 }) : '';
}

function table(kvs: KeyValue[] | undefined, title: string): string {
  if (!kvs?.length) return '';
  return `${tabwrite([`${title.toUpperCase()}\tVALUE`, ...kvs.map((k) => `${k.Name}\t${k.Value}`)], { minWidth: 1, padding: 1, padChar: '\t', tabWidth: 8 })}\n`;
}

const humanBytes = (v: string) => (/^\d+$/.test(v) ? bytesSize(Number(v)) : v);

/** The text `history inspect` prints; `refGiven`: the Ref line is shown only when no ref was asked for. */
export function formatInspectText(out: HistoryInspect, r: HistoryRecord, refGiven: boolean, debug = false): string {
  const tw = (lines: string[]) => tabwrite(lines, { minWidth: 1, padding: 1, padChar: '\t', tabWidth: 8 });
  let s = section([
    ['Name', out.Name], ['Ref', refGiven ? undefined : out.Ref], ['Context', out.Context], ['Dockerfile', out.Dockerfile],
    ['VCS Repository', out.VCSRepository], ['VCS Revision', out.VCSRevision], ['Target', out.Target],
    ['Platforms', out.Platform?.join(', ')], ['Keep Git Dir', out.KeepGitDir ? 'true' : undefined],
  ]);
  s += '\n';
  s += table(out.NamedContexts, 'Named Context');
  const status = out.Status === 'running' ? ' (running)' : '';
  const rows: Array<[string, string | undefined]> = [
    ['Started', out.StartedAt ? localStamp(out.StartedAt) : '0001-01-01 00:00:00'],
    ['Duration', `${formatRecordDuration(BigInt(out.Duration ?? 0))}${status}`],
  ];
  if (out.Status === 'failed') rows.push(['Error', `${GRPC_CODES[r.record.error?.code ?? 2] ?? 'Unknown'} ${r.record.error?.message ?? ''}`]);
  if (out.Status === 'canceled') rows.push(['Status', 'Canceled']);
  const pct = out.NumTotalSteps === 0 ? 'NaN' : ((out.NumCachedSteps / out.NumTotalSteps) * 100).toFixed(0);
  rows.push(['Build Steps', `${out.NumCompletedSteps}/${out.NumTotalSteps} (${pct}% cached)`]);
  s += section(rows);
  s += '\n';
  const c = out.Config;
  s += section([
    ['Network', c.Network], ['Hostname', c.Hostname], ['Extra Hosts', c.ExtraHosts?.join(', ')], ['Cgroup Parent', c.CgroupParent],
    ['Image Resolve Mode', c.ImageResolveMode], ['Multi-Platform', c.MultiPlatform ? 'true' : undefined], ['No Cache', c.NoCache ? 'true' : undefined],
    ['No Cache Filter', c.NoCacheFilter?.join(', ')], ['Shm Size', c.ShmSize], ['Resource Limits', c.Ulimit],
    ['Memory', c.Memory && humanBytes(c.Memory)], ['Memory Swap', c.MemorySwap && humanBytes(c.MemorySwap)], ['CPU Shares', c.CPUShares],
    ['CPU Period', c.CPUPeriod], ['CPU Quota', c.CPUQuota], ['CPUSet CPUs', c.CPUSetCPUs], ['CPUSet Mems', c.CPUSetMems],
    ['Cache Mount Namespace', c.CacheMountNS], ['Dockerfile Check Config', c.DockerfileCheckConfig], ['Source Date Epoch', c.SourceDateEpoch],
    ['Sandbox Hostname', c.SandboxHostname], ...(c.RestRaw ?? []).map((kv): [string, string] => [kv.Name, kv.Value]),
  ]);
  s += '\n';
  s += table(out.BuildArgs, 'Build Arg');
  s += table(out.Labels, 'Label');
  if (out.Materials?.length) {
    s += 'Materials:\n';
    s += tw(['URI\tDIGEST', ...out.Materials.map((m) => `${m.URI ?? ''}\t${(m.Digests ?? []).join(', ')}`)]);
    s += '\n';
  }
  if (out.Attachments?.length) {
    s += 'Attachments:\n';
    s += tw(['DIGEST\tPLATFORM\tTYPE', ...out.Attachments.map((a) => `${a.Digest ?? ''}\t${a.Platform ?? ''}\t${a.Type ?? ''}`)]);
    s += '\n';
  }
  if (out.Error) {
    if (out.Error.Sources) s += Buffer.from(out.Error.Sources, 'base64').toString('utf8');
    if (out.Error.Logs?.length) s += `Logs:\n> => ${out.Error.Name ?? ''}:\n${out.Error.Logs.map((l) => `> ${l}\n`).join('')}\n`;
    if (out.Error.Stack) s += debug ? `\n${Buffer.from(out.Error.Stack, 'base64').toString('utf8')}\n` : 'Enable --debug to see stack traces for error\n';
  }
  s += `Print build logs: docker buildx history logs ${r.record.ref}\n`;
  s += `View build in Docker Desktop: ${desktopBuildURL(fullRef(r))}\n`;
  return s;
}

const CONFIG_ZERO: Required<HistoryInspectConfig> = {
  Network: '', ExtraHosts: [], Hostname: '', CgroupParent: '', ImageResolveMode: '', MultiPlatform: false, NoCache: false,
  NoCacheFilter: [], ShmSize: '', Ulimit: '', Memory: '', MemorySwap: '', CPUShares: '', CPUPeriod: '', CPUQuota: '',
  CPUSetCPUs: '', CPUSetMems: '', CacheMountNS: '', DockerfileCheckConfig: '', SourceDateEpoch: '', SandboxHostname: '', RestRaw: [],
};

/** `time.Time.String()` of an RFC 3339 instant. */
function goTimeText(rfc: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(rfc);
  if (!m) return rfc;
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4]!.replace(':', '')} ${m[4]!.replace(':', '')}`;
  return `${m[1]} ${m[2]}${m[3] ?? ''} ${zone}`;
}

/**
 * The value a `--format` template sees: every field of buildx's struct present (zero values included), times
 * and the duration as Go prints them.
 */
export function inspectTemplateData(out: HistoryInspect): Record<string | symbol, unknown> {
  return {
    [GO_TYPE_NAME]: 'history.inspectOutput',
    Name: out.Name ?? '', Ref: out.Ref, Context: out.Context ?? '', Dockerfile: out.Dockerfile ?? '', VCSRepository: out.VCSRepository ?? '',
    VCSRevision: out.VCSRevision ?? '', Target: out.Target ?? '', Platform: out.Platform ?? [], KeepGitDir: out.KeepGitDir ?? false,
    NamedContexts: out.NamedContexts ?? [], StartedAt: out.StartedAt ? goTimeText(out.StartedAt) : null,
    CompletedAt: out.CompletedAt ? goTimeText(out.CompletedAt) : null, Duration: goDuration(BigInt(out.Duration ?? 0)), Status: out.Status ?? '',
    Error: out.Error ?? null, NumCompletedSteps: out.NumCompletedSteps, NumTotalSteps: out.NumTotalSteps, NumCachedSteps: out.NumCachedSteps,
    BuildArgs: out.BuildArgs ?? [], Labels: out.Labels ?? [], Config: { [GO_TYPE_NAME]: 'history.configOutput', ...CONFIG_ZERO, ...out.Config }, Materials: out.Materials ?? [],
    Attachments: out.Attachments ?? [], Errors: out.Errors ?? [],
  };
}

/** buildx names its template `inspect`, which Go's errors mention. */
const named = (msg: string) => msg.replace(/^template: :/, 'template: inspect:').replace('executing "" at', 'executing "inspect" at');

/** `history inspect --format <template>`: the template's output and a newline. */
export function formatInspectTemplate(out: HistoryInspect, format: string): string {
  let tmpl;
  try {
    tmpl = parseGoTemplate(format);
  } catch (err) {
    throw new BuildxError(`failed to parse format template: ${named((err as Error).message)}`);
  }
  try {
    return `${tmpl.execute(inspectTemplateData(out))}\n`;
  } catch (err) {
    throw new BuildxError(`failed to execute format template: ${named((err as Error).message)}`);
  }
}
