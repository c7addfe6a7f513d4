// `type=oci|docker,tar=false,dest=DIR`: the daemon would write such a layout through a content store
// served over the session; we ask for the tar instead and unpack it while it streams. Only the layout's
// own files are kept (oci-layout, index.json, blobs/<alg>/<hex>); each sha256 blob is verified on the way.
// Index entries merge into an existing layout the way BuildKit's client does (client/ociindex): an
// entry replaces earlier ones carrying the same image and reference names.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BuildxError } from '../util/errors.js';
import { pathExists } from '../util/fs-stat.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { TarReader, type TarHeader } from './tar-reader.js';

export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = 'oci-layout';
const INDEX_FILE = 'index.json';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  [k: string]: unknown;
}

/** Where an archive member goes in the layout; undefined for members that are not part of one. */
export type LayoutMember =
  | { kind: 'dir'; path: string }
  | { kind: 'blob'; path: string; algorithm: string; hex: string }
  | { kind: 'meta'; path: string };

const HEX = { sha256: /^[0-9a-f]{64}$/, sha384: /^[0-9a-f]{96}$/, sha512: /^[0-9a-f]{128}$/ } as const;

/**
 * Classifies an archive member. Names that could escape the layout are refused; members that belong to
 * the docker archive format only (manifest.json, repositories) are skipped.
 */
export function layoutMember(header: Pick<TarHeader, 'name' | 'type'>): LayoutMember | undefined {
  const name = header.name.replace(/^\.\//, '').replace(/\/+$/, '');
  const parts = name.split('/');
  if (name.startsWith('/') || parts.some((p) => p === '..' || p === '')) {
    if (name === '' || name === '.') return undefined;
    throw new BuildxError(`invalid OCI layout archive: unsafe path ${JSON.stringify(header.name)}`);
  }
  if (header.type === 'dir') {
    if (name === 'blobs' || (parts.length === 2 && parts[0] === 'blobs' && parts[1]! in HEX)) return { kind: 'dir', path: name };
    return undefined;
  }
  if (header.type !== 'file') {
    throw new BuildxError(`invalid OCI layout archive: ${header.type} entry ${JSON.stringify(header.name)}`);
  }
  if (name === LAYOUT_FILE || name === INDEX_FILE) return { kind: 'meta', path: name };
  if (parts.length === 3 && parts[0] === 'blobs') {
    const algorithm = parts[1]!;
    const hex = parts[2]!;
    const re = (HEX as Record<string, RegExp>)[algorithm];
    if (!re || !re.test(hex)) throw new BuildxError(`invalid OCI layout archive: unexpected blob ${JSON.stringify(header.name)}`);
    return { kind: 'blob', path: name, algorithm, hex };
  }
  return undefined;
}

function waitDrain(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { w.off('error', onError); resolve(); };
    const onError = (e: Error) => { w.off('drain', onDrain); reject(e); };
    w.once('drain', onDrain);
    w.once('error', onError);
  });
}

interface OpenFile {
  member: LayoutMember & { kind: 'blob' | 'meta' };
  out: WriteStream;
  hash?: Hash;
}

