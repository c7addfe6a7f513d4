// `--cache-to type=local,dest=DIR` / `--cache-from type=local,src=DIR`: the directory is a content store
// the session serves to the daemon (`local:<dir>`, the path exactly as given). The client side does what
// BuildKit's Go client does around the solve: an import is pinned to the digest its tag names in
// index.json (and skipped when there is none), an export's index.json names the new cache manifest
// after the build.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildxError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { goStrerror } from '../util/go-errno.js';
import type { CacheEntry } from '../flags/index.js';
import { LocalContentStore } from '../session/content-store.js';
import { findTagged } from '../registry/oci-index.js';
import { mergeIndex, REF_NAME_ANNOTATION, type Descriptor, type ImageIndex } from './oci-layout.js';

export const STORE_PREFIX = 'local:';

export interface LocalCaches {
  /** Imports to send: local ones pinned to a digest, unusable ones left out. */
  cacheFrom: CacheEntry[];
  cacheTo: CacheEntry[];
  /** Content stores to serve, by store id. */
  stores: Map<string, LocalContentStore>;
  /** Why a local import was left out (BuildKit's client logs these as warnings). */
  warnings: string[];
  /** Records the exported cache manifest in each export directory's index.json. */
  finish(exporterResponse: Readonly<Record<string, string>>): Promise<void>;
}

async function readIndex(dir: string): Promise<ImageIndex> {
  const path = join(dir, 'index.json');
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`could not read ${path}: open ${path}: ${goStrerror(err.code ?? '') ?? err.message}`);
  });
  try {
    const idx = JSON.parse(text) as ImageIndex;
    if (idx === null || typeof idx !== 'object') throw new Error('not an object');
    return idx;
  } catch {
    throw new Error(`could not unmarshal ${path} (${JSON.stringify(text.slice(0, 200))})`);
  }
}

/** The index entry a tag names: an image name first, then a reference name. */
export function findTag(index: ImageIndex, tag: string): Descriptor | undefined {
  return findTagged(index.manifests ?? [], tag);
}

/** Fields in the order Go's OCI descriptor struct marshals them, so index.json reads as the Go client writes it. */
function goDescriptorOrder(d: Descriptor): Descriptor {
  const { mediaType, digest, size, urls, annotations, data, platform, artifactType, ...rest } = d;
  const ordered: Record<string, unknown> = { mediaType, digest, size, urls, annotations, data, platform, artifactType, ...rest };
  for (const k of Object.keys(ordered)) if (ordered[k] === undefined) delete ordered[k];
  return ordered as Descriptor;
}

export async function prepareLocalCaches(cacheFrom: readonly CacheEntry[], cacheTo: readonly CacheEntry[]): Promise<LocalCaches> {
  const stores = new Map<string, LocalContentStore>();
  const exportTags = new Map<string, string>();
  const warnings: string[] = [];
  const exports: CacheEntry[] = [];
  for (const e of cacheTo) {
    if (e.type === 'local') {
      const dest = e.attrs['dest'] ?? '';
      if (dest === '') throw new BuildxError('local cache exporter requires dest');
      await mkdir(dest, { recursive: true });
      const store = new LocalContentStore(dest);
      await store.init();
      stores.set(STORE_PREFIX + dest, store);
      exportTags.set(dest, e.attrs['tag'] ?? 'latest');
    }
    exports.push(e);
  }
  const imports: CacheEntry[] = [];
  for (const e of cacheFrom) {
    if (e.type !== 'local') {
      imports.push(e);
      continue;
    }
    const src = e.attrs['src'] ?? '';
    if (src === '') throw new BuildxError('local cache importer requires src');
    const attrs = { ...e.attrs };
    const store = new LocalContentStore(src);
    if (!attrs['digest']) {
      const tag = attrs['tag'] ?? 'latest';
      if (tag === '') throw new BuildxError('local cache importer requires either explicit digest, "latest" tag or custom tag on index.json');
      let desc: Descriptor | undefined;
      try {
        desc = findTag(await readIndex(src), tag);
      } catch (err) {
        warnings.push(`local cache import at ${src} skipped due to err: ${(err as Error).message}`);
        continue;
      }
      if (!desc) {
        warnings.push(`local cache import at ${src} skipped: no digest found for tag ${tag}`);
        continue;
      }
      attrs['digest'] = desc.digest;
    }
    try {
      await store.info(attrs['digest']!);
    } catch (err) {
      warnings.push(`local cache import at ${src} skipped: digest ${attrs['digest']} unavailable: ${(err as Error).message}`);
      continue;
    }
    if (!stores.has(STORE_PREFIX + src)) stores.set(STORE_PREFIX + src, store);
    imports.push({ type: e.type, attrs });
  }

  return {
    cacheFrom: imports,
    cacheTo: exports,
    stores,
    warnings,
    finish: async (response) => {
      const raw = response['cache.manifest'];
      if (!raw || exportTags.size === 0) return;
      let desc: Descriptor;
      try {
        desc = JSON.parse(raw) as Descriptor;
      } catch {
        throw new BuildxError(`invalid cache manifest descriptor from the daemon: ${JSON.stringify(raw.slice(0, 200))}`);
      }
      for (const [dir, tag] of exportTags) {
        const entry = goDescriptorOrder({ ...desc, annotations: { ...(desc.annotations ?? {}), [REF_NAME_ANNOTATION]: tag } });
        const existing = await readIndex(dir).catch(() => undefined);
        await writeFileAtomic(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
        await writeFileAtomic(join(dir, 'index.json'), JSON.stringify(mergeIndex(existing, [entry])));
      }
    },
  };
}
