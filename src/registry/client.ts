// The distribution API for one registry repository, as containerd's docker resolver, fetcher and
// pusher use it: resolve a tag or digest (HEAD, GET when the registry gives no digest), fetch manifests
// and blobs (blobs streamed), check, mount and upload blobs, put manifests, list referrers.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Authorizer } from './auth.js';
import { NotFoundError, UnexpectedStatusError } from './errors.js';
import { registryEndpoints, type RegistryEndpoint } from './hosts.js';
import type { RegistryLocation } from './location.js';
import type { RegistryHostConfig } from './options.js';
import { send, type RegistryRequest, type RegistryResponse } from './transport.js';
import { isIndexType, isManifestType, MediaType, type Descriptor, type Index } from './types.js';

/** What containerd accepts when resolving a reference. */
export const RESOLVE_ACCEPT = [MediaType.dockerManifest, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.ociIndex, '*/*'].join(', ');

/** containerd refuses larger manifests when resolving. */
const MAX_MANIFEST_SIZE = 4 << 20;

function manifestMediaType(res: Response): string {
  let ct = res.headers.get('content-type') ?? '';
  const semi = ct.indexOf(';');
  if (semi >= 0) ct = ct.slice(0, semi);
  return ct === 'text/plain' ? MediaType.dockerSchema1Manifest : ct;
}

