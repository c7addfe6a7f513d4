// buildx's Combine: sources (tags, digests, descriptors) become one image index, or stay as they are
// when a single source needs no wrapping; then the platform filter keeps the matching manifests with
// their attestation manifests. Bytes and digests match buildx's for the same sources.
import { createHash } from 'node:crypto';
import { NotFoundError } from '../registry/errors.js';
import { goMarshalIndent, indexValue } from '../registry/json.js';
import type { Location } from '../registry/location.js';
import { detectMediaType } from '../registry/oci-layout.js';
import { isIndexType, MediaType, type Descriptor, type Index, type Manifest, type Platform } from '../registry/types.js';
import { formatPlatform as formatAll } from '../flags/platform.js';
import { parseAnnotationKey } from './annotations.js';
import { formatPlatform, matchesAny, normalize, toFlagPlatform } from './platforms.js';
import { ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE, type Resolver } from './resolver.js';

export const ARTIFACT_ATTESTATION_MANIFEST = 'application/vnd.docker.attestation.manifest.v1+json';

export interface Source {
  ref: Location;
  desc: Descriptor;
}

/** A manifest of the result and the source it is copied from. */
export interface DescWithSource {
  desc: Descriptor;
  source: Source;
}

export interface Combined {
  bytes: Buffer;
  desc: Descriptor;
  /** Undefined only when one single-platform source is pushed as it is. */
  manifests?: DescWithSource[];
}

