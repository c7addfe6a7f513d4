// The attachments of a build record (results, attestations, the manifests below a result index), read from
// the daemon's content store the way buildx lists them for `history inspect` and `inspect attachment`.
import type { BuildkitClient } from '../buildkit/client.js';
import type { BuildHistoryRecord, HistoryDescriptor } from '../buildkit/history-convert.js';
import { BuildxError } from '../util/errors.js';

export interface Attachment {
  /** `os/arch[/variant]`; undefined for what belongs to the whole build. */
  platform?: string;
  descriptor: HistoryDescriptor;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
/** Metadata documents (indexes, provenance) are small; a bigger one is not what it claims to be. */
const MAX_DOCUMENT = 16 << 20;

/** A small JSON document from the content store. */
export async function readDocument(c: BuildkitClient, digest: string, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const b of c.readContent(digest, { signal })) {
    n += b.length;
    if (n > MAX_DOCUMENT) throw new BuildxError(`blob ${digest} is larger than ${MAX_DOCUMENT} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function attachmentType(d: HistoryDescriptor): string {
  return d.annotations['in-toto.io/predicate-type'] ?? d.mediaType;
}

interface OciPlatform { os?: string; architecture?: string; variant?: string }

function formatPlatform(p: OciPlatform): string {
  return [p.os ?? '', p.architecture ?? '', ...(p.variant ? [p.variant] : [])].join('/');
}

async function walk(c: BuildkitClient, d: HistoryDescriptor, platform: string | undefined, signal?: AbortSignal): Promise<Attachment[]> {
  try {
    await c.contentInfo(d.digest, { signal });
  } catch {
    return [];
  }
  const out: Attachment[] = [];
  if (d.annotations['vnd.docker.reference.type'] !== 'attestation-manifest') out.push({ platform, descriptor: d });
  if (!INDEX_TYPES.has(d.mediaType)) return out;
  let idx: { manifests?: Array<{ mediaType?: string; digest?: string; size?: number; annotations?: Record<string, string>; platform?: OciPlatform }> };
  try {
    idx = JSON.parse((await readDocument(c, d.digest, signal)).toString('utf8')) as typeof idx;
  } catch {
    return out;
  }
  for (const m of idx.manifests ?? []) {
    const child: HistoryDescriptor = { mediaType: m.mediaType ?? '', digest: m.digest ?? '', size: m.size ?? 0, annotations: m.annotations ?? {} };
    out.push(...await walk(c, child, m.platform ? formatPlatform(m.platform) : platform, signal));
  }
  return out;
}

export async function recordAttachments(c: BuildkitClient, rec: BuildHistoryRecord, signal?: AbortSignal): Promise<Attachment[]> {
  const out: Attachment[] = [];
  if (rec.result) {
    for (const a of rec.result.attestations) out.push({ descriptor: a });
    for (const r of Object.values(rec.result.results)) out.push(...await walk(c, r, undefined, signal));
  }
  for (const [platform, ri] of Object.entries(rec.results)) {
    for (const a of ri.attestations) out.push({ platform, descriptor: a });
    for (const r of Object.values(ri.results)) out.push(...await walk(c, r, platform, signal));
  }
  return out.sort((a, b) => {
    if (a.platform === undefined && b.platform !== undefined) return -1;
    if (a.platform !== undefined && b.platform === undefined) return 1;
    const p = (a.platform ?? '').localeCompare(b.platform ?? '');
    if (p !== 0) return p;
    const x = attachmentType(a.descriptor);
    const y = attachmentType(b.descriptor);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** What `inspect attachment --type` names map to. */
export function attachmentTypes(typ: string): Set<string> {
  switch (typ) {
    case 'index': return new Set(['application/vnd.oci.image.index.v1+json']);
    case 'manifest': return new Set(['application/vnd.oci.image.manifest.v1+json']);
    case 'image': return new Set(['application/vnd.oci.image.config.v1+json']);
    case 'provenance': return new Set(['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2']);
    case 'sbom': return new Set(['https://spdx.dev/Document']);
    default: return new Set(typ ? [typ] : []);
  }
}
