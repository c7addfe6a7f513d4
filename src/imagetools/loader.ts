// What `imagetools inspect --format` reads: every manifest below the named one, each image's config by
// platform, and (on demand) the provenance and SBOM predicates of its attestation manifests, as
// buildx's loader finds them (attestations are manifests whose index descriptor names a subject).
import type { Location } from '../registry/location.js';
import { isIndexType, isManifestType, type Descriptor, type Index, type Manifest, type Platform } from '../registry/types.js';
import { formatPlatform, normalize } from './platforms.js';
import type { Resolver } from './resolver.js';

const REFERENCE_ANNOTATIONS = ['com.docker.reference.digest', 'vnd.docker.reference.digest'];
const IN_TOTO = 'application/vnd.in-toto+json';
const PREDICATE_TYPE = 'in-toto.io/predicate-type';
const SPDX = 'https://spdx.dev/Document';
const SLSA_PREFIX = 'https://slsa.dev/provenance/';
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** JSON decoded as Go decodes into `any`: objects become Maps, so they re-encode with sorted keys. */
export type GoAny = string | number | boolean | null | GoAny[] | Map<string, GoAny>;

export function toGoAny(v: unknown): GoAny {
  if (Array.isArray(v)) return v.map(toGoAny);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toGoAny(x)]));
  return v as GoAny;
}

export interface SBOMStub {
  SPDX?: GoAny;
  AdditionalSPDXs?: GoAny[];
}

export interface ProvenanceStub {
  SLSA?: GoAny;
}

export interface LoadedManifest {
  desc: Descriptor;
  manifest: Manifest;
}

export interface LoadResult {
  manifests: Map<string, LoadedManifest>;
  /** Formatted platform → image manifest digest. */
  images: Map<string, string>;
  /** Subject digest → its attestation manifests' digests. */
  refs: Map<string, string[]>;
  /** Sorted. */
  platforms: string[];
  configs: Map<string, Record<string, unknown>>;
  provenance(): Promise<Map<string, ProvenanceStub>>;
  sbom(): Promise<Map<string, SBOMStub>>;
}

function isInTotoDSSE(mt: string): boolean {
  return /application\/vnd\.in-toto\..*\+dsse/.test(mt);
}

function isInToto(mt: string): boolean {
  return mt === IN_TOTO || isInTotoDSSE(mt);
}

async function predicate(r: Resolver, loc: Location, layer: Descriptor): Promise<GoAny> {
  let dt = await r.get(loc, layer);
  if (isInTotoDSSE(layer.mediaType)) dt = Buffer.from((JSON.parse(dt.toString()) as { payload?: string }).payload ?? '', 'base64');
  return toGoAny((JSON.parse(dt.toString()) as { predicate?: unknown }).predicate ?? null);
}

export async function load(r: Resolver, loc: Location): Promise<LoadResult> {
  const root = await r.resolve(loc);
  const manifests = new Map<string, LoadedManifest>();
  const images = new Map<string, string>();
  const refs = new Map<string, string[]>();

  const visit = async (desc: Descriptor): Promise<void> => {
    if (isManifestType(desc.mediaType)) {
      const manifest = await r.getJSON<Manifest>(loc, desc);
      manifests.set(desc.digest, { desc, manifest });
      const refKey = REFERENCE_ANNOTATIONS.find((k) => desc.annotations?.[k] !== undefined);
      if (refKey) {
        const subject = desc.annotations![refKey]!;
        if (!DIGEST_RE.test(subject)) throw new Error('invalid checksum digest format');
        refs.set(subject, [...(refs.get(subject) ?? []), desc.digest]);
        return;
      }
      let p = desc.platform;
      if (!p) {
        const c = await r.getJSON<Platform>(loc, manifest.config);
        p = { os: c.os ?? '', architecture: c.architecture ?? '', ...(c.variant ? { variant: c.variant } : {}) };
      }
      images.set(formatPlatform(normalize(p)), desc.digest);
    } else if (isIndexType(desc.mediaType)) {
      const idx = await r.getJSON<Index>(loc, desc);
      await Promise.all((idx.manifests ?? []).map(visit));
    }
  };
  await visit(root);

  const platforms = [...images.keys()].sort();
  const configs = new Map<string, Record<string, unknown>>();
  for (const p of platforms) {
    const m = manifests.get(images.get(p)!);
    if (!m) throw new Error(`image ${p} not found`);
    configs.set(p, await r.getJSON<Record<string, unknown>>(loc, m.manifest.config));
  }

  const layersOf = (subject: string, want: (predicateType: string) => boolean): Descriptor[] => {
    const out: Descriptor[] = [];
    for (const d of refs.get(subject) ?? []) {
      const m = manifests.get(d);
      if (!m) throw new Error(`referenced image ${d} not found`);
      for (const l of m.manifest.layers ?? []) if (isInToto(l.mediaType) && want(l.annotations?.[PREDICATE_TYPE] ?? '')) out.push(l);
    }
    return out;
  };

  return {
    manifests, images, refs, platforms, configs,
    async provenance() {
      const res = new Map<string, ProvenanceStub>();
      for (const p of platforms) {
        const dgst = images.get(p)!;
        let found: ProvenanceStub | undefined;
        // The last attestation manifest with a provenance layer wins; within one, its first such layer.
        for (const d of refs.get(dgst) ?? []) {
          const layer = layersOf(dgst, (t) => t.startsWith(SLSA_PREFIX)).find((l) => (manifests.get(d)?.manifest.layers ?? []).includes(l));
          if (layer) found = { SLSA: await predicate(r, loc, layer) };
        }
        if (found) res.set(p, found);
      }
      return res;
    },
    async sbom() {
      const res = new Map<string, SBOMStub>();
      for (const p of platforms) {
        const layers = layersOf(images.get(p)!, (t) => t === SPDX);
        if (layers.length === 0) continue;
        const preds = await Promise.all(layers.map((l) => predicate(r, loc, l)));
        const stub: SBOMStub = { SPDX: preds[0]! };
        if (preds.length > 1) stub.AdditionalSPDXs = preds.slice(1);
        res.set(p, stub);
      }
      return res;
    },
  };
}