function digestOf(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

async function loadPlatform(r: Resolver, loc: Location, p: Platform, dt: Buffer): Promise<void> {
  const mfst = JSON.parse(dt.toString()) as Manifest;
  const cfg = normalize(await r.getJSON<Platform>(loc, mfst.config));
  if (!p.architecture) {
    p.architecture = cfg.architecture;
    if (!p.variant && cfg.variant) p.variant = cfg.variant;
  }
  if (!p.os) p.os = cfg.os;
}

interface Unfiltered {
  bytes: Buffer;
  desc: Descriptor;
  sources?: Map<string, Source>;
}

async function combineSources(r: Resolver, srcs: Source[], ann: Record<string, string>, preferIndex: boolean): Promise<Unfiltered> {
  const dts = await Promise.all(srcs.map(async (src) => {
    const dt = await r.get(src.ref, src.desc);
    if (!src.desc.mediaType) src.desc.mediaType = detectMediaType(dt);
    const mt = src.desc.mediaType;
    if (mt === MediaType.dockerManifest || mt === MediaType.ociManifest) {
      const p: Platform = src.desc.platform ? { ...src.desc.platform } : { architecture: '', os: '' };
      if (!p.os || !p.architecture) await loadPlatform(r, src.ref, p, dt);
      src.desc.platform = p;
    } else if (mt === MediaType.dockerSchema1Manifest) {
      throw new Error('schema1 manifests are not allowed in manifest lists');
    }
    return dt;
  }));

  const annKeys = Object.keys(ann);
  if (srcs.length === 1 && annKeys.length === 0) {
    const only = srcs[0]!;
    if (isIndexType(only.desc.mediaType)) return { bytes: dts[0]!, desc: only.desc, sources: new Map([[only.desc.digest, only]]) };
    if (!preferIndex) return { bytes: dts[0]!, desc: only.desc };
  }

  const positions = new Map<string, number>();
  const sources = new Map<string, Source>();
  const descs: Descriptor[] = [];
  const add = (d: Descriptor, src: Source) => {
    const at = positions.get(d.digest);
    if (at === undefined) {
      positions.set(d.digest, descs.length);
      descs.push({ ...d });
    } else {
      const old = descs[at]!;
      if (!old.mediaType) old.mediaType = d.mediaType;
      if (d.platform) old.platform = d.platform;
      old.annotations = { ...old.annotations, ...d.annotations };
    }
    sources.set(d.digest, src);
  };
  srcs.forEach((src, i) => {
    if (isIndexType(src.desc.mediaType)) {
      for (const d of (JSON.parse(dts[i]!.toString()) as Index).manifests ?? []) add(d, src);
    } else add(src.desc, src);
  });

  const allDocker = descs.every((d) => d.mediaType.startsWith('application/vnd.docker.'));
  const mt = allDocker ? MediaType.dockerManifestList : MediaType.ociIndex;
  const indexAnnotations: Record<string, string> = {};
  // Docker manifest lists carry no annotations: buildx drops them silently there.
  if (mt === MediaType.ociIndex) {
    for (const raw of annKeys) {
      const k = parseAnnotationKey(raw);
      const v = ann[raw]!;
      switch (k.type) {
        case 'index': indexAnnotations[k.key] = v; break;
        case 'manifest-descriptor':
          for (const d of descs) {
            d.annotations ??= {};
            if (!k.platform || formatAll(toFlagPlatform(k.platform)) === formatPlatform(d.platform ?? { architecture: '', os: '' })) d.annotations[k.key] = v;
          }
          break;
        case 'manifest': case '':
          throw new Error(`"${k.type}" annotations are not supported yet`);
        case 'index-descriptor':
          throw new Error(`"${k.type}" annotations are invalid while creating an image`);
      }
    }
  }
  const bytes = Buffer.from(goMarshalIndent(indexValue({ schemaVersion: 2, mediaType: mt, manifests: descs, annotations: indexAnnotations })));
  return { bytes, desc: { mediaType: mt, digest: digestOf(bytes), size: bytes.length }, sources };
}

function sourceFor(sources: Map<string, Source> | undefined, digest: string, indexDigest: string): Source {
  const s = sources?.get(digest) ?? sources?.get(indexDigest);
  if (!s) throw new Error(`internal error: no source found for ${digest}`);
  return s;
}

async function filterPlatforms(r: Resolver, u: Unfiltered, wanted: Platform[]): Promise<Combined> {
  const match = (p: Platform) => wanted.length === 0 || matchesAny(wanted, p);
  if (!isIndexType(u.desc.mediaType)) {
    if (!u.desc.platform) throw new Error('cannot filter platforms from a manifest without platform information');
    if (!match(u.desc.platform)) throw new Error(`input platform ${formatPlatform(u.desc.platform)} does not match any of the provided platforms`);
    return { bytes: u.bytes, desc: u.desc };
  }
  const idx = JSON.parse(u.bytes.toString()) as Index;
  const manifests = idx.manifests ?? [];
  const byDigest = new Map(manifests.map((m) => [m.digest, m]));
  const references = new Map<string, Descriptor>();
  const matched = new Set<string>();
  for (const m of manifests) {
    if (!m.platform || match(m.platform)) matched.add(m.digest);
    if (m.annotations?.[REFERENCE_TYPE] !== ATTESTATION_MANIFEST) continue;
    const subject = byDigest.get(m.annotations[REFERENCE_DIGEST] ?? '');
    if (subject && (!subject.platform || match(subject.platform))) references.set(m.digest, subject);
  }
  const kept: Descriptor[] = [];
  const withSource: DescWithSource[] = [];
  for (const m of manifests) {
    if (references.has(m.digest) || !m.platform || match(m.platform)) {
      kept.push(m);
      withSource.push({ desc: m, source: sourceFor(u.sources, m.digest, u.desc.digest) });
    }
  }
  if (kept.length === 0) throw new Error('none of the manifests match the provided platforms');

  // An attestation manifest kept as a referrer of the subject joins the index in the usual form.
  let addedRef = false;
  const subjects = new Set([...references.values()].map((s) => s.digest));
  for (const d of matched) {
    if (references.has(d) || subjects.has(d)) continue;
    const src = sourceFor(u.sources, d, u.desc.digest);
    let refs: Descriptor[];
    try {
      refs = await r.referrers(src.ref, d, [ARTIFACT_ATTESTATION_MANIFEST]);
    } catch (err) {
      if (err instanceof NotFoundError) continue;
      throw err;
    }
    const ref = refs.find((x) => !references.has(x.digest));
    if (!ref) continue;
    const { artifactType: _drop, ...rest } = ref;
    void _drop;
    kept.push({ ...rest, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { ...ref.annotations, [REFERENCE_TYPE]: ATTESTATION_MANIFEST, [REFERENCE_DIGEST]: d } });
    addedRef = true;
  }
  if (kept.length === manifests.length && !addedRef) return { bytes: u.bytes, desc: u.desc, manifests: withSource };
  const bytes = Buffer.from(goMarshalIndent(indexValue({ ...idx, manifests: kept })));
  const desc: Descriptor = { mediaType: u.desc.mediaType, digest: digestOf(bytes), size: bytes.length };
  if (u.desc.annotations) desc.annotations = u.desc.annotations;
  return { bytes, desc, manifests: withSource };
}

/** Combine as buildx does it; `annotations` are keyed as BuildKit's AnnotationKey.String(). */
export async function combine(r: Resolver, srcs: Source[], annotations: Record<string, string>, preferIndex: boolean, platforms: Platform[] = []): Promise<Combined> {
  return filterPlatforms(r, await combineSources(r, srcs, annotations, preferIndex), platforms);
}