async function unexpected(r: RegistryResponse, method: string): Promise<UnexpectedStatusError> {
  const body = method === 'HEAD' ? '' : await r.res.text().catch(() => '');
  return new UnexpectedStatusError(r.res.status, r.res.statusText, method, r.url, body.slice(0, 64000));
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export function isManifestDescriptor(mt: string): boolean {
  return isManifestType(mt) || isIndexType(mt) || mt === MediaType.dockerSchema1Manifest;
}

export class RepositoryClient {
  readonly endpoints: RegistryEndpoint[];
  readonly repo: string;

  constructor(readonly loc: RegistryLocation, private readonly authz: Authorizer, config: Record<string, RegistryHostConfig> | undefined, private readonly signal?: AbortSignal) {
    this.endpoints = registryEndpoints(loc.domain, config);
    this.repo = loc.repository;
  }

  private scopes(push: boolean, extra: string[] = []): string[] {
    return [`repository:${this.repo}:pull${push ? ',push' : ''}`, ...extra];
  }

  private send(req: Omit<RegistryRequest, 'signal'>, endpoints = this.endpoints): Promise<RegistryResponse> {
    return send(endpoints, this.authz, { ...req, signal: this.signal });
  }

  /** The descriptor a tag or digest of this repository names (containerd's Resolve). */
  async resolve(loc: RegistryLocation = this.loc): Promise<Descriptor> {
    const ref = loc.toString();
    const reference = loc.digest() || loc.tag();
    const path = `/v2/${this.repo}/manifests/${reference}`;
    const headers = { accept: RESOLVE_ACCEPT };
    let firstErr: Error | undefined;
    for (const ep of this.endpoints) {
      let r: RegistryResponse;
      try {
        r = await this.send({ method: 'HEAD', path, scopes: this.scopes(false), headers }, [ep]);
      } catch (err) {
        firstErr ??= err as Error;
        continue;
      }
      const { res } = r;
      if (res.status === 404) {
        firstErr = new NotFoundError(`${ref}: not found`);
        continue;
      }
      if (res.status > 299) throw await unexpected(r, 'HEAD');
      let digest = loc.digest();
      let mediaType = manifestMediaType(res);
      const len = res.headers.get('content-length');
      let size = len === null ? -1 : Number(len);
      const header = res.headers.get('docker-content-digest') ?? '';
      if (!digest && header && size !== -1) digest = header;
      if (!digest || size === -1) {
        const g = await this.send({ method: 'GET', path, scopes: this.scopes(false), headers }, [ep]);
        if (g.res.status >= 400) throw await unexpected(g, 'GET');
        mediaType = manifestMediaType(g.res);
        const body = Buffer.from(await g.res.arrayBuffer());
        if (!digest) digest = sha256(body);
        size = body.length;
      }
      if (size > MAX_MANIFEST_SIZE) {
        firstErr = new NotFoundError(`rejecting ${size} byte manifest for ${ref}: not found`);
        continue;
      }
      return { mediaType, digest, size };
    }
    throw firstErr ?? new NotFoundError(`${ref}: not found`);
  }

  private contentPath(desc: Descriptor): string {
    return `/v2/${this.repo}/${isManifestDescriptor(desc.mediaType) ? 'manifests' : 'blobs'}/${desc.digest}`;
  }

  /** The content of `desc` as a stream (containerd's Fetch); manifests by the manifests endpoint. */
  async fetch(desc: Descriptor): Promise<Readable> {
    const accept = desc.mediaType ? `${desc.mediaType}, */*` : '*/*';
    const r = await this.send({ method: 'GET', path: this.contentPath(desc), scopes: this.scopes(false), headers: { accept } });
    if (r.res.status === 404) {
      await r.res.body?.cancel();
      throw new NotFoundError(`content at ${r.url} not found: not found`);
    }
    if (r.res.status > 299) throw await unexpected(r, 'GET');
    return r.res.body ? Readable.fromWeb(r.res.body as import('node:stream/web').ReadableStream) : Readable.from([]);
  }

  /** Small content (manifests, configs, attestations) in memory, checked against its digest. */
  async fetchBytes(desc: Descriptor): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.fetch(desc)) chunks.push(c as Buffer);
    const b = Buffer.concat(chunks);
    if (desc.digest.startsWith('sha256:') && sha256(b) !== desc.digest) {
      throw new Error(`unexpected commit digest ${sha256(b)}, expected ${desc.digest}: failed precondition`);
    }
    return b;
  }

  /** Whether the repository already holds `desc` (HEAD on its endpoint, push scope as the pusher asks). */
  async exists(desc: Descriptor): Promise<boolean> {
    const r = await this.send({ method: 'HEAD', path: this.contentPath(desc), scopes: this.scopes(true), headers: isManifestDescriptor(desc.mediaType) ? { accept: desc.mediaType } : {} });
    await r.res.body?.cancel();
    if (r.res.status === 404) return false;
    if (r.res.status > 299) throw await unexpected(r, 'HEAD');
    return true;
  }

  /**
   * Starts an upload of `desc`, first as a cross-repository mount from `from` when given. Returns
   * undefined when the mount made the blob exist, else the upload's Location.
   */
  private async startUpload(desc: Descriptor, from?: string): Promise<string | undefined> {
    const base = `/v2/${this.repo}/blobs/uploads/`;
    const path = from ? `${base}?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}` : base;
    const scopes = this.scopes(true, from ? [`repository:${from}:pull`] : []);
    const r = await this.send({ method: 'POST', path, scopes });
    await r.res.body?.cancel();
    if (r.res.status === 201) return undefined;
    if (r.res.status !== 202) throw await unexpected(r, 'POST');
    const loc = r.res.headers.get('location');
    if (!loc) throw new Error('invalid upload response: missing Location header');
    return new URL(loc, r.url).toString();
  }

  /**
   * Puts a blob: a mount from `from` when the registry takes it, else an upload of `open()`'s stream
   * (one monolithic PUT, as containerd's pusher sends it).
   */
  async pushBlob(desc: Descriptor, open: () => Promise<Readable>, from?: string): Promise<void> {
    if (await this.exists(desc)) return;
    const location = await this.startUpload(desc, from);
    if (location === undefined) return;
    const u = new URL(location);
    u.searchParams.set('digest', desc.digest);
    const body = await open();
    let used = false;
    const r = await this.send({
      method: 'PUT', path: u.toString(), scopes: this.scopes(true),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: () => {
        if (used) throw new Error(`blob ${desc.digest} cannot be sent twice`);
        used = true;
        return body;
      },
    });
    await r.res.body?.cancel();
    if (r.res.status !== 201 && r.res.status !== 204) throw await unexpected(r, 'PUT');
  }

  /** Puts manifest bytes under a tag or digest. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<void> {
    const r = await this.send({ method: 'PUT', path: `/v2/${this.repo}/manifests/${reference}`, scopes: this.scopes(true), headers: { 'content-type': mediaType }, body: bytes });
    await r.res.body?.cancel();
    if (r.res.status !== 201 && r.res.status !== 200 && r.res.status !== 204) throw await unexpected(r, 'PUT');
  }

  /**
   * Manifests that name `digest` as their subject: the referrers API, else the `sha256-<hex>` tag
   * schema; NotFoundError when neither has any.
   */
  async referrers(digest: string, artifactTypes: string[] = []): Promise<Descriptor[]> {
    const eps = this.endpoints.filter((e) => e.referrers);
    if (eps.length === 0) throw new NotFoundError(`referrers for ${digest}: not found`);
    const q = artifactTypes.map((t) => `artifactType=${encodeURIComponent(t)}`).join('&');
    const accept = { accept: MediaType.ociIndex };
    let r = await this.send({ method: 'GET', path: `/v2/${this.repo}/referrers/${digest}${q ? `?${q}` : ''}`, scopes: this.scopes(false), headers: accept }, eps);
    if (r.res.status === 404 || r.res.status === 400 || r.res.status === 405) {
      await r.res.body?.cancel();
      r = await this.send({ method: 'GET', path: `/v2/${this.repo}/manifests/${digest.replace(':', '-')}`, scopes: this.scopes(false), headers: accept }, eps);
    }
    if (r.res.status === 404) {
      await r.res.body?.cancel();
      throw new NotFoundError(`referrers for ${digest}: not found`);
    }
    if (r.res.status > 299) throw await unexpected(r, 'GET');
    const idx = (await r.res.json()) as Index;
    const all = idx.manifests ?? [];
    return artifactTypes.length ? all.filter((d) => artifactTypes.includes(d.artifactType ?? '')) : all;
  }
}
