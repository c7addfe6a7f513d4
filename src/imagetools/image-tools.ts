// The ImageTools facade: one resolver (auth cached per host and scope) behind combine, copy and push.
// combine() remembers where each manifest of its result came from, so push() can copy them into the
// target repository before the index itself goes up (what the multi-node merge relies on).
import { combine, type DescWithSource, type Source } from './combine.js';
import { copyChain, Ingester } from './copy.js';
import { writePendingReferrers } from './layout-referrers.js';
import { Resolver } from './resolver.js';
import type { Location, RegistryLocation } from '../registry/location.js';
import type { RegistryOptions } from '../registry/options.js';
import { isIndexType, type Descriptor, type Index, type Platform } from '../registry/types.js';

export interface CombineSource {
  ref: Location;
  desc: Descriptor;
}

export interface CombineResult {
  bytes: Buffer;
  desc: Descriptor;
  /** The result's manifests and where each is copied from (absent for a single manifest pushed as is). */
  manifests?: DescWithSource[];
}

export class ImageTools {
  readonly resolver: Resolver;
  /** Child manifest digest → the source it is copied from, for every combine() so far. */
  private readonly origins = new Map<string, Source>();

  constructor(readonly opts: RegistryOptions) {
    this.resolver = new Resolver(opts);
  }

  /** The descriptor a location names. */
  resolve(loc: Location): Promise<Descriptor> {
    return this.resolver.resolve(loc);
  }

  /** Combines sources into one index (buildx's Combine, preferIndex as buildx), returns its bytes and descriptor. */
  async combine(sources: CombineSource[], annotations: Record<string, string>, preferIndex: boolean, platforms: Platform[] = []): Promise<CombineResult> {
    const srcs = sources.map((s) => ({ ref: s.ref, desc: { ...s.desc } }));
    const res = await combine(this.resolver, srcs, annotations, preferIndex, platforms);
    const manifests = res.manifests ?? [{ desc: res.desc, source: srcs[0]! }];
    for (const m of manifests) this.origins.set(m.desc.digest, m.source);
    return res;
  }

  /** Copies one manifest (and all it references) from its source into `dest`'s repository or layout. */
  async copy(source: CombineSource, dest: Location, ingester = new Ingester(this.resolver, dest)): Promise<void> {
    await copyChain(this.resolver, ingester, source.ref, source.desc);
  }

  /** An ingester for `dest`: copies sharing it push each digest once. */
  ingester(dest: Location): Ingester {
    return new Ingester(this.resolver, dest);
  }

  /** Pushes the manifest bytes to the target (tag or digest), copying/mounting every referenced blob and child manifest from the sources' repositories first. */
  async push(target: Location, desc: Descriptor, bytes: Buffer): Promise<void> {
    const ing = this.ingester(target);
    const children = isIndexType(desc.mediaType) ? (JSON.parse(bytes.toString()) as Index).manifests ?? [] : [];
    const own = this.origins.get(desc.digest);
    if (own && !isIndexType(desc.mediaType)) await this.copy({ ref: own.ref, desc }, target, ing);
    await Promise.all(children.map(async (c) => {
      const src = this.origins.get(c.digest);
      if (src) await this.copy({ ref: src.ref, desc: c }, target, ing);
    }));
    await this.pushManifest(target, desc, bytes);
  }

  /**
   * Puts only the manifest bytes (Resolver.Push): by digest, and under the target's tag when it has one.
   * In a layout, referrers copied there since the last publish get their own index.json entries.
   */
  async pushManifest(target: Location, desc: Descriptor, bytes: Buffer): Promise<void> {
    if (target.isOCILayout()) {
      target.validateTargetDigest(desc.digest);
      const store = this.resolver.layout(target);
      await store.write(desc, bytes);
      await store.put(desc, target.digest() ? undefined : target.tag() || 'latest');
      await writePendingReferrers(store, this.resolver.pendingReferrers.take(store.root));
      return;
    }
    const repo = this.resolver.repository(target as RegistryLocation);
    await repo.putManifest(target.tag() || desc.digest, desc.mediaType, bytes);
  }
}
