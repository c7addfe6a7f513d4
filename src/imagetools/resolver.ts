// One place that reads content wherever a location points: a registry repository (through one shared
// authorizer, so tokens are fetched once per host and scope) or an OCI layout directory.
import type { Readable } from 'node:stream';
import { Authorizer } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import type { Location, OCILayoutLocation, RegistryLocation } from '../registry/location.js';
import { OCILayoutStore } from '../registry/oci-layout.js';
import type { RegistryOptions } from '../registry/options.js';
import { isIndexType, type Descriptor } from '../registry/types.js';
import { findLayoutReferrers, PendingReferrers } from './layout-referrers.js';

export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export { REFERENCE_DIGEST } from './layout-referrers.js';

export class Resolver {
  readonly authz: Authorizer;
  private readonly clients = new Map<string, RepositoryClient>();
  private readonly stores = new Map<string, OCILayoutStore>();
  /** Referrers copied into layouts, written to their index.json when a manifest is published there. */
  readonly pendingReferrers = new PendingReferrers();

  constructor(readonly opts: RegistryOptions) {
    this.authz = new Authorizer(opts);
  }

  repository(loc: RegistryLocation): RepositoryClient {
    const key = loc.name();
    let c = this.clients.get(key);
    if (!c) {
      c = new RepositoryClient(loc, this.authz, this.opts.registryConfig, this.opts.signal);
      this.clients.set(key, c);
    }
    return c;
  }

  layout(loc: OCILayoutLocation): OCILayoutStore {
    let s = this.stores.get(loc.name());
    if (!s) {
      s = new OCILayoutStore(loc.name());
      this.stores.set(loc.name(), s);
    }
    return s;
  }

  /** The descriptor a tag or digest names. */
  async resolve(loc: Location): Promise<Descriptor> {
    return loc.isOCILayout() ? this.layout(loc).resolve(loc) : this.repository(loc as RegistryLocation).resolve(loc as RegistryLocation);
  }

  /** Small content (manifests, configs, attestation layers) in memory. */
  async get(loc: Location, desc: Descriptor): Promise<Buffer> {
    return loc.isOCILayout() ? this.layout(loc).read(desc) : this.repository(loc as RegistryLocation).fetchBytes(desc);
  }

  /** Any content, streamed (layers). */
  async open(loc: Location, desc: Descriptor): Promise<Readable> {
    return loc.isOCILayout() ? this.layout(loc).open(desc) : this.repository(loc as RegistryLocation).fetch(desc);
  }

  async getJSON<T>(loc: Location, desc: Descriptor): Promise<T> {
    return JSON.parse((await this.get(loc, desc)).toString()) as T;
  }

  /** Manifests naming `digest` as their subject; NotFoundError when none. */
  async referrers(loc: Location, digest: string, artifactTypes: string[] = []): Promise<Descriptor[]> {
    if (!loc.isOCILayout()) return this.repository(loc as RegistryLocation).referrers(digest, artifactTypes);
    return findLayoutReferrers(this.layout(loc), digest, artifactTypes);
  }
}

export { isIndexType };