/** A writable that unpacks an OCI (or docker) image archive into `dir`, which must exist. */
export function layoutWriter(dir: string): Writable {
  const reader = new TarReader();
  let current: OpenFile | undefined;
  const open = async (member: LayoutMember) => {
    const path = join(dir, member.path);
    if (member.kind === 'dir') {
      await mkdir(path, { recursive: true });
      return;
    }
    await mkdir(join(path, '..'), { recursive: true });
    current = {
      member,
      out: createWriteStream(path, { mode: member.kind === 'blob' ? 0o444 : 0o644 }),
      hash: member.kind === 'blob' && member.algorithm in HEX ? createHash(member.algorithm) : undefined,
    };
  };
  const close = async () => {
    const f = current;
    if (!f) return;
    current = undefined;
    f.out.end();
    await finished(f.out);
    if (f.hash && f.member.kind === 'blob' && f.hash.digest('hex') !== f.member.hex) {
      throw new BuildxError(`invalid OCI layout archive: ${f.member.path} does not match its digest`);
    }
  };
  return new Writable({
    async write(chunk: Buffer, _enc, cb) {
      try {
        for (const ev of reader.push(chunk)) {
          if (ev.kind === 'entry') {
            const member = layoutMember(ev.header);
            if (member) await open(member);
          } else if (ev.kind === 'data') {
            if (!current) continue;
            current.hash?.update(ev.data);
            if (!current.out.write(ev.data)) await waitDrain(current.out);
          } else {
            await close();
          }
        }
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    async final(cb) {
      try {
        reader.end();
        await close();
        if (!(await pathExists(join(dir, INDEX_FILE)))) throw new BuildxError('invalid OCI layout archive: no index.json');
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    destroy(err, cb) {
      current?.out.destroy();
      cb(err);
    },
  });
}

/** Index entries after adding `incoming` the way BuildKit's client does (same names replace). */
export function mergeIndex(existing: ImageIndex | undefined, incoming: readonly Descriptor[]): ImageIndex {
  const index: ImageIndex = existing ? { ...existing, manifests: [...(existing.manifests ?? [])] } : { schemaVersion: 2, manifests: [] };
  if (!index.schemaVersion) index.schemaVersion = 2;
  if (!index.mediaType) index.mediaType = 'application/vnd.oci.image.index.v1+json';
  for (const desc of incoming) {
    const ref = desc.annotations?.[REF_NAME_ANNOTATION];
    if (ref !== undefined) {
      const img = desc.annotations?.[IMAGE_NAME_ANNOTATION] ?? '';
      index.manifests = index.manifests.filter(
        (m) => m.annotations?.[REF_NAME_ANNOTATION] !== ref || (m.annotations?.[IMAGE_NAME_ANNOTATION] ?? '') !== img,
      );
    }
    index.manifests.push(desc);
  }
  // Keep the key order of a fresh index so that a first export reads like the daemon's own.
  const { schemaVersion, mediaType, manifests, ...rest } = index;
  return { schemaVersion, mediaType, manifests, ...rest };
}

async function readIndex(path: string): Promise<ImageIndex | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const idx = JSON.parse(text) as ImageIndex;
    if (idx === null || typeof idx !== 'object' || (idx.manifests !== undefined && !Array.isArray(idx.manifests))) throw new Error('not an index');
    return idx;
  } catch {
    throw new BuildxError(`could not unmarshal ${path}`);
  }
}

/**
 * Moves a received layout (`src`) into `dest`: a rename when `dest` does not exist, otherwise new blobs
 * are moved in, `oci-layout` rewritten and index.json merged (blobs first, so the index never names a
 * blob that is not there yet). `src` is gone afterwards.
 */
export async function commitLayout(src: string, dest: string): Promise<void> {
  if (!(await pathExists(dest))) {
    await rename(src, dest);
    return;
  }
  const blobs = join(src, 'blobs');
  for (const alg of await readdir(blobs).catch(() => [] as string[])) {
    await mkdir(join(dest, 'blobs', alg), { recursive: true });
    for (const hex of await readdir(join(blobs, alg))) {
      const target = join(dest, 'blobs', alg, hex);
      // Blobs are content-addressed: an existing one already holds the same bytes.
      if (!(await pathExists(target))) await rename(join(blobs, alg, hex), target);
    }
  }
  const incoming = (await readIndex(join(src, INDEX_FILE)))?.manifests ?? [];
  const merged = mergeIndex(await readIndex(join(dest, INDEX_FILE)), incoming);
  await writeFileAtomic(join(dest, LAYOUT_FILE), await readFile(join(src, LAYOUT_FILE)).catch(() => Buffer.from('{"imageLayoutVersion":"1.0.0"}')));
  await writeFileAtomic(join(dest, INDEX_FILE), JSON.stringify(merged));
  await rm(src, { recursive: true, force: true });
}
