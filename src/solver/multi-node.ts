// What changes in one node's solve when a build is split over several nodes: the frontend is told to
// make an index even for one platform, image pushes go by digest to tag-less names (the client then
// combines the nodes' indexes and pushes it to the tags), and archives that would each hold only part of
// the result are refused, as buildx refuses them.
//
// One change from buildx (buildx#1044): buildx gives every node the same registry cache target, so the
// last node to finish overwrites the others' cache. Here each node exports to a ref of its own, the
// target's tag suffixed with the node's platforms (`cache:main` → `cache:main-linux-arm64`), and imports
// from that ref besides the ones it was given, so a rerun is cached on every platform.
import { formatPlatform, parseNormalizedNamed, parsePlatform, parseReference, referenceName, type CacheEntry, type Reference } from '../flags/index.js';
import { parseGoBoolOptional } from '../util/go-strconv.js';
import { BuildxError } from '../util/errors.js';
import type { ExportRequest } from './build.js';

/** Where the nodes' results are combined into one index after they built. */
export interface IndexPush {
  /** The names as the user gave them (`-t`, `name=`), each receives the index. */
  names: string[];
  /** `registry.insecure=true` on the image output: the registry is reached over plain HTTP. */
  insecure: boolean;
  /** The image output's attributes (index annotations). */
  attrs: Readonly<Record<string, string>>;
}

const isTrue = (v: string | undefined): boolean => parseGoBoolOptional(v ?? '') === true;

/** buildx's check before anything is built: the engine pushes by itself and cannot push by digest. */
export function checkMultiNodeMobyPush(exports: readonly ExportRequest[]): void {
  if (exports.some((e) => e.type === 'moby' && isTrue(e.attrs['push']))) {
    throw new BuildxError("multi-node push can't currently be performed with the docker driver, please switch to a different driver");
  }
}

/** Repository names without tags or digests, normalized and each once. */
function repositoriesOnly(names: string): string {
  const out: string[] = [];
  for (const n of names.split(',')) {
    const repo = referenceName(parseNormalizedNamed(n));
    if (!out.includes(repo)) out.push(repo);
  }
  return out.join(',');
}

/** One node's exporters for a build split over several nodes, and the push the client completes. */
export function multiNodeExports(exports: readonly ExportRequest[]): { exports: ExportRequest[]; push?: IndexPush } {
  let push: IndexPush | undefined;
  const out = exports.map((e): ExportRequest => {
    if (e.type === 'oci' || e.type === 'tar') throw new BuildxError(`${e.type} for multi-node builds currently not supported`);
    if (e.type !== 'image' || push || !isTrue(e.attrs['push'])) return e;
    const names = e.attrs['name'] ?? '';
    if (names === '') throw new BuildxError('tag is needed when pushing to registry');
    push = { names: names.split(','), insecure: isTrue(e.attrs['registry.insecure']), attrs: e.attrs };
    return { ...e, attrs: { ...e.attrs, name: repositoriesOnly(names), 'push-by-digest': 'true' } };
  });
  return push ? { exports: out, push } : { exports: out };
}

/** `linux-arm64`, `linux-arm-v7`; several platforms joined with `_`. */
export function platformSuffix(platforms: readonly string[]): string {
  return platforms.map((p) => formatPlatform(parsePlatform(p)).replaceAll('/', '-')).join('_');
}

function suffixedRef(ref: string, suffix: string): string | undefined {
  let r: Reference;
  try {
    r = parseReference(ref);
  } catch {
    return undefined; // the daemon reports a bad ref as it always does
  }
  if (r.digest) return undefined; // a fixed cache image cannot be per node
  const tag = `${r.tag ?? 'latest'}-${suffix}`;
  return tag.length > 128 ? undefined : `${referenceName(r)}:${tag}`;
}

function perNodeEntry(e: CacheEntry, suffix: string): CacheEntry | undefined {
  if (e.type === 'registry' && e.attrs['ref']) {
    const ref = suffixedRef(e.attrs['ref'], suffix);
    return ref ? { ...e, attrs: { ...e.attrs, ref } } : undefined;
  }
  return undefined;
}

/** The cache of one node of a split build: exports to its own refs, imports from them first. */
export function multiNodeCache(cacheFrom: readonly CacheEntry[], cacheTo: readonly CacheEntry[], platforms: readonly string[]): { cacheFrom: CacheEntry[]; cacheTo: CacheEntry[] } {
  if (platforms.length === 0) return { cacheFrom: [...cacheFrom], cacheTo: [...cacheTo] };
  const suffix = platformSuffix(platforms);
  const from: CacheEntry[] = [];
  for (const e of cacheFrom) {
    const own = perNodeEntry(e, suffix);
    if (own) from.push(own);
    from.push(e);
  }
  const to = cacheTo.map((e) => perNodeEntry(e, suffix) ?? e);
  return { cacheFrom: from, cacheTo: to };
}
