// The ImageTools facade: one registry resolver (auth cached per host and scope) behind combine and push.
import type { Location } from '../registry/location.js';
import type { RegistryOptions } from '../registry/options.js';
import type { Descriptor } from '../registry/types.js';

export interface CombineSource {
  ref: Location;
  desc: Descriptor;
}

export interface CombineResult {
  bytes: Buffer;
  desc: Descriptor;
}

export class ImageTools {
  constructor(readonly opts: RegistryOptions) {}

  /** Combines sources into one index (buildx's Combine, preferIndex as buildx), returns its bytes and descriptor. */
  async combine(sources: CombineSource[], annotations: Record<string, string>, preferIndex: boolean): Promise<CombineResult> {
    void sources; void annotations; void preferIndex;
    throw new Error('imagetools: combine is not implemented yet');
  }

  /** Pushes the manifest bytes to the target (tag or digest), copying/mounting every referenced blob and child manifest from the sources' repositories first. */
  async push(target: Location, desc: Descriptor, bytes: Buffer): Promise<void> {
    void target; void desc; void bytes;
    throw new Error('imagetools: push is not implemented yet');
  }
}
