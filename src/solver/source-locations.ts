// Reads BuildKit's typed error details (grpc-status-details-bin → google.rpc.Status → Any with JSON
// values, protocol.md §1.5) so that a failed build can show the Dockerfile lines it failed on.
import { formatSourceExcerpt } from '../progress/warnings.js';
import { google } from '../proto/index.js';

export interface SourceLocation {
  filename: string;
  data: Buffer;
  /** 1-based [start, end] line ranges. */
  ranges: { start: number; end: number }[];
}

interface MetadataLike {
  get(key: string): unknown[];
}

interface SourceJSON {
  info?: { filename?: string; data?: string };
  ranges?: { start?: { line?: number }; end?: { line?: number } }[];
}

export function sourceLocations(err: unknown): SourceLocation[] {
  const md = (err as { metadata?: MetadataLike }).metadata;
  if (!md || typeof md.get !== 'function') return [];
  const out: SourceLocation[] = [];
  for (const raw of md.get('grpc-status-details-bin')) {
    if (!Buffer.isBuffer(raw)) continue;
    let status: google.rpc.Status;
    try {
      status = google.rpc.Status.decode(raw);
    } catch {
      continue;
    }
    out.push(...statusSourceLocations(status));
  }
  return out;
}

/** The Dockerfile locations of a decoded google.rpc.Status (e.g. a build record's external error). */
export function statusSourceLocations(status: google.rpc.IStatus): SourceLocation[] {
  const out: SourceLocation[] = [];
  for (const d of status.details ?? []) {
    if (!d.type_url?.endsWith('errdefs.Source+json') || !d.value) continue;
    try {
      const j = JSON.parse(Buffer.from(d.value).toString('utf8')) as SourceJSON;
      out.push({
        filename: j.info?.filename ?? '',
        data: Buffer.from(j.info?.data ?? '', 'base64'),
        ranges: (j.ranges ?? []).map((r) => ({ start: r.start?.line ?? 0, end: r.end?.line ?? r.start?.line ?? 0 })),
      });
    } catch {
      // A detail we cannot read is not worth failing the error report over.
    }
  }
  return out;
}

/** The digest of the step a decoded status says failed (BuildKit's errdefs.Vertex detail), if any. */
export function statusVertexDigest(status: google.rpc.IStatus): string | undefined {
  for (const d of status.details ?? []) {
    if (!d.type_url?.endsWith('errdefs.Vertex+json') || !d.value) continue;
    try {
      const j = JSON.parse(Buffer.from(d.value).toString('utf8')) as { digest?: string };
      if (j.digest) return j.digest;
    } catch {
      // unreadable detail: no step named
    }
  }
  return undefined;
}

/** The Dockerfile excerpt printed above `ERROR:` for a failing location. */
export function formatSource(src: SourceLocation): string {
  return formatSourceExcerpt(
    { filename: src.filename, data: src.data, language: '' },
    src.ranges.map((r) => ({ start: { line: r.start, character: 0 }, end: { line: r.end, character: 0 } })),
  );
}
