// Conversions from generated protobuf objects to the plain types the rest of tsbuildx uses.
import { asBuffer } from '../util/bytes.js';
import type Long from 'long';
import type { google, moby } from '../proto/index.js';
import type { SolveStatus, SourceInfo, SourceRange } from '../progress/types.js';

type Int64 = number | Long | null | undefined;

export function int64(v: Int64): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function timestampNs(t: google.protobuf.Timestamp.$Properties | null | undefined): bigint | undefined {
  if (!t) return undefined;
  const seconds = t.seconds ?? 0;
  const s = typeof seconds === 'number' ? BigInt(seconds) : BigInt(seconds.toString());
  return s * 1_000_000_000n + BigInt(t.nanos ?? 0);
}

function buf(b: Uint8Array | null | undefined): Buffer {
  if (!b) return Buffer.alloc(0);
  return asBuffer(b);
}

function range(r: { start?: { line?: number | null; character?: number | null } | null; end?: { line?: number | null; character?: number | null } | null }): SourceRange {
  return {
    start: { line: r.start?.line ?? 0, character: r.start?.character ?? 0 },
    end: { line: r.end?.line ?? 0, character: r.end?.character ?? 0 },
  };
}

export function sourceInfo(i: { filename?: string | null; data?: Uint8Array | null; language?: string | null } | null | undefined): SourceInfo | undefined {
  if (!i) return undefined;
  return { filename: i.filename ?? '', data: buf(i.data), language: i.language ?? '' };
}

export function toSolveStatus(r: moby.buildkit.v1.StatusResponse.$Properties): SolveStatus {
  return {
    vertexes: (r.vertexes ?? []).map((v) => ({
      digest: v.digest ?? '',
      inputs: v.inputs ?? [],
      name: v.name ?? '',
      cached: v.cached ?? false,
      started: timestampNs(v.started),
      completed: timestampNs(v.completed),
      error: v.error || undefined,
      progressGroup: v.progressGroup ? { id: v.progressGroup.id ?? '', name: v.progressGroup.name ?? '', weak: v.progressGroup.weak ?? false } : undefined,
    })),
    statuses: (r.statuses ?? []).map((s) => ({
      id: s.ID ?? '',
      vertex: s.vertex ?? '',
      name: s.name ?? '',
      current: int64(s.current),
      total: int64(s.total),
      timestamp: timestampNs(s.timestamp) ?? 0n,
      started: timestampNs(s.started),
      completed: timestampNs(s.completed),
    })),
    logs: (r.logs ?? []).map((l) => ({
      vertex: l.vertex ?? '',
      stream: int64(l.stream),
      data: buf(l.msg),
      timestamp: timestampNs(l.timestamp) ?? 0n,
    })),
    warnings: (r.warnings ?? []).map((w) => ({
      vertex: w.vertex ?? '',
      level: int64(w.level),
      short: buf(w.short),
      detail: (w.detail ?? []).map(buf),
      url: w.url ?? '',
      sourceInfo: sourceInfo(w.info),
      ranges: (w.ranges ?? []).map(range),
    })),
  };
}

/** A worker as ListWorkers reports it (buildkit v0.32.2 client.WorkerInfo). */
export interface WorkerInfo {
  id: string;
  labels: Record<string, string>;
  platforms: WorkerPlatform[];
  gcPolicy: GCPolicyRule[];
  buildkitVersion?: { package: string; version: string; revision: string };
  cdiDevices: CDIDevice[];
}

export interface WorkerPlatform {
  os: string;
  architecture: string;
  variant: string;
  osVersion: string;
  osFeatures: string[];
}

/** One garbage-collection rule (client.PruneInfo); sizes in bytes, keepDuration in nanoseconds. */
export interface GCPolicyRule {
  all: boolean;
  filters: string[];
  keepDuration: bigint;
  reservedSpace: bigint;
  maxUsedSpace: bigint;
  minFreeSpace: bigint;
}

export interface CDIDevice {
  name: string;
  autoAllow: boolean;
  onDemand: boolean;
  annotations: Record<string, string>;
}

/**
 * A map<int64, …> key as protobufjs leaves it: with Long available it keys the object by the 8-byte
 * little-endian "hash" of the number, not its decimal form, which Go's JSON (and buildx) print.
 */
export function int64MapKey(k: string): string {
  if (k.length !== 8 || /^-?\d+$/.test(k)) return k;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(k.charCodeAt(i) & 0xff);
  return BigInt.asIntN(64, v).toString();
}

/** int64 fields without the precision loss of toNumber(): durations in ns pass 2^53 after ~104 days. */
export function int64Big(v: Int64): bigint {
  if (v === null || v === undefined) return 0n;
  return typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(v.toString());
}

export function toWorkerInfo(w: moby.buildkit.v1.types.WorkerRecord.$Properties): WorkerInfo {
  const info: WorkerInfo = {
    id: w.ID ?? '',
    labels: { ...(w.Labels ?? {}) },
    platforms: (w.platforms ?? []).map((p) => ({
      os: p.OS ?? '', architecture: p.Architecture ?? '', variant: p.Variant ?? '', osVersion: p.OSVersion ?? '', osFeatures: p.OSFeatures ?? [],
    })),
    gcPolicy: (w.GCPolicy ?? []).map((g) => ({
      all: g.all ?? false,
      filters: g.filters ?? [],
      keepDuration: int64Big(g.keepDuration),
      reservedSpace: int64Big(g.reservedSpace),
      maxUsedSpace: int64Big(g.maxUsedSpace),
      minFreeSpace: int64Big(g.minFreeSpace),
    })),
    cdiDevices: (w.CDIDevices ?? []).map((d) => ({
      name: d.Name ?? '', autoAllow: d.AutoAllow ?? false, onDemand: d.OnDemand ?? false, annotations: { ...(d.Annotations ?? {}) },
    })),
  };
  if (w.BuildkitVersion) {
    info.buildkitVersion = { package: w.BuildkitVersion.package ?? '', version: w.BuildkitVersion.version ?? '', revision: w.BuildkitVersion.revision ?? '' };
  }
  return info;
}

/** One cache record (client.UsageInfo); instants in nanoseconds since the epoch. */
export interface UsageRecord {
  id: string;
  mutable: boolean;
  inUse: boolean;
  size: number;
  parents: string[];
  /** A record without one reads as the epoch, as Go's AsTime() of a nil timestamp. */
  createdAtNs: bigint;
  lastUsedAtNs?: bigint;
  usageCount: number;
  description: string;
  /** `regular`, `internal`, `frontend`, `source.local`, `source.git.checkout`, `exec.cachemount`. */
  recordType: string;
  shared: boolean;
}

export function toUsageRecord(r: moby.buildkit.v1.UsageRecord.$Properties): UsageRecord {
  const rec: UsageRecord = {
    id: r.ID ?? '',
    mutable: r.Mutable ?? false,
    inUse: r.InUse ?? false,
    size: int64(r.Size),
    // Only `Parents`: buildx ignores the single `Parent` that older daemons (dockerd 20.10) send.
    parents: [...(r.Parents ?? [])],
    createdAtNs: timestampNs(r.CreatedAt) ?? 0n,
    usageCount: int64(r.UsageCount),
    description: r.Description ?? '',
    recordType: r.RecordType ?? '',
    shared: r.Shared ?? false,
  };
  const last = timestampNs(r.LastUsedAt);
  if (last !== undefined) rec.lastUsedAtNs = last;
  return rec;
}
