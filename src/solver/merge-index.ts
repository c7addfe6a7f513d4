// The last step of a build split over several nodes: each node pushed its index by digest, and the
// client combines them into one index and pushes it to every name, as buildx's "merging manifest list"
// step does.
import { parseNormalizedNamed } from '../flags/index.js';
import { ImageTools, parseLocation, type Descriptor, type RegistryOptions } from '../imagetools/index.js';
import { BuildxError } from '../util/errors.js';
import type { IndexPush } from './multi-node.js';

const DESCRIPTOR_KEY = 'containerimage.descriptor';
const DIGEST_KEY = 'containerimage.digest';
const MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** The image a node reported: its descriptor, or (BuildKit before the descriptor key) just its digest. */
export function nodeImageDescriptor(response: Readonly<Record<string, string>>): Descriptor | undefined {
  const encoded = response[DESCRIPTOR_KEY];
  if (encoded !== undefined) {
    try {
      return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Descriptor;
    } catch {
      throw new BuildxError(`failed to unmarshal descriptor ${encoded}`);
    }
  }
  const digest = response[DIGEST_KEY];
  // For Docker media types the registry serves whichever manifest the digest names, whatever is asked.
  return digest ? { mediaType: MANIFEST_LIST, digest, size: -1 } : undefined;
}

/**
 * The exporter's index and index-descriptor annotations (`annotation-index.K`,
 * `annotation-manifest-descriptor[platform].K`), keyed as combine() takes them: as written.
 */
export function indexAnnotations(attrs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (/^annotation-(index|manifest-descriptor)(\[[^\]]*\])?\./.test(k)) out[k] = v;
  }
  return out;
}

export interface MergeOptions extends Pick<RegistryOptions, 'dockerConfigDir' | 'env' | 'signal' | 'registryConfig'> {
  /** The image exporter's attributes (its index annotations go on the merged index). */
  exportAttrs?: Readonly<Record<string, string>>;
}

/** Combines the nodes' images into one index, pushes it to every name; returns its digest. */
export async function mergeNodeImages(responses: readonly Readonly<Record<string, string>>[], push: IndexPush, opts: MergeOptions = {}): Promise<string | undefined> {
  const descs = responses.map(nodeImageDescriptor).filter((d): d is Descriptor => d !== undefined);
  if (descs.length === 0) return undefined;
  let registryConfig = opts.registryConfig;
  if (push.insecure) {
    const host = parseNormalizedNamed(push.names[0]!).domain;
    registryConfig = { ...registryConfig, [host]: { insecure: true, plainHTTP: true } };
  }
  const tools = new ImageTools({ dockerConfigDir: opts.dockerConfigDir, env: opts.env, signal: opts.signal, registryConfig });
  const ref = parseLocation(push.names[0]!);
  const { bytes, desc } = await tools.combine(descs.map((d) => ({ ref, desc: d })), indexAnnotations(opts.exportAttrs ?? {}), false);
  for (const name of push.names) await tools.push(parseLocation(name), desc, bytes);
  return desc.digest;
}
