// An OCI image layout directory as buildx reads and writes it (containerd's local content store plus
// BuildKit's ociindex): blobs under blobs/<alg>/<hex>, written through a temporary file and renamed;
// index.json entries named by `org.opencontainers.image.ref.name` (or `io.containerd.image.name`).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { NotFoundError } from './errors.js';
import { findTagged, REF_NAME_ANNOTATION, withEntries } from './oci-index.js';
import { goMarshal, indexValue } from './json.js';
import type { OCILayoutLocation } from './location.js';
import { MediaType, type Descriptor, type Index } from './types.js';


/** containerd's content-type sniffing for a blob named only by digest. */
export function detectMediaType(dt: Buffer): string {
  const m = JSON.parse(dt.toString()) as { mediaType?: string; config?: unknown; fsLayers?: unknown[] };
  if (m.mediaType) return m.mediaType;
  if (m.config !== undefined) return MediaType.dockerManifest;
  if (m.fsLayers?.length) return MediaType.dockerSchema1Manifest;
  return MediaType.dockerManifestList;
}

export class OCILayoutStore {
  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    const [alg, hex] = digest.split(':');
    return join(this.root, 'blobs', alg!, hex!);
  }

  async readIndex(): Promise<Index> {
    const path = join(this.root, 'index.json');
    let b: string;
    try {
      b = await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`could not read ${path}: open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    try {
      return JSON.parse(b) as Index;
    } catch (err) {
      throw new Error(`could not unmarshal ${path} (${JSON.stringify(b)}): ${(err as Error).message}`);
    }
  }

  /** The descriptor a layout location names: by digest from the blobs, by tag from index.json. */
  async resolve(loc: OCILayoutLocation): Promise<Descriptor> {
    const digest = loc.digest();
    if (digest) {
      let size: number;
      try {
        size = (await stat(this.blobPath(digest))).size;
      } catch {
        throw new NotFoundError(`content digest ${digest}: not found`);
      }
      const dt = await readFile(this.blobPath(digest));
      return { mediaType: detectMediaType(dt), digest, size };
    }
    const idx = await this.readIndex();
    const tag = loc.tag();
    const found = findTagged(idx.manifests ?? [], tag);
    if (!found) throw new NotFoundError(`reference ${loc.toString()} not found: not found`);
    return found;
  }

  async has(digest: string): Promise<boolean> {
    return stat(this.blobPath(digest)).then(() => true, () => false);
  }

  open(desc: Descriptor): Readable {
    return createReadStream(this.blobPath(desc.digest));
  }

  async read(desc: Descriptor): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(desc.digest));
    } catch {
      throw new NotFoundError(`content digest ${desc.digest}: not found`);
    }
  }

  /** Streams a blob in, checking its digest before it takes its name. */
  async write(desc: Descriptor, src: Readable | Buffer): Promise<void> {
    if (await this.has(desc.digest)) return;
    const dest = this.blobPath(desc.digest);
    await mkdir(join(dest, '..'), { recursive: true });
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    const hash = createHash('sha256');
    const input: Readable = Buffer.isBuffer(src) ? Readable.from([src]) : (src as Readable);
    try {
      await pipeline(input, async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          hash.update(c);
          yield c;
        }
      }, createWriteStream(tmp));
      const got = `sha256:${hash.digest('hex')}`;
      if (desc.digest.startsWith('sha256:') && got !== desc.digest) throw new Error(`unexpected commit digest ${got}, expected ${desc.digest}: failed precondition`);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** ociindex.Put: an entry for `desc`, replacing any of the same name; `tag` undefined adds it unnamed. */
  async put(desc: Descriptor, tag?: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFile(join(this.root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    let idx: Index = { schemaVersion: 2, manifests: [] };
    try {
      const text = await readFile(join(this.root, 'index.json'), 'utf8');
      if (text.length) idx = JSON.parse(text) as Index;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!idx.schemaVersion) idx.schemaVersion = 2;
    if (!idx.mediaType) idx.mediaType = MediaType.ociIndex;
    const entry: Descriptor = { ...desc, annotations: desc.annotations ? { ...desc.annotations } : undefined };
    if (tag !== undefined) entry.annotations = { ...entry.annotations, [REF_NAME_ANNOTATION]: tag };
    idx.manifests = withEntries(idx.manifests ?? [], [entry]);
    await writeFileAtomic(join(this.root, 'index.json'), goMarshal(indexValue(idx)));
  }
}
