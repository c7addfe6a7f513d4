// Copying a manifest with everything it references (children, config, layers, and referrers of the
// artifact types buildx carries) from a source location to a target repository or OCI layout, as
// buildx's CopyChain does: blobs go by cross-repository mount when both sides are repositories on one
// registry, else streamed through; content already there is skipped; each digest is copied once.
// Referrers copied into an OCI layout are remembered, to be listed in its index.json on publishing.
import type { Readable } from 'node:stream';
import { isNotFound } from '../registry/errors.js';
import type { Location, RegistryLocation } from '../registry/location.js';
import { isIndexType, isManifestType, type Descriptor, type Index, type Manifest } from '../registry/types.js';
import { ARTIFACT_ATTESTATION_MANIFEST } from './combine.js';
import type { Resolver } from './resolver.js';

const COPIED_ARTIFACT_TYPES = [
  ARTIFACT_ATTESTATION_MANIFEST,
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
];

/** A target for copies; one per destination so concurrent copies share its in-flight set. */
export class Ingester {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly r: Resolver, readonly dest: Location) {}

  /** Runs `fn` once per digest, later callers waiting on the first. */
  once(digest: string, fn: () => Promise<void>): Promise<void> {
    let p = this.inflight.get(digest);
    if (!p) {
      p = fn();
      this.inflight.set(digest, p);
    }
    return p;
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    if (this.dest.isOCILayout()) return this.r.layout(this.dest).has(desc.digest);
    return this.r.repository(this.dest as RegistryLocation).exists(desc);
  }

  async putManifest(desc: Descriptor, bytes: Buffer): Promise<void> {
    if (this.dest.isOCILayout()) return this.r.layout(this.dest).write(desc, bytes);
    return this.r.repository(this.dest as RegistryLocation).putManifest(desc.digest, desc.mediaType, bytes);
  }

  async putBlob(desc: Descriptor, from: Location): Promise<void> {
    const open = (): Promise<Readable> => this.r.open(from, desc);
    if (this.dest.isOCILayout()) {
      const store = this.r.layout(this.dest);
      if (await store.has(desc.digest)) return;
      return store.write(desc, await open());
    }
    const dest = this.dest as RegistryLocation;
    const mountFrom = from.isRegistry() && (from as RegistryLocation).domain === dest.domain && from.name() !== dest.name()
      ? (from as RegistryLocation).repository : undefined;
    return this.r.repository(dest).pushBlob(desc, open, mountFrom);
  }
}

async function referrersOf(r: Resolver, from: Location, digest: string): Promise<Descriptor[]> {
  try {
    return await r.referrers(from, digest, COPIED_ARTIFACT_TYPES);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** Copies `desc` and what it references from `from` into the ingester's destination. */
export async function copyChain(r: Resolver, ing: Ingester, from: Location, desc: Descriptor): Promise<void> {
  return ing.once(desc.digest, async () => {
    if (!isIndexType(desc.mediaType) && !isManifestType(desc.mediaType)) return ing.putBlob(desc, from);
    const bytes = await r.get(from, desc);
    const children: Descriptor[] = [];
    if (isIndexType(desc.mediaType)) children.push(...((JSON.parse(bytes.toString()) as Index).manifests ?? []));
    else {
      const m = JSON.parse(bytes.toString()) as Manifest;
      children.push(m.config, ...(m.layers ?? []));
    }
    await Promise.all(children.map((c) => copyChain(r, ing, from, c)));
    if (!(await ing.hasManifest(desc))) await ing.putManifest(desc, bytes);
    const refs = await referrersOf(r, from, desc.digest);
    if (ing.dest.isOCILayout()) r.pendingReferrers.record(ing.dest.name(), desc.digest, refs);
    for (const ref of refs) await copyChain(r, ing, from, ref);
  });
}
