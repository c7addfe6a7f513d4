// Reads BuildKit's typed error details (grpc-status-details-bin → google.rpc.Status → Any with JSON
// values, protocol.md §1.5) so that a failed build can show the Dockerfile lines it failed on.
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
  }
  return out;
}

/**
 * The Dockerfile excerpt printed above `ERROR:`: a `file:line` header and the surrounding lines framed
 * by dashes, the failing ones marked with `>>>`.
 */
export function formatSource(src: SourceLocation): string {
  const lines = src.data.toString('utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!src.ranges.length) return '';
  const first = Math.min(...src.ranges.map((r) => r.start));
  const last = Math.max(...src.ranges.map((r) => r.end));
  const from = Math.max(1, first - 4 > 0 ? first - 4 + 1 : 1);
  const to = Math.min(lines.length, last + 2);
  const marked = (n: number) => src.ranges.some((r) => n >= r.start && n <= r.end);
  const width = String(to).length;
  const out = [`${src.filename}:${first === last ? first : `${first}-${last}`}`, '--------------------'];
  for (let n = from; n <= to; n++) {
    out.push(`${String(n).padStart(Math.max(width, 4))} | ${marked(n) ? '>>>' : '   '} ${lines[n - 1] ?? ''}`);
  }
  out.push('--------------------');
  return out.join('\n') + '\n';
}
