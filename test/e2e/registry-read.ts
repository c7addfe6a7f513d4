// Reading what a build pushed, straight from the local registry's HTTP API (no client of ours in
// between): manifests and indexes by tag or digest, and files inside an image's newest layer.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface RegistryManifest {
  mediaType?: string;
  manifests?: RegistryDescriptor[];
  layers?: RegistryDescriptor[];
  config?: RegistryDescriptor;
}

/** `host/repo` and a tag or digest. */
function split(ref: string): { host: string; repo: string; reference: string } {
  const slash = ref.indexOf('/');
  const host = ref.slice(0, slash);
  const rest = ref.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repo: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon >= 0 ? { host, repo: rest.slice(0, colon), reference: rest.slice(colon + 1) } : { host, repo: rest, reference: 'latest' };
}

/** The manifest a ref names, its digest as the registry reports it, or undefined when it has none. */
export async function fetchManifest(ref: string): Promise<{ digest: string; manifest: RegistryManifest } | undefined> {
  const { host, repo, reference } = split(ref);
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { headers: { Accept: ACCEPT } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET ${ref}: ${res.status} ${await res.text()}`);
  return { digest: res.headers.get('docker-content-digest') ?? '', manifest: (await res.json()) as RegistryManifest };
}

export async function fetchBlob(repoRef: string, digest: string): Promise<Buffer> {
  const { host, repo } = split(repoRef);
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  if (!res.ok) throw new Error(`GET blob ${digest} of ${repoRef}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Files of a (gzip) tar layer, by path without a leading `./` or `/`. */
export async function tarFiles(layer: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name.replace(/^\.?\//, ''), Buffer.concat(chunks));
      next();
    });
  });
  const source = Readable.from([layer]);
  if (layer[0] === 0x1f && layer[1] === 0x8b) await pipeline(source, createGunzip(), ex);
  else await pipeline(source, ex);
  return files;
}

/** A file of the newest layer of the manifest for `platform` in the index at `ref`. */
export async function fileInPlatformImage(ref: string, platform: string, path: string): Promise<string | undefined> {
  const index = await fetchManifest(ref);
  const entry = index?.manifest.manifests?.find((m) => m.platform && [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/') === platform);
  if (!entry) return undefined;
  const repo = ref.replace(/[:@][^/]*$/, '');
  const manifest = await fetchManifest(`${repo}@${entry.digest}`);
  const top = manifest?.manifest.layers?.at(-1);
  if (!top) return undefined;
  return (await tarFiles(await fetchBlob(repo, top.digest))).get(path)?.toString('utf8');
}
