// One place that reads content wherever a location points: a registry repository (through one shared
// authorizer, so tokens are fetched once per host and scope) or an OCI layout directory.
import type { Readable } from 'node:stream';
import { Authorizer } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import { NotFoundError } from '../registry/errors.js';
import type { Location, OCILayoutLocation, RegistryLocation } from '../registry/location.js';
import { OCILayoutStore } from '../registry/oci-layout.js';
import type { RegistryOptions } from '../registry/options.js';
import { isIndexType, MediaType, type Descriptor, type Index, type Manifest } from '../registry/types.js';

export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export const SUBJECT_ANNOTATION = 'io.containerd.manifest.subject';

export class Resolver {
  readonly authz: Authorizer;
  private readonly clients = new Map<string, RepositoryClient>();
  private readonly stores = new Map<string, OCILayoutStore>();

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
    return this.layoutReferrers(loc, digest, artifactTypes);
  }

  /**
   * Referrers in a layout: entries reachable from its named roots that point at the subject (by
   * attestation annotation or `subject` field), plus index.json entries recorded with its subject.
   */
  private async layoutReferrers(loc: OCILayoutLocation, subject: string, artifactTypes: string[]): Promise<Descriptor[]> {
    const idx = await this.layout(loc).readIndex();
    const out = new Map<string, Descriptor>();
    const visited = new Set<string>();
    const walk = async (d: Descriptor): Promise<void> => {
      if (visited.has(d.digest)) return;
      visited.add(d.digest);
      if (d.annotations?.[REFERENCE_DIGEST] === subject) out.set(d.digest, d);
      if (d.mediaType === MediaType.ociIndex) {
        for (const c of (await this.getJSON<Index>(loc, d)).manifests ?? []) await walk(c);
      } else if (d.mediaType === MediaType.ociManifest) {
        if ((await this.getJSON<Manifest>(loc, d)).subject?.digest === subject) out.set(d.digest, d);
      }
    };
    for (const d of idx.manifests ?? []) if (!d.annotations?.[SUBJECT_ANNOTATION]) await walk(d);
    for (const d of idx.manifests ?? []) if (d.annotations?.[SUBJECT_ANNOTATION] === subject) out.set(d.digest, d);
    if (out.size === 0) throw new NotFoundError('not found');
    const refs = [...out.values()];
    return artifactTypes.length ? refs.filter((r) => artifactTypes.includes(r.artifactType ?? '')) : refs;
  }
}

export { isIndexType };
