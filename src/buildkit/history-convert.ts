// BuildKit's build history records (control.proto BuildHistoryRecord) as plain values: times in epoch
// nanoseconds, byte fields as Buffers, absent messages as undefined.
import type { moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import { int64, int64MapKey, timestampNs } from './convert.js';

export interface HistoryDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}

export interface HistoryResultInfo {
  resultDeprecated?: HistoryDescriptor;
  attestations: HistoryDescriptor[];
  /** Keyed by the int64 index, as decimal strings. */
  results: Record<string, HistoryDescriptor>;
}

export interface HistoryStatus {
  code: number;
  message: string;
  details: Array<{ typeUrl: string; value: Buffer }>;
}

export interface BuildHistoryRecord {
  ref: string;
  frontend: string;
  frontendAttrs: Record<string, string>;
  exporters: Array<{ type: string; attrs: Record<string, string> }>;
  error?: HistoryStatus;
  createdAt?: bigint;
  completedAt?: bigint;
  logs?: HistoryDescriptor;
  exporterResponse: Record<string, string>;
  result?: HistoryResultInfo;
  results: Record<string, HistoryResultInfo>;
  generation: number;
  trace?: HistoryDescriptor;
  pinned: boolean;
  numCachedSteps: number;
  numTotalSteps: number;
  numCompletedSteps: number;
  externalError?: HistoryDescriptor;
  numWarnings: number;
}

export type BuildHistoryEventType = 'started' | 'complete' | 'deleted';

export interface BuildHistoryEvent {
  type: BuildHistoryEventType;
  record?: BuildHistoryRecord;
}

type DescriptorProps = moby.buildkit.v1.Descriptor.$Properties;

function descriptor(d: DescriptorProps | null | undefined): HistoryDescriptor | undefined {
  if (!d) return undefined;
  return { mediaType: d.media_type ?? '', digest: d.digest ?? '', size: int64(d.size), annotations: { ...(d.annotations ?? {}) } };
}

function resultInfo(r: moby.buildkit.v1.BuildResultInfo.$Properties | null | undefined): HistoryResultInfo | undefined {
  if (!r) return undefined;
  const results: Record<string, HistoryDescriptor> = {};
  for (const [k, v] of Object.entries(r.Results ?? {})) {
    const d = descriptor(v);
    if (d) results[int64MapKey(k)] = d;
  }
  return {
    resultDeprecated: descriptor(r.ResultDeprecated),
    attestations: (r.Attestations ?? []).map((a) => descriptor(a)!),
    results,
  };
}

export function toHistoryRecord(r: moby.buildkit.v1.BuildHistoryRecord.$Properties): BuildHistoryRecord {
  const results: Record<string, HistoryResultInfo> = {};
  for (const [k, v] of Object.entries(r.Results ?? {})) {
    const ri = resultInfo(v);
    if (ri) results[k] = ri;
  }
  return {
    ref: r.Ref ?? '',
    frontend: r.Frontend ?? '',
    frontendAttrs: { ...(r.FrontendAttrs ?? {}) },
    exporters: (r.Exporters ?? []).map((e) => ({ type: e.Type ?? '', attrs: { ...(e.Attrs ?? {}) } })),
    error: r.error ? {
      code: r.error.code ?? 0, message: r.error.message ?? '',
      details: (r.error.details ?? []).map((d) => ({ typeUrl: d.type_url ?? '', value: asBuffer(d.value ?? new Uint8Array()) })),
    } : undefined,
    createdAt: timestampNs(r.CreatedAt),
    completedAt: timestampNs(r.CompletedAt),
    logs: descriptor(r.logs),
    exporterResponse: { ...(r.ExporterResponse ?? {}) },
    result: resultInfo(r.Result),
    results,
    generation: r.Generation ?? 0,
    trace: descriptor(r.trace),
    pinned: r.pinned ?? false,
    numCachedSteps: r.numCachedSteps ?? 0,
    numTotalSteps: r.numTotalSteps ?? 0,
    numCompletedSteps: r.numCompletedSteps ?? 0,
    externalError: descriptor(r.externalError),
    numWarnings: r.numWarnings ?? 0,
  };
}

const EVENT_TYPES: Record<number, BuildHistoryEventType> = { 0: 'started', 1: 'complete', 2: 'deleted' };

export function toHistoryEvent(e: moby.buildkit.v1.BuildHistoryEvent.$Properties): BuildHistoryEvent {
  return { type: EVENT_TYPES[e.type ?? 0] ?? 'started', record: e.record ? toHistoryRecord(e.record) : undefined };
}

